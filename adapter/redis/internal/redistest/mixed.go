package redistest

import (
	"context"
	"regexp"
	"slices"
	"testing"
	"time"

	socketio "github.com/gosio/socketio"
)

// GoNode is the Go node of a mixed cluster.
type GoNode struct {
	Srv *socketio.Server
	URL string
	// WaitServers waits until namespace nsp counts n nodes.
	WaitServers func(t testing.TB, nsp string, n int)
}

var dynNamespaces = regexp.MustCompile(`^/dyn-\w+$`)

// SetupGo installs on srv what the mixed scenario expects of a Go node,
// as peer.js does on the Node one: clients join the rooms of their "room"
// query parameters and get {name: <data>} as data; server-side events
// "ping" (acknowledged with "pong-go-<arg>") and "fire" go to sse; the
// dynamic namespaces /dyn-<word>.
func SetupGo(srv *socketio.Server, sse chan<- string) {
	join := func(s *socketio.Socket) {
		if s.Recovered() {
			return
		}
		q := s.Handshake().Query
		for _, r := range q["room"] {
			s.Join(r)
		}
		if d := q.Get("data"); d != "" {
			s.SetData(map[string]any{"name": d})
		}
	}
	srv.OnConnection(join)
	srv.OfRegexp(dynNamespaces).OnConnection(join)
	srv.OnServerSideEmit("ping", func(s string, ack func(string)) {
		sse <- "ping:" + s
		ack("pong-go-" + s)
	})
	srv.OnServerSideEmit("fire", func(s string) { sse <- "fire:" + s })
}

// RunMixed runs every cluster operation between a Go node g (set up with
// SetupGo, its server-side events on sse) and a Node.js node n, with
// official socket.io-client 4.8.4 clients on each, in both directions:
// broadcasts with rooms and except (each client gets each event once),
// binary, broadcasts with acks gathered across nodes, fetchSockets with
// handshakes and data, socketsJoin/Leave, serverSideEmit with acks,
// dynamic namespaces, disconnectSockets.
func RunMixed(t *testing.T, g GoNode, n *Peer, sse <-chan string) {
	g.WaitServers(t, "/", 2)
	if c := n.Must("serverCount", nil); c.(float64) != 2 {
		t.Fatalf("node server count %v", c)
	}
	n.Must("connect", map[string]any{"name": "gA", "url": g.URL, "query": map[string]any{"room": "r1", "data": "ga"}})
	gB := n.Must("connect", map[string]any{"name": "gB", "url": g.URL, "query": map[string]any{"room": "r2"}}).(string)
	n.Must("connect", map[string]any{"name": "nA", "url": n.URL, "query": map[string]any{"room": "r1", "data": "na"}})
	nB := n.Must("connect", map[string]any{"name": "nB", "url": n.URL, "query": map[string]any{"room": "r2"}}).(string)
	ctx := context.Background()
	// A socket joins its rooms in a connection handler, which on a Go node
	// runs after the CONNECT reply: wait until the cluster sees them all.
	waitRoom := func(t *testing.T, nsp, room string, want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			socks, err := g.Srv.Of(nsp).In(room).FetchSockets(ctx)
			if err == nil && len(socks) == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("room %s of %s: %d sockets (%v), want %d", room, nsp, len(socks), err, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitRoom(t, "/", "r1", 2)
	waitRoom(t, "/", "r2", 2)
	gA, gBr, nA, nBr := n.Recorder("gA"), n.Recorder("gB"), n.Recorder("nA"), n.Recorder("nB")
	all := []*Recorder{gA, gBr, nA, nBr}
	expect := func(t *testing.T, ev string, rs ...*Recorder) {
		t.Helper()
		for _, r := range rs {
			r.Expect(t, ev)
		}
	}
	quiet := func(t *testing.T) {
		t.Helper()
		for _, r := range all {
			r.None(t, 50*time.Millisecond)
		}
	}
	srv := g.Srv

	t.Run("broadcast from Go", func(t *testing.T) {
		srv.Emit("e1", "all")
		expect(t, "e1:all", all...)
		srv.To("r1").Emit("e2", "r1")
		expect(t, "e2:r1", gA, nA)
		srv.Except("r1").Emit("e3", "x")
		expect(t, "e3:x", gBr, nBr)
		srv.To(nB).Emit("e4", "direct")
		nBr.Expect(t, "e4:direct")
		srv.To("r1", "r2").Except(gB).Emit("e5", []byte("bytes"))
		expect(t, "e5:bin:bytes", gA, nA, nBr)
		srv.Emit("e6", map[string]any{"n": 1.5, "i": 3, "s": "é", "l": []any{true, nil}})
		expect(t, `e6:{"i":3,"l":[true,null],"n":1.5,"s":"é"}`, all...)
		quiet(t)
	})
	t.Run("broadcast from Node", func(t *testing.T) {
		n.Must("emit", map[string]any{"event": "f1", "arg": "all"})
		expect(t, "f1:all", all...)
		n.Must("emit", map[string]any{"event": "f2", "arg": "r1", "rooms": []string{"r1"}})
		expect(t, "f2:r1", gA, nA)
		n.Must("emit", map[string]any{"event": "f3", "arg": "x", "except": []string{"r1"}})
		expect(t, "f3:x", gBr, nBr)
		n.Must("emit", map[string]any{"event": "f4", "arg": "direct", "rooms": []string{gB}})
		gBr.Expect(t, "f4:direct")
		n.Must("emit", map[string]any{"event": "f5", "arg": "bytes", "binary": true, "rooms": []string{"r2"}})
		expect(t, "f5:bin:bytes", gBr, nBr)
		quiet(t)
	})
	t.Run("broadcast with acks from Go", func(t *testing.T) {
		replies, err := srv.Timeout(3*time.Second).EmitWithAck(ctx, "a1", "x")
		if err != nil || len(replies) != 4 {
			t.Fatalf("%d replies, %v", len(replies), err)
		}
		var got []string
		for _, r := range replies {
			var s string
			_ = r.Decode(0, &s)
			got = append(got, s)
		}
		slices.Sort(got)
		if want := []string{"ack-a1-gA", "ack-a1-gB", "ack-a1-nA", "ack-a1-nB"}; !slices.Equal(got, want) {
			t.Fatalf("replies %q", got)
		}
		expect(t, "a1:x", all...)
	})
	t.Run("broadcast with acks from Node", func(t *testing.T) {
		res := n.Must("emitWithAck", map[string]any{"event": "a2", "arg": "y", "rooms": []string{"r1"}}).([]any)
		got := []string{}
		for _, r := range res {
			got = append(got, r.(string))
		}
		slices.Sort(got)
		if want := []string{"ack-a2-gA", "ack-a2-nA"}; !slices.Equal(got, want) {
			t.Fatalf("replies %q", got)
		}
		expect(t, "a2:y", gA, nA)
	})
	t.Run("fetchSockets from Go", func(t *testing.T) {
		socks, err := srv.In("r1").FetchSockets(ctx)
		if err != nil || len(socks) != 2 {
			t.Fatalf("%d sockets, %v", len(socks), err)
		}
		var remote *socketio.RemoteSocket
		for _, s := range socks {
			if s.Local() == nil {
				remote = s
			}
		}
		if remote == nil {
			t.Fatal("no remote socket")
		}
		if d, _ := remote.Data().(map[string]any); d["name"] != "na" {
			t.Fatalf("data %#v", remote.Data())
		}
		hs := remote.Handshake()
		if hs.Query.Get("data") != "na" || hs.Headers.Get("Host") == "" || hs.Time.IsZero() || hs.Address == "" || len(remote.Rooms()) != 2 {
			t.Fatalf("socket %+v rooms %v", hs, remote.Rooms())
		}
		every, err := srv.FetchSockets(ctx)
		if err != nil || len(every) != 4 {
			t.Fatalf("all: %d %v", len(every), err)
		}
	})
	t.Run("fetchSockets from Node", func(t *testing.T) {
		res := n.Must("fetchSockets", map[string]any{"rooms": []string{"r1"}}).([]any)
		if len(res) != 2 {
			t.Fatalf("node fetched %v", res)
		}
		found := false
		for _, r := range res {
			m := r.(map[string]any)
			if d, _ := m["data"].(map[string]any); d["name"] == "ga" {
				found = true
				q := m["query"].(map[string]any)
				if q["data"] != "ga" || m["hasHeaders"] != true || m["issued"].(float64) <= 0 || len(m["rooms"].([]any)) != 2 {
					t.Fatalf("Go socket seen from Node: %v", m)
				}
			}
		}
		if !found {
			t.Fatalf("Go socket not fetched: %v", res)
		}
	})
	t.Run("socketsJoin and socketsLeave from Go", func(t *testing.T) {
		srv.In("r2").SocketsJoin("j1")
		WaitFor(t, "join", func() bool {
			return len(n.Must("fetchSockets", map[string]any{"rooms": []string{"j1"}}).([]any)) == 2
		})
		n.Must("emit", map[string]any{"event": "j1", "arg": "x", "rooms": []string{"j1"}})
		expect(t, "j1:x", gBr, nBr)
		srv.In("j1").SocketsLeave("j1")
		WaitFor(t, "leave", func() bool {
			return len(n.Must("fetchSockets", map[string]any{"rooms": []string{"j1"}}).([]any)) == 0
		})
	})
	t.Run("socketsJoin and socketsLeave from Node", func(t *testing.T) {
		n.Must("socketsJoin", map[string]any{"rooms": []string{"r1"}, "join": "j2"})
		WaitFor(t, "join", func() bool { s, _ := srv.In("j2").FetchSockets(ctx); return len(s) == 2 })
		srv.To("j2").Emit("j2", "y")
		expect(t, "j2:y", gA, nA)
		n.Must("socketsLeave", map[string]any{"join": "j2"})
		WaitFor(t, "leave", func() bool { s, _ := srv.In("j2").FetchSockets(ctx); return len(s) == 0 })
		quiet(t)
	})
	t.Run("serverSideEmit with acks", func(t *testing.T) {
		if err := srv.ServerSideEmit(ctx, "fire", "from-go"); err != nil {
			t.Fatal(err)
		}
		n.ExpectSSE(t, "fire:from-go")
		replies, err := srv.ServerSideEmitWithAck(ctx, "ping", "g")
		if err != nil || len(replies) != 1 {
			t.Fatalf("replies %v %v", replies, err)
		}
		var s string
		if _ = replies[0].Decode(0, &s); s != "pong-node-g" {
			t.Fatalf("reply %q", s)
		}
		n.ExpectSSE(t, "ping:g")
		n.Must("serverSideEmit", map[string]any{"event": "fire", "arg": "from-node"})
		if got := <-sse; got != "fire:from-node" {
			t.Fatal(got)
		}
		res := n.Must("serverSideEmitWithAck", map[string]any{"event": "ping", "arg": "n"}).([]any)
		if len(res) != 1 || res[0] != "pong-go-n" {
			t.Fatalf("node replies %v", res)
		}
		if got := <-sse; got != "ping:n" {
			t.Fatal(got)
		}
	})
	t.Run("dynamic namespaces", func(t *testing.T) {
		n.Must("connect", map[string]any{"name": "gD", "url": g.URL + "/dyn-1", "query": map[string]any{"room": "d"}})
		n.Must("connect", map[string]any{"name": "nD", "url": n.URL + "/dyn-1", "query": map[string]any{"room": "d"}})
		gD, nD := n.Recorder("gD"), n.Recorder("nD")
		g.WaitServers(t, "/dyn-1", 2)
		waitRoom(t, "/dyn-1", "d", 2)
		srv.Of("/dyn-1").To("d").Emit("d1", "go")
		expect(t, "d1:go", gD, nD)
		n.Must("emit", map[string]any{"nsp": "/dyn-1", "event": "d2", "arg": "node", "rooms": []string{"d"}})
		expect(t, "d2:node", gD, nD)
		socks, err := srv.Of("/dyn-1").FetchSockets(ctx)
		if err != nil || len(socks) != 2 {
			t.Fatalf("%d sockets, %v", len(socks), err)
		}
		quiet(t)
	})
	t.Run("disconnectSockets", func(t *testing.T) {
		srv.In(nB).DisconnectSockets(false)
		nBr.Expect(t, "disconnect:io server disconnect")
		n.Must("disconnectSockets", map[string]any{"rooms": []string{"r1"}})
		expect(t, "disconnect:io server disconnect", gA, nA)
		WaitFor(t, "one socket left", func() bool { s, _ := srv.FetchSockets(ctx); return len(s) == 1 })
	})
}
