package redis

// The disconnect contract across nodes: a disconnectSockets asked by
// another node reaches the socket through this node's subscriber
// goroutine, yet the socket's lifecycle handlers run on its own
// connection's handler goroutine, after its running handler returns, and
// a blocking lifecycle handler does not stall the cluster's traffic.

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	socketio "github.com/gosio/socketio"
)

func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	n, _ := strconv.ParseUint(string(b), 10, 64)
	return n
}

func TestRemoteDisconnectRunsOnHandlerGoroutine(t *testing.T) {
	var mu sync.Mutex
	var steps []string
	var gids []uint64
	record := func(s string) {
		mu.Lock()
		steps = append(steps, s)
		gids = append(gids, goid())
		mu.Unlock()
	}
	started := make(chan *socketio.Socket, 1)
	release := make(chan struct{})
	done := make(chan socketio.Reason, 1)
	unblock := make(chan struct{})
	setup := func(srv *socketio.Server) {
		srv.OnConnection(func(s *socketio.Socket) {
			s.On("block", func() {
				record("handler")
				started <- s
				<-release
				record("handler returns")
			})
			s.OnDisconnecting(func(socketio.Reason, error) { record("disconnecting") })
			s.OnDisconnect(func(r socketio.Reason, _ error) {
				record("disconnect")
				done <- r
				<-unblock // a slow disconnect handler: the cluster goes on
			})
		})
	}
	a, b := twoNodes(t, setup)
	c := connect(t, a, "room=r")
	other := connect(t, a, "room=r")
	c.s.Emit("block")
	s := <-started
	b.srv.In(s.ID()).DisconnectSockets(false) // handled by a's subscriber goroutine
	select {
	case <-s.Context().Done():
	case <-time.After(3 * time.Second):
		t.Fatal("context not cancelled by the remote disconnect")
	}
	mu.Lock()
	early := len(steps)
	mu.Unlock()
	if early != 1 {
		t.Fatalf("lifecycle handlers ran while the handler runs: %v", steps)
	}
	close(release)
	select {
	case r := <-done:
		if r != socketio.ReasonServerNamespaceDisconnect {
			t.Fatalf("reason %q", r)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("disconnect handler never ran")
	}
	// The disconnect handler still blocks; cluster traffic is not held.
	b.srv.To("r").Emit("news", "1")
	other.rec.expect(t, "news:1")
	close(unblock)
	mu.Lock()
	defer mu.Unlock()
	want := []string{"handler", "handler returns", "disconnecting", "disconnect"}
	for i, w := range want {
		if i >= len(steps) || steps[i] != w {
			t.Fatalf("steps %v, want %v", steps, want)
		}
		if gids[i] != gids[0] {
			t.Fatalf("%s ran on goroutine %d, the handler on %d", w, gids[i], gids[0])
		}
	}
}
