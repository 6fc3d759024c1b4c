package redis

import (
	"context"
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter"
)

// twoNodes starts two Go nodes on one key and waits until each sees the
// other.
func twoNodes(t *testing.T, setup func(*socketio.Server)) (*node, *node) {
	key := testKey()
	a := newNode(t, nodeOpts{key: key, setup: setup})
	b := newNode(t, nodeOpts{key: key, setup: setup})
	waitServers(t, a, "/", 2)
	waitServers(t, b, "/", 2)
	return a, b
}

func TestBroadcastAcrossNodes(t *testing.T) {
	a, b := twoNodes(t, nil)
	c1 := connect(t, a, "room=r1")
	c2 := connect(t, b, "room=r1&room=r2")
	c3 := connect(t, b, "room=r3")

	t.Run("all", func(t *testing.T) {
		if err := a.srv.Emit("hello", "all"); err != nil {
			t.Fatal(err)
		}
		c1.rec.expect(t, "hello:all")
		c2.rec.expect(t, "hello:all")
		c3.rec.expect(t, "hello:all")
	})
	t.Run("room", func(t *testing.T) {
		a.srv.To("r1").Emit("room", "r1")
		c1.rec.expect(t, "room:r1")
		c2.rec.expect(t, "room:r1")
		b.srv.To("r3").Emit("room", "r3")
		c3.rec.expect(t, "room:r3")
		c1.rec.none(t, 100*time.Millisecond)
	})
	t.Run("several rooms", func(t *testing.T) {
		a.srv.To("r2", "r3").Emit("rooms", "x")
		c2.rec.expect(t, "rooms:x")
		c3.rec.expect(t, "rooms:x")
		c1.rec.none(t, 100*time.Millisecond)
	})
	t.Run("except", func(t *testing.T) {
		a.srv.Except("r2").Emit("except", "not-r2")
		c1.rec.expect(t, "except:not-r2")
		c3.rec.expect(t, "except:not-r2")
		c2.rec.none(t, 100*time.Millisecond)
	})
	t.Run("socket id room", func(t *testing.T) {
		a.srv.To(c2.s.ID()).Emit("direct", "c2")
		c2.rec.expect(t, "direct:c2")
	})
	t.Run("binary", func(t *testing.T) {
		b.srv.Emit("bin", []byte("bytes"), map[string]any{"n": 1.5, "b": []byte{1}})
		c1.rec.expect(t, "bin:bin:bytes")
		c2.rec.expect(t, "bin:bin:bytes")
		c3.rec.expect(t, "bin:bin:bytes")
	})
	t.Run("local", func(t *testing.T) {
		a.srv.Of("/").Local().Emit("local", "a")
		c1.rec.expect(t, "local:a")
		c2.rec.none(t, 100*time.Millisecond)
	})
	t.Run("from socket", func(t *testing.T) {
		// socket.broadcast excludes the sender across nodes
		s := a.srv.Of("/").Socket(c1.s.ID())
		s.Broadcast().Emit("sb", "x")
		c2.rec.expect(t, "sb:x")
		c1.rec.none(t, 100*time.Millisecond)
	})
}

func TestFetchSocketsAcrossNodes(t *testing.T) {
	a, b := twoNodes(t, nil)
	c1 := connect(t, a, "room=r1&data=one")
	c2 := connect(t, b, "room=r1&data=two")
	_ = connect(t, b, "room=r2")
	ctx := context.Background()

	socks, err := a.srv.Of("/").FetchSockets(ctx)
	if err != nil || len(socks) != 3 {
		t.Fatalf("fetchSockets: %d sockets, %v", len(socks), err)
	}
	socks, err = a.srv.In("r1").FetchSockets(ctx)
	if err != nil || len(socks) != 2 {
		t.Fatalf("fetchSockets r1: %d, %v", len(socks), err)
	}
	var remote *socketio.RemoteSocket
	for _, s := range socks {
		if s.ID() == c2.s.ID() {
			remote = s
		}
	}
	if remote == nil || remote.Local() != nil {
		t.Fatalf("remote socket not found or local: %+v", remote)
	}
	if !slices.Contains(remote.Rooms(), "r1") || !slices.Contains(remote.Rooms(), c2.s.ID()) {
		t.Fatalf("rooms %v", remote.Rooms())
	}
	if d, _ := remote.Data().(map[string]any); d["name"] != "two" {
		t.Fatalf("data %#v", remote.Data())
	}
	hs := remote.Handshake()
	if hs == nil || hs.Query.Get("data") != "two" || hs.Headers.Get("Upgrade") == "" || hs.Time.IsZero() || hs.Address == "" {
		t.Fatalf("handshake %+v", hs)
	}
	// remote socket methods act through the cluster
	remote.Emit("to-remote", "hi")
	c2.rec.expect(t, "to-remote:hi")

	socks, err = b.srv.Except("r1").FetchSockets(ctx)
	if err != nil || len(socks) != 1 {
		t.Fatalf("except: %d, %v", len(socks), err)
	}
	ids, err := a.srv.Of("/").AllSockets(ctx)
	if err != nil || len(ids) != 3 {
		t.Fatalf("allSockets %v %v", ids, err)
	}
	rooms, err := a.srv.Of("/").Adapter().(*Adapter).AllRooms(ctx)
	sort.Strings(rooms)
	if err != nil || !slices.Contains(rooms, "r2") || !slices.Contains(rooms, c1.s.ID()) {
		t.Fatalf("allRooms %v %v", rooms, err)
	}
}

func TestSocketsJoinLeaveDisconnectAcrossNodes(t *testing.T) {
	a, b := twoNodes(t, nil)
	c1 := connect(t, a, "room=r1")
	c2 := connect(t, b, "room=r1")
	c3 := connect(t, b, "room=r2")
	ctx := context.Background()

	a.srv.In("r1").SocketsJoin("joined")
	waitFor(t, func() bool {
		s, _ := b.srv.In("joined").FetchSockets(ctx)
		return len(s) == 2
	})
	b.srv.To("joined").Emit("j", "1")
	c1.rec.expect(t, "j:1")
	c2.rec.expect(t, "j:1")
	c3.rec.none(t, 50*time.Millisecond)

	b.srv.Of("/").SocketsLeave("joined")
	waitFor(t, func() bool {
		s, _ := a.srv.In("joined").FetchSockets(ctx)
		return len(s) == 0
	})

	a.srv.In("r2").DisconnectSockets(true)
	c3.rec.expect(t, "disconnect:io server disconnect")
	b.srv.In(c1.s.ID()).DisconnectSockets(false)
	c1.rec.expect(t, "disconnect:io server disconnect")
	waitFor(t, func() bool {
		s, _ := a.srv.Of("/").FetchSockets(ctx)
		return len(s) == 1
	})
	c2.rec.none(t, 50*time.Millisecond)
}

func TestServerSideEmitWithAck(t *testing.T) {
	setup := func(srv *socketio.Server) {
		srv.OnServerSideEmit("ping", func(e *socketio.ServerEvent) {
			var s string
			e.Decode(0, &s)
			e.Ack("pong-" + s)
		})
		srv.OnServerSideEmit("noack", func(e *socketio.ServerEvent) {})
	}
	key := testKey()
	a := newNode(t, nodeOpts{key: key, setup: setup, opts: Options{RequestsTimeout: 500 * time.Millisecond}})
	got := make(chan string, 10)
	b := newNode(t, nodeOpts{key: key, setup: func(srv *socketio.Server) {
		setup(srv)
		srv.OnServerSideEmit("fire", func(s string) { got <- s })
	}})
	c := newNode(t, nodeOpts{key: key, setup: setup})
	waitServers(t, a, "/", 3)
	waitServers(t, b, "/", 3)
	waitServers(t, c, "/", 3)
	ctx := context.Background()

	if err := a.srv.Of("/").ServerSideEmit(ctx, "fire", "and-forget"); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "and-forget" {
			t.Fatal(s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serverSideEmit not received")
	}

	replies, err := a.srv.Of("/").ServerSideEmitWithAck(ctx, "ping", "a")
	if err != nil || len(replies) != 2 {
		t.Fatalf("replies %v err %v", replies, err)
	}
	for _, r := range replies {
		var s string
		if err := r.Decode(0, &s); err != nil || s != "pong-a" {
			t.Fatalf("reply %q %v", s, err)
		}
	}
	// nobody answers: partial (empty) replies and a timeout error
	start := time.Now()
	replies, err = a.srv.Of("/").ServerSideEmitWithAck(ctx, "noack")
	var te *TimeoutError
	if !errors.As(err, &te) || !errors.Is(err, adapter.ErrTimeout) || len(replies) != 0 || te.Want != 2 {
		t.Fatalf("want timeout, got %v %v", replies, err)
	}
	if d := time.Since(start); d < 400*time.Millisecond || d > 3*time.Second {
		t.Fatalf("timeout after %v", d)
	}
	if n := pendingCount(a); n != 0 {
		t.Fatalf("%d pending requests left", n)
	}
}

func TestBroadcastWithAckAcrossNodes(t *testing.T) {
	a, b := twoNodes(t, nil)
	connect(t, a, "")
	connect(t, b, "")
	connect(t, b, "room=r")
	ctx := context.Background()

	replies, err := a.srv.Timeout(3*time.Second).EmitWithAck(ctx, "q", 1)
	if err != nil || len(replies) != 3 {
		t.Fatalf("replies %d, %v", len(replies), err)
	}
	for _, r := range replies {
		var s string
		if r.Decode(0, &s); s != "ack-q" {
			t.Fatalf("reply %q", s)
		}
	}
	replies, err = b.srv.To("r").Timeout(3*time.Second).EmitWithAck(ctx, "q2", []byte{1, 2})
	if err != nil || len(replies) != 1 {
		t.Fatalf("room replies %d, %v", len(replies), err)
	}
	replies, err = b.srv.Except("r").Timeout(3*time.Second).EmitWithAck(ctx, "q3")
	if err != nil || len(replies) != 2 {
		t.Fatalf("except replies %d, %v", len(replies), err)
	}
}

func TestNamespacesAreSeparate(t *testing.T) {
	a, b := twoNodes(t, nil)
	a.srv.Of("/admin")
	b.srv.Of("/admin")
	waitServers(t, a, "/admin", 2)
	c := connect(t, b, "")
	a.srv.Of("/admin").Emit("admin-only", "x")
	c.rec.none(t, 150*time.Millisecond)
	a.srv.Emit("main", "y")
	c.rec.expect(t, "main:y")
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func pendingCount(n *node) int {
	a := n.srv.Of("/").Adapter().(*Adapter)
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.pending)
}
