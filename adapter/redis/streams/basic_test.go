package streams

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/redistest"
)

// TestGoNodes runs two Go nodes on one stream: broadcasts with rooms
// reach each client once, joins and fetches cross nodes.
func TestGoNodes(t *testing.T) {
	key := testKey()
	a := newNode(t, nodeOpts{key: key})
	b := newNode(t, nodeOpts{key: key})
	waitServers(t, a, "/", 2)
	ca := redistest.Connect(t, a.url, "/", "room=r1")
	cb := redistest.Connect(t, b.url, "/", "room=r2")
	a.srv.Emit("e1", "all")
	ca.Rec.Expect(t, "e1:all")
	cb.Rec.Expect(t, "e1:all")
	b.srv.To("r1").Emit("e2", []byte("bin"))
	ca.Rec.Expect(t, "e2:bin:bin")
	cb.Rec.None(t, 100*time.Millisecond)
	ca.Rec.None(t, 10*time.Millisecond)
	socks, err := a.srv.FetchSockets(context.Background())
	if err != nil || len(socks) != 2 {
		t.Fatalf("fetchSockets: %d %v", len(socks), err)
	}
	a.srv.In("r2").SocketsJoin("j")
	redistest.WaitFor(t, "join", func() bool { s, _ := b.srv.In("j").FetchSockets(context.Background()); return len(s) == 1 })
}

// TestRequestTimeout: a node that is counted (subscribed to the request
// channel) but never answers makes fetchSockets and serverSideEmit with
// acks end after RequestsTimeout with a *TimeoutError matching
// adapter.ErrTimeout, and the partial result; the caller's context ending
// first gives its error too.
func TestRequestTimeout(t *testing.T) {
	key := testKey()
	a := newNode(t, nodeOpts{key: key, opts: Options{RequestsTimeout: 300 * time.Millisecond}})
	redistest.Connect(t, a.url, "/", "")
	mute := a.rdb.Subscribe(context.Background(), key+"#/#")
	defer mute.Close()
	waitServers(t, a, "/", 2)

	socks, err := a.srv.FetchSockets(context.Background())
	var te *TimeoutError
	if !errors.As(err, &te) || !errors.Is(err, adapter.ErrTimeout) || te.Got != 0 || te.Want != 1 || len(socks) != 1 {
		t.Fatalf("fetchSockets: %d sockets, %v", len(socks), err)
	}
	_, err = a.srv.ServerSideEmitWithAck(context.Background(), "ping")
	if !errors.Is(err, adapter.ErrTimeout) {
		t.Fatalf("serverSideEmitWithAck: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = a.srv.FetchSockets(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, adapter.ErrTimeout) {
		t.Fatalf("with a context: %v", err)
	}
}
