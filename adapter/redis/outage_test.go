package redis

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter"
)

// pingAcks makes a node answer the server-side event "ping" with "pong".
func pingAcks(srv *socketio.Server) {
	srv.OnServerSideEmit("ping", func(ack func(string)) { ack("pong") })
}

// clusterOps runs the three requests that wait for every node and
// returns how many results each got (sockets, rooms, replies) and its
// error.
type opResult struct {
	name string
	n    int
	err  error
}

// clusterOps runs the three, each with a context from newCtx.
func clusterOps(newCtx func() (context.Context, context.CancelFunc), n *node) []opResult {
	nsp := n.srv.Of("/")
	ctx, cancel := newCtx()
	socks, err1 := nsp.FetchSockets(ctx)
	cancel()
	ctx, cancel = newCtx()
	rooms, err2 := nsp.Adapter().(*Adapter).AllRooms(ctx)
	cancel()
	ctx, cancel = newCtx()
	replies, err3 := nsp.ServerSideEmitWithAck(ctx, "ping")
	cancel()
	return []opResult{{"fetchSockets", len(socks), err1}, {"allRooms", len(rooms), err2}, {"serverSideEmitWithAck", len(replies), err3}}
}

// noDeadline gives clusterOps contexts bounded by RequestsTimeout alone.
func noDeadline() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

// within gives clusterOps contexts with a deadline d away.
func within(d time.Duration) func() (context.Context, context.CancelFunc) {
	return func() (context.Context, context.CancelFunc) { return context.WithTimeout(context.Background(), d) }
}

// knownCount is the node count the adapter of "/" remembers.
func knownCount(n *node) int {
	m := n.srv.Of("/").Adapter().(*Adapter).members
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.known
}

// TestRequestsAfterRedisRestart: requests made while Redis is down, and
// right after it is back while a node that was subscribed before has not
// subscribed again, end with an error, never with this node's part alone
// and no error (which is what Node's adapter answers). A node that comes
// back while a request waits is answered for.
func TestRequestsAfterRedisRestart(t *testing.T) {
	r, err := startRedis(0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { r.stop() }()
	key := testKey()
	opts := Options{RequestsTimeout: 4 * time.Second, HealthCheckInterval: 300 * time.Millisecond}
	a := newNode(t, nodeOpts{key: key, addr: r.addr(), opts: opts, setup: pingAcks})
	p := newProxy(t, r.addr()) // b reaches Redis through p: the test decides when b is back
	b := newNode(t, nodeOpts{key: key, addr: p.Addr, opts: opts, setup: pingAcks})
	waitServers(t, b, "/", 2)
	connect(t, a, "room=ra")
	connect(t, b, "room=rb")
	// a has made no request: it counts its peers by itself
	waitFor(t, func() bool { return knownCount(a) == 2 })
	for _, res := range clusterOps(noDeadline, a) {
		if res.err != nil {
			t.Fatalf("%s before the outage: %v", res.name, res.err)
		}
	}

	r.stop()
	p.Stop()
	waitFor(t, func() bool { return !a.cl.Healthy() && !b.cl.Healthy() })

	t.Run("while Redis is down", func(t *testing.T) {
		start := time.Now()
		for _, res := range clusterOps(noDeadline, a) {
			if !errors.Is(res.err, ErrUnavailable) {
				t.Errorf("%s: %d results, error %v; want ErrUnavailable", res.name, res.n, res.err)
			}
		}
		t.Logf("three requests failed in %v", time.Since(start))
	})

	r2, err := startRedis(r.port)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.stop()
	waitFor(t, a.cl.Healthy) // a is back, b is not

	t.Run("a node not back yet", func(t *testing.T) {
		for _, res := range clusterOps(within(300*time.Millisecond), a) {
			var te *TimeoutError
			if !errors.Is(res.err, adapter.ErrTimeout) || !errors.Is(res.err, context.DeadlineExceeded) || !errors.As(res.err, &te) || te.NotBack != 1 {
				t.Errorf("%s: %d results, error %v; want a timeout (context deadline) with 1 node not back", res.name, res.n, res.err)
			}
		}
	})
	t.Run("a node back in time", func(t *testing.T) {
		done := make(chan []opResult, 1)
		go func() { done <- clusterOps(noDeadline, a) }()
		time.Sleep(200 * time.Millisecond) // the requests wait for b
		p.Start(t)
		want := map[string]int{"fetchSockets": 2, "allRooms": 4, "serverSideEmitWithAck": 1}
		for _, res := range <-done {
			if res.err != nil || res.n != want[res.name] {
				t.Errorf("%s: %d results, error %v; want %d", res.name, res.n, res.err, want[res.name])
			}
		}
	})
	if n := pendingCount(a); n != 0 {
		t.Fatalf("%d pending requests", n)
	}
}

// TestRequestsWhileRedisPaused: while Redis does not answer (SIGSTOP),
// a request whose context ends first reports a timeout that keeps the
// context's error; one bounded by RequestsTimeout alone reports that the
// node count could not be read.
func TestRequestsWhileRedisPaused(t *testing.T) {
	r, err := startRedis(0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { r.stop() }()
	key := testKey()
	// a long health-check interval: the subscriber does not notice the
	// pause during the test, so the requests meet a silent Redis
	opts := Options{RequestsTimeout: time.Second, HealthCheckInterval: 10 * time.Second}
	a := newNode(t, nodeOpts{key: key, addr: r.addr(), opts: opts, setup: pingAcks})
	b := newNode(t, nodeOpts{key: key, addr: r.addr(), opts: opts, setup: pingAcks})
	waitServers(t, a, "/", 2)
	waitServers(t, b, "/", 2)
	connect(t, a, "room=ra")
	connect(t, b, "room=rb")

	if err := r.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	resumed := false
	resume := func() {
		if !resumed {
			resumed = true
			r.cmd.Process.Signal(syscall.SIGCONT)
		}
	}
	defer resume()

	for _, res := range clusterOps(within(200*time.Millisecond), a) {
		if !errors.Is(res.err, adapter.ErrTimeout) || !errors.Is(res.err, context.DeadlineExceeded) {
			t.Errorf("%s with a context deadline: %d results, error %v", res.name, res.n, res.err)
		}
	}
	cctx, ccancel := context.WithCancelCause(context.Background())
	cause := fmt.Errorf("the caller gave up")
	time.AfterFunc(100*time.Millisecond, func() { ccancel(cause) })
	if _, err := a.srv.Of("/").FetchSockets(cctx); !errors.Is(err, cause) || !errors.Is(err, context.Canceled) {
		t.Errorf("fetchSockets with a cancelled context: %v", err)
	}
	_, err = a.srv.Of("/").FetchSockets(context.Background())
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("fetchSockets bounded by RequestsTimeout: %v", err)
	}

	resume()
	for _, res := range clusterOps(noDeadline, a) {
		if res.err != nil {
			t.Errorf("%s after Redis resumed: %v", res.name, res.err)
		}
	}
	if n := pendingCount(a); n != 0 {
		t.Fatalf("%d pending requests", n)
	}
}

// TestRequestOnNewNamespace: a request made on a namespace the moment it
// is created waits until this node is subscribed to it, so it neither
// misses the other nodes (PUBSUB NUMSUB would not count this node yet)
// nor their answers.
func TestRequestOnNewNamespace(t *testing.T) {
	key := testKey()
	a := newNode(t, nodeOpts{key: key})
	b := newNode(t, nodeOpts{key: key})
	waitServers(t, a, "/", 2)
	for i := range 10 {
		name := fmt.Sprintf("/late%d", i)
		b.srv.Of(name).OnServerSideEmit("ping", func(ack func(string)) { ack("pong") })
		waitServers(t, b, name, 1)
		replies, err := a.srv.Of(name).ServerSideEmitWithAck(context.Background(), "ping")
		if err != nil || len(replies) != 1 {
			t.Fatalf("%s: %d replies, %v", name, len(replies), err)
		}
	}
}

// TestRequestsAfterRedisRestartWithNodePeer: after a Redis restart, a
// Go node's request waits for the Node.js node (ioredis resubscribes by
// itself) and answers for it, without error.
func TestRequestsAfterRedisRestartWithNodePeer(t *testing.T) {
	r, err := startRedis(0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { r.stop() }()
	key := testKey()
	opts := Options{RequestsTimeout: 4 * time.Second, HealthCheckInterval: 300 * time.Millisecond}
	a := newNode(t, nodeOpts{key: key, addr: r.addr(), opts: opts})
	n := startNodePeer(t, r.port, key)
	waitServers(t, a, "/", 2)
	connect(t, a, "room=ra")
	n.must("connect", map[string]any{"name": "nA", "url": n.url, "query": map[string]any{"room": "rn"}})
	waitFor(t, func() bool { return knownCount(a) == 2 })

	r.stop()
	waitFor(t, func() bool { return !a.cl.Healthy() })
	if _, err := a.srv.Of("/").FetchSockets(context.Background()); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("fetchSockets while Redis is down: %v", err)
	}
	r2, err := startRedis(r.port)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.stop()
	waitFor(t, a.cl.Healthy)
	socks, err := a.srv.Of("/").FetchSockets(context.Background())
	if err != nil || len(socks) != 2 {
		t.Fatalf("fetchSockets after the restart: %d sockets, %v", len(socks), err)
	}
	if res := n.must("fetchSockets", nil).([]any); len(res) != 2 {
		t.Fatalf("Node fetched %v", res)
	}
}
