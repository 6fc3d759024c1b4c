package cluster

import (
	"bytes"
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/client"
	"github.com/gosio/socketio/parser"
)

// collecting is a Transport that keeps what a Core publishes, for the
// tests of the Core's own logic (the Redis transports are tested against
// Redis and Node.js in their packages).
type collecting struct {
	mu   sync.Mutex
	sent []*Message
	resp []*Message
}

func (c *collecting) Publish(m *Message) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, m)
	return true
}

func (c *collecting) PublishResponse(_ string, m *Message) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resp = append(c.resp, m)
	return true
}

func (c *collecting) ServerCount(context.Context) (int, error) { return 1, nil }

// coreServer is a server on a Core with a collecting transport, and one
// client connected to "/" in room "r".
func coreServer(t testing.TB) (*Core, *collecting) { return coreServerWith(t, nil) }

// coreServerWith is coreServer with hooks installed.
func coreServerWith(t testing.TB, hooks *socketio.Hooks) (*Core, *collecting) {
	tr := &collecting{}
	cores := make(chan *Core, 1)
	srv := socketio.NewServer(&socketio.Options{Adapter: func(nsp adapter.Namespace) adapter.Adapter {
		c := New(nsp, tr, Options{RequestsTimeout: time.Second})
		if nsp.Name() == "/" {
			cores <- c
		}
		return c
	}})
	srv.AddHooks(hooks)
	srv.OnConnection(func(s *socketio.Socket) { s.Join("r") })
	srv.OnServerSideEmit("ev", func(args ...any) {})
	hs := httptest.NewServer(srv)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cl, err := client.Connect(ctx, hs.URL+"/", &client.Options{Transports: []string{"websocket"}, NoReconnection: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cl.Disconnect()
		srv.Close()
		hs.Close()
	})
	return <-cores, tr
}

func TestMessageRoundTrip(t *testing.T) {
	m := &Message{UID: "abc", Nsp: "/x", Type: Broadcast}
	m.Data = Map(t, `{"packet":{"type":2,"data":["e",1.5,"s"]},"opts":{"rooms":["a"],"except":[],"flags":{}}}`)
	js, err := m.Encode()
	if err != nil || js[0] != '{' {
		t.Fatalf("%s %v", js, err)
	}
	back, err := Decode(js)
	if err != nil || back.UID != "abc" || back.Nsp != "/x" || back.Type != Broadcast {
		t.Fatalf("%+v %v", back, err)
	}
	m.Data = append(m.Data, KV("bin", []byte{1, 2}))
	mp, err := m.Encode()
	if err != nil || mp[0] == '{' {
		t.Fatalf("binary data not MessagePack: %q %v", mp, err)
	}
	back, err = Decode(mp)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := back.Data.Get("bin"); !bytes.Equal(b.([]byte), []byte{1, 2}) {
		t.Fatalf("bin %v", b)
	}
}

// FuzzHandleMessage feeds arbitrary JSON or MessagePack messages to a
// Core serving a real namespace with a client: it must never panic, and
// whatever it answers must encode.
func FuzzHandleMessage(f *testing.F) {
	for _, s := range []string{
		`{"uid":"x","nsp":"/","type":3,"data":{"packet":{"type":2,"data":["e","a"]},"opts":{"rooms":["r"],"except":[],"flags":{}}}}`,
		`{"uid":"x","nsp":"/","type":3,"data":{"requestId":"q","packet":{"type":2,"data":["e"]},"opts":{"rooms":[],"except":[],"flags":{"timeout":5}}}}`,
		`{"uid":"x","nsp":"/","type":4,"data":{"opts":{"rooms":["r"],"except":[]},"rooms":["j",3]}}`,
		`{"uid":"x","nsp":"/","type":5,"data":{"opts":{"rooms":[],"except":[]},"rooms":["j"]}}`,
		`{"uid":"x","nsp":"/","type":6,"data":{"opts":{"rooms":["nobody"],"except":[]},"close":true}}`,
		`{"uid":"x","nsp":"/","type":7,"data":{"opts":{"rooms":[],"except":[]},"requestId":"q"}}`,
		`{"uid":"x","nsp":"/","type":8,"data":{"requestId":"q","sockets":[{"id":"s","handshake":{},"rooms":[],"data":{}}]}}`,
		`{"uid":"x","nsp":"/","type":9,"data":{"requestId":"q","packet":["ev",1,{"a":null}]}}`,
		`{"uid":"x","nsp":"/","type":10,"data":{"requestId":"q","packet":"x"}}`,
		`{"uid":"x","nsp":"/","type":11,"data":{"requestId":"q","clientCount":2}}`,
		`{"uid":"x","nsp":"/","type":2}`,
		"\x84\xa3uid\xa1x\xa3nsp\xa1/\xa4type\x09\xa4data\x81\xa6packet\x92\xa2ev\xc4\x01\x00",
	} {
		f.Add([]byte(s))
	}
	c, tr := coreServer(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		c.HandleMessage(m, "1-0")
		c.HandleResponse(m)
		tr.mu.Lock()
		defer tr.mu.Unlock()
		for _, r := range append(tr.sent, tr.resp...) {
			if _, err := r.Encode(); err != nil {
				t.Fatalf("answer does not encode: %v", err)
			}
		}
		tr.sent, tr.resp = nil, nil
	})
}

// The Core reports its traffic to socketio.Hooks.Cluster.
func TestClusterHooks(t *testing.T) {
	var mu sync.Mutex
	got := map[string]int{}
	hooks := &socketio.Hooks{Cluster: &adapter.ClusterHooks{
		Published: func(nsp, kind string, _ int) { mu.Lock(); got["out "+kind]++; mu.Unlock() },
		Received:  func(nsp, kind string, _ int) { mu.Lock(); got["in "+kind]++; mu.Unlock() },
	}}
	c, _ := coreServerWith(t, hooks)
	c.Broadcast(&parser.Packet{Type: parser.Event, Nsp: "/", Data: []byte(`["x"]`)}, adapter.BroadcastOptions{})
	c.HandleMessage(&Message{UID: "other", Nsp: "/", Type: SocketsJoin, Data: Map(t, `{"opts":{"rooms":[],"except":[]},"rooms":["z"]}`)}, "")
	mu.Lock()
	defer mu.Unlock()
	if got["out broadcast"] != 1 || got["in request"] != 1 {
		t.Fatalf("hooks saw %v", got)
	}
}
