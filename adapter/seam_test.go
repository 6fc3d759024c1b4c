package adapter_test

// The adapter seam is enough to write an adapter outside the server's
// package: this one counts the calls it gets and forwards them to the
// in-memory adapter, and a server runs on it unchanged.

import (
	"context"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/client"
	"github.com/gosio/socketio/parser"
)

// counting wraps Memory and counts what passes through it.
type counting struct {
	*adapter.Memory
	nsp                 adapter.Namespace
	adds, broadcasts    atomic.Int64
	fetches, disconnect atomic.Int64
}

func (c *counting) AddAll(s adapter.Socket, rooms ...string) {
	c.adds.Add(int64(len(rooms)))
	c.Memory.AddAll(s, rooms...)
}

func (c *counting) Broadcast(p *parser.Packet, opts adapter.BroadcastOptions) {
	c.broadcasts.Add(1)
	c.Memory.Broadcast(p, opts)
}

func (c *counting) FetchSockets(ctx context.Context, opts adapter.BroadcastOptions) ([]adapter.SocketInfo, error) {
	c.fetches.Add(1)
	return c.Memory.FetchSockets(ctx, opts)
}

func (c *counting) DisconnectSockets(opts adapter.BroadcastOptions, close bool) {
	c.disconnect.Add(1)
	c.Memory.DisconnectSockets(opts, close)
}

func TestAdapterWrittenOutsideTheServer(t *testing.T) {
	var made atomic.Pointer[counting]
	io := socketio.NewServer(&socketio.Options{Adapter: func(nsp adapter.Namespace) adapter.Adapter {
		c := &counting{Memory: adapter.NewMemory(nsp), nsp: nsp}
		if nsp.Name() == "/" {
			made.Store(c)
		}
		return c
	}})
	joined := make(chan struct{}, 2)
	left := make(chan socketio.Reason, 2)
	io.OnConnection(func(s *socketio.Socket) {
		s.Join("room")
		s.OnDisconnect(func(r socketio.Reason, _ error) { left <- r })
		joined <- struct{}{}
	})
	hs := httptest.NewServer(io)
	defer hs.Close()
	defer io.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan string, 2)
	var socks []*client.Socket
	for i := 0; i < 2; i++ {
		s, err := client.Connect(ctx, hs.URL+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		s.On("news", func(v string) { got <- v })
		socks = append(socks, s)
		<-joined
	}
	if err := io.To("room").Emit("news", "hello"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		select {
		case v := <-got:
			if v != "hello" {
				t.Fatalf("got %q", v)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("broadcast through the wrapping adapter not delivered")
		}
	}
	rs, err := io.In("room").FetchSockets(ctx)
	if err != nil || len(rs) != 2 {
		t.Fatalf("FetchSockets: %d sockets, %v", len(rs), err)
	}
	for _, r := range rs {
		if r.Local() == nil || r.Local().ID() != r.ID() {
			t.Fatalf("RemoteSocket.Local() of a local socket behind a wrapping adapter: %v", r.Local())
		}
		if d, ok := r.Data().(map[string]any); !ok || len(d) != 0 {
			t.Fatalf("data of a socket that never set it: %#v, want {} as the reference", r.Data())
		}
		if r.Handshake().Headers.Get("Host") == "" {
			t.Fatal("handshake without the Host header")
		}
	}
	io.In("room").DisconnectSockets(false)
	for i := 0; i < 2; i++ {
		select {
		case r := <-left:
			if r != socketio.ReasonServerNamespaceDisconnect {
				t.Fatalf("reason %q", r)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("disconnect through the wrapping adapter not done")
		}
	}
	c := made.Load()
	// Each socket joins its own room and "room".
	if c.adds.Load() != 4 || c.broadcasts.Load() != 1 || c.fetches.Load() != 1 || c.disconnect.Load() != 1 {
		t.Fatalf("counted adds %d broadcasts %d fetches %d disconnects %d",
			c.adds.Load(), c.broadcasts.Load(), c.fetches.Load(), c.disconnect.Load())
	}
}
