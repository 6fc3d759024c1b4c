package streams

import (
	"context"
	"testing"
	"time"

	"github.com/gosio/socketio/adapter/redis/emitter"
	"github.com/gosio/socketio/adapter/redis/internal/redistest"
)

// TestStreamsEmitter: the Go emitter for the Streams adapter reaches the
// clients of a Go node and of a Node.js node (official clients on each):
// emit with rooms, except and binary, socketsJoin, socketsLeave,
// serverSideEmit, disconnectSockets.
func TestStreamsEmitter(t *testing.T) {
	key := testKey()
	sse := make(chan string, 10)
	g := newNode(t, nodeOpts{key: key, noJoin: true, setup: func(srv *socketioServer) { redistest.SetupGo(srv, sse) }})
	n := startPeer(t, key)
	waitServers(t, g, "/", 2)
	n.Must("connect", map[string]any{"name": "g1", "url": g.url, "query": map[string]any{"room": "r1"}})
	n.Must("connect", map[string]any{"name": "g2", "url": g.url, "query": map[string]any{"room": "r2"}})
	n.Must("connect", map[string]any{"name": "n1", "url": n.URL, "query": map[string]any{"room": "r1"}})
	g1, g2, n1 := n.Recorder("g1"), n.Recorder("g2"), n.Recorder("n1")
	e := emitter.NewStreams(g.rdb, &emitter.StreamsOptions{StreamName: key})
	ctx := context.Background()

	if err := e.To("r1").Emit(ctx, "news", []byte("bin")); err != nil {
		t.Fatal(err)
	}
	g1.Expect(t, "news:bin:bin")
	n1.Expect(t, "news:bin:bin")
	if err := e.Except("r1").Emit(ctx, "other", "x"); err != nil {
		t.Fatal(err)
	}
	g2.Expect(t, "other:x")
	if err := e.In("r1").SocketsJoin(ctx, "j"); err != nil {
		t.Fatal(err)
	}
	redistest.WaitFor(t, "join", func() bool { s, _ := g.srv.In("j").FetchSockets(ctx); return len(s) == 2 })
	if err := e.In("j").SocketsLeave(ctx, "j"); err != nil {
		t.Fatal(err)
	}
	redistest.WaitFor(t, "leave", func() bool { s, _ := g.srv.In("j").FetchSockets(ctx); return len(s) == 0 })
	if err := e.ServerSideEmit(ctx, "fire", "from-emitter"); err != nil {
		t.Fatal(err)
	}
	if got := <-sse; got != "fire:from-emitter" {
		t.Fatal(got)
	}
	n.ExpectSSE(t, "fire:from-emitter")
	if err := e.In("r1").DisconnectSockets(ctx, false); err != nil {
		t.Fatal(err)
	}
	g1.Expect(t, "disconnect:io server disconnect")
	n1.Expect(t, "disconnect:io server disconnect")
	for _, r := range []*redistest.Recorder{g1, g2, n1} {
		r.None(t, 50*time.Millisecond)
	}
}
