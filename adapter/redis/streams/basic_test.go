package streams

import (
	"context"
	"testing"
	"time"

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
