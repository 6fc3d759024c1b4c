package streams

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosio/socketio/adapter/redis/internal/redistest"
)

const recoveryWindow = 20 * time.Second

// server is a node of the recovery tests, Go or Node.js.
type server struct {
	hostport string
	emit     func(event, arg, room string)
	close    func()
}

func goServer(t *testing.T, key string) *server {
	n := newNode(t, nodeOpts{key: key, recovery: recoveryWindow})
	u, _ := url.Parse(n.url)
	return &server{hostport: u.Host, emit: func(e, a, r string) { n.srv.To(r).Emit(e, a) }, close: n.close}
}

func nodeServer(t *testing.T, key string) *server {
	p := startPeer(t, key, "RECOVERY="+strconv.Itoa(int(recoveryWindow.Milliseconds())))
	u, _ := url.Parse(p.URL)
	return &server{hostport: u.Host,
		emit:  func(e, a, r string) { p.Must("emit", map[string]any{"event": e, "arg": a, "rooms": []string{r}}) },
		close: func() { p.Must("closeServer", nil) }}
}

// TestRecoveryAcrossNodes: an official socket.io-client 4.8.4 behind a
// proxy (the load balancer) is connected to one node; that node shuts
// down (its sockets' sessions go to Redis); events are broadcast to the
// client's room meanwhile; the proxy then sends the client to another
// node, where it recovers: same id, same rooms, the missed events exactly
// once and in order, then live ones. Go to Go, Go to Node.js and Node.js
// to Go.
func TestRecoveryAcrossNodes(t *testing.T) {
	cases := []struct {
		name     string
		src, dst func(*testing.T, string) *server
	}{
		{"go to go", goServer, goServer},
		{"go to node", goServer, nodeServer},
		{"node to go", nodeServer, goServer},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := testKey()
			src, dst := c.src(t, key), c.dst(t, key)
			driver := redistest.StartPeer(t, nodeDir, "SERVE=0", "KEY="+key, "REDIS_PORT="+strconv.Itoa(shared.Port))
			proxy := redistest.NewProxy(t, src.hostport)
			id := driver.Must("connect", map[string]any{"name": "c", "url": "http://" + proxy.Addr, "query": map[string]any{"room": "r"}, "reconnection": true}).(string)
			rec := driver.Recorder("c")
			rec.Expect(t, "connect:false:"+id)
			src.emit("e0", "before", "r")
			rec.Expect(t, "e0:before")

			src.close() // the client is disconnected and retries, in vain: the proxy still points at src
			rec.Expect(t, "disconnect:transport close")
			dst.emit("e1", "missed-1", "r")
			dst.emit("e2", "missed-2", "r")
			dst.emit("x", "not-for-r", "other")
			time.Sleep(100 * time.Millisecond)
			proxy.SetTarget(dst.hostport)

			// the client emits the missed events, then "connect"
			rec.Expect(t, "e1:missed-1")
			rec.Expect(t, "e2:missed-2")
			rec.Expect(t, "connect:true:"+id)
			dst.emit("e3", "live", "r") // the room came back with the session
			rec.Expect(t, "e3:live")
			rec.None(t, 100*time.Millisecond)
			var got []string
			for _, e := range rec.Events() {
				if !strings.HasPrefix(e, "disconnect:") && !strings.HasPrefix(e, "connect:") {
					got = append(got, e)
				}
			}
			if want := []string{"e0:before", "e1:missed-1", "e2:missed-2", "e3:live"}; !slices.Equal(got, want) {
				t.Fatalf("events %q, want %q", got, want)
			}
		})
	}
}

// TestRecoveryBounds: a client that received no event before its link was
// cut (the official client then sends no offset) is recovered on another
// Go node from the moment it connected; a client that missed more than
// the stream kept (MaxLen) is not recovered: it gets a new session rather
// than a replay with a hole.
func TestRecoveryBounds(t *testing.T) {
	key := testKey()
	opts := Options{MaxLen: 50}
	a := newNode(t, nodeOpts{key: key, recovery: recoveryWindow, opts: opts})
	b := newNode(t, nodeOpts{key: key, recovery: recoveryWindow, opts: opts})
	hostOf := func(n *node) string { u, _ := url.Parse(n.url); return u.Host }
	driver := redistest.StartPeer(t, nodeDir, "SERVE=0", "KEY="+key, "REDIS_PORT="+strconv.Itoa(shared.Port))

	t.Run("no offset", func(t *testing.T) {
		px := redistest.NewProxy(t, hostOf(a))
		id := driver.Must("connect", map[string]any{"name": "quiet", "url": "http://" + px.Addr, "query": map[string]any{"room": "q"}, "reconnection": true}).(string)
		rec := driver.Recorder("quiet")
		rec.Expect(t, "connect:false:"+id)
		px.Stop() // node A sees the transport close and keeps the session
		rec.Expect(t, "disconnect:transport close")
		time.Sleep(100 * time.Millisecond)
		b.srv.To("q").Emit("missed", "m")
		px.SetTarget(hostOf(b))
		px.Start(t)
		rec.Expect(t, "missed:m")
		rec.Expect(t, "connect:true:"+id)
	})
	t.Run("past MaxLen", func(t *testing.T) {
		px := redistest.NewProxy(t, hostOf(a))
		id := driver.Must("connect", map[string]any{"name": "late", "url": "http://" + px.Addr, "query": map[string]any{"room": "l"}, "reconnection": true}).(string)
		rec := driver.Recorder("late")
		rec.Expect(t, "connect:false:"+id)
		a.srv.To("l").Emit("first", "f")
		rec.Expect(t, "first:f")
		px.Stop()
		rec.Expect(t, "disconnect:transport close")
		for i := 0; i < 500; i++ {
			b.srv.Emit("flood", i)
		}
		redistest.WaitFor(t, "the flood written", func() bool { return b.cl.Stats().Added >= 500 })
		px.SetTarget(hostOf(b))
		px.Start(t)
		deadline := time.Now().Add(5 * time.Second)
		for {
			if time.Now().After(deadline) {
				t.Fatalf("not reconnected: %q", rec.Events())
			}
			ev := rec.Events()
			last := ev[len(ev)-1]
			if strings.HasPrefix(last, "connect:true:") {
				t.Fatalf("recovered with a hole: %q", last)
			}
			if strings.HasPrefix(last, "connect:false:") && last != "connect:false:"+id {
				return // a new session
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
