package redis

// socketio.Hooks.Cluster hears the classic adapter's traffic: what a node
// publishes, what it receives from the other, and the requests that time
// out.

import (
	"context"
	"sync"
	"testing"
	"time"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter"
)

type clusterCounts struct {
	mu                  sync.Mutex
	published, received map[string]int
	bytes               int
	timeouts            map[string]int
}

func (c *clusterCounts) hooks() *socketio.Hooks {
	return &socketio.Hooks{Cluster: &adapter.ClusterHooks{
		Published: func(nsp, kind string, n int) {
			c.mu.Lock()
			c.published[kind]++
			c.bytes += n
			c.mu.Unlock()
		},
		Received: func(nsp, kind string, n int) {
			c.mu.Lock()
			c.received[kind]++
			c.mu.Unlock()
		},
		RequestTimedOut: func(nsp, op string) {
			c.mu.Lock()
			c.timeouts[op]++
			c.mu.Unlock()
		},
	}}
}

func (c *clusterCounts) get(m map[string]int, k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return m[k]
}

func TestClusterHooks(t *testing.T) {
	ca := &clusterCounts{published: map[string]int{}, received: map[string]int{}, timeouts: map[string]int{}}
	cb := &clusterCounts{published: map[string]int{}, received: map[string]int{}, timeouts: map[string]int{}}
	key := testKey()
	a := newNode(t, nodeOpts{key: key, setup: func(s *socketio.Server) { s.AddHooks(ca.hooks()) }})
	b := newNode(t, nodeOpts{key: key, setup: func(s *socketio.Server) { s.AddHooks(cb.hooks()) }})
	waitServers(t, a, "/", 2)
	waitServers(t, b, "/", 2)
	c := connect(t, b, "room=r")
	a.srv.To("r").Emit("news", "1")
	c.rec.expect(t, "news:1")
	if _, err := a.srv.FetchSockets(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool {
		return ca.get(ca.published, "broadcast") == 1 && cb.get(cb.received, "broadcast") == 1 &&
			ca.get(ca.published, "request") == 1 && cb.get(cb.received, "request") == 1 &&
			cb.get(cb.published, "response") == 1 && ca.get(ca.received, "response") == 1
	})
	if ca.bytes == 0 {
		t.Fatal("no bytes counted")
	}
	// A request that a third, silent subscriber never answers times out.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	silent := a.rdb.Subscribe(context.Background(), a.cl.opts.Key+"-request#/#")
	defer silent.Close()
	waitServers(t, a, "/", 3)
	if _, err := a.srv.FetchSockets(ctx); err == nil {
		t.Fatal("no timeout with a silent subscriber")
	}
	waitFor(t, func() bool { return ca.get(ca.timeouts, "fetchSockets") == 1 })
}
