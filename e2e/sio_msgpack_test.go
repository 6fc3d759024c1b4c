package e2e

// The official socket.io-client 4.8.4 with socket.io-msgpack-parser 3.0.2
// (js/sio-client.mjs, "parser": "msgpack") against our server with the
// msgpack parser (parser/msgpack): events, acks, binary at depth (Buffer,
// ArrayBuffer, Uint8Array), numbers and text, broadcasts (to a room, with
// acks), namespaces, a middleware error with data, disconnect reasons;
// polling, WebSocket and the upgrade.

import (
	"bytes"
	"context"
	"reflect"
	"testing"
	"time"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/parser/msgpack"
)

func TestSIOMsgpack(t *testing.T) {
	requireJS(t, "socket.io-client", "socket.io-msgpack-parser")
	for _, mode := range sioModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			sioMsgpack(t, mode)
		})
	}
}

func sioMsgpack(t *testing.T, mode string) {
	conns := make(chan *socketio.Socket, 8)
	discs := make(chan disc, 8)
	echoes := make(chan *socketio.Event, 4)
	opts := sioOptions()
	opts.Parser = msgpack.Parser{}
	ss := startSIO(t, opts, func(io *socketio.Server) {
		on := func(s *socketio.Socket) {
			s.OnAny(func(e *socketio.Event) {
				switch e.Name {
				case "join": // (room)
					var room string
					e.Decode(0, &room)
					s.Join(room)
					e.Ack(room)
				case "shout": // (room, args...): broadcast "shouted" args to the room
					var room string
					e.Decode(0, &room)
					io.Of(s.Namespace().Name()).To(room).Emit("shouted", e.Values()[1:]...)
					e.Ack()
				case "echo":
					echoes <- e
					e.Ack(e.Values()...)
				}
			})
			s.OnDisconnect(func(r socketio.Reason, _ error) { discs <- disc{authName(s), r} })
			conns <- s
		}
		io.OnConnection(on)
		io.Of("/chat").OnConnection(on)
		io.Of("/mw").Use(func(*socketio.Socket) error {
			return &socketio.ConnectError{Message: "not authorized", Data: map[string]any{"content": "retry later"}}
		})
	})
	o := sioClientOptions(mode)
	o["parser"] = "msgpack"
	c := startSIOClient(t, ss, o)

	// namespaces multiplexed on one connection, a second connection
	ca := c.connect("a", "/", "", map[string]any{"name": "a", "token": "abc", "n": 1, "nested": map[string]any{"ok": true}})
	switch mode {
	case modeUpgraded:
		c.expect(match{event: "upgrade", id: "main"}, sioTimeout)
	case modePolling, modeWebSocket:
		if ca.Transport != mode {
			t.Errorf("connected over %s", ca.Transport)
		}
	}
	c.connect("b", "/chat", "", map[string]any{"name": "b"})
	c.connect("c", "/", "c2", map[string]any{"name": "c"})
	socks := collect(t, conns, 3)
	a, b, cs := socks["a"], socks["b"], socks["c"]
	if a == nil || b == nil || cs == nil {
		t.Fatalf("sockets %v", socks)
	}
	if a.Conn() != b.Conn() || a.Conn() == cs.Conn() || b.Namespace().Name() != "/chat" {
		t.Errorf("connections: a %s, b %s on %s, c %s", a.Conn().ID(), b.Conn().ID(), b.Namespace().Name(), cs.Conn().ID())
	}
	want := map[string]any{"name": "a", "token": "abc", "n": float64(1), "nested": map[string]any{"ok": true}}
	if got := a.Handshake().Auth; !reflect.DeepEqual(got, want) {
		t.Errorf("auth %#v, want %#v", got, want)
	}

	// client to server with an ack: binary at the top and nested, of the
	// three kinds the client can send; numbers and text
	c.emitAck("a", "t1", "echo", "text", bin([]byte{1, 2, 3}, "buffer"),
		map[string]any{"nested": bin([]byte{4, 5}, "arraybuffer"), "n": 1}, []any{bin([]byte{6}, "uint8array"), "x"},
		42, 1.5, 9007199254740991, -7, 0.1, nil, true, "é😀\n\"", []any{}, map[string]any{})
	wantAck := `["text",{"$bin":"AQID","type":"Buffer"},{"n":1,"nested":{"$bin":"BAU=","type":"Buffer"}},[{"$bin":"Bg==","type":"Buffer"},"x"],` +
		`42,1.5,9007199254740991,-7,0.1,null,true,"é😀\n\"",[],{}]`
	if got := compactJSON(t, c.ack("a", "t1")); got != wantAck {
		t.Errorf("ack %s\nwant %s", got, wantAck)
	}
	e := recv(t, echoes, "echo")
	var (
		top    []byte
		nested struct {
			Nested []byte `json:"nested"`
			N      int    `json:"n"`
		}
		big  int64
		text string
	)
	e.Decode(1, &top)
	e.Decode(2, &nested)
	e.Decode(6, &big)
	e.Decode(11, &text)
	vals := e.Values()
	if !bytes.Equal(top, []byte{1, 2, 3}) || !bytes.Equal(nested.Nested, []byte{4, 5}) || nested.N != 1 ||
		!reflect.DeepEqual(vals[3], []any{[]byte{6}, "x"}) || big != 9007199254740991 || text != "é😀\n\"" ||
		vals[5] != 1.5 || vals[8] != 0.1 || vals[9] != nil || vals[10] != true {
		t.Errorf("server got %v %+v %d %q %#v", top, nested, big, text, vals)
	}

	// server to client with an ack, binary at depth both ways
	c.do(map[string]any{"cmd": "reply", "id": "a", "event": "question", "echo": true})
	c.expect(match{event: "replySet", id: "a", name: "question"}, sioTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), sioTimeout)
	defer cancel()
	reply, err := a.EmitWithAck(ctx, "question", "why", []byte{1, 2}, map[string]any{"deep": []any{[]byte{3}, 1}})
	if err != nil {
		t.Fatalf("EmitWithAck(question): %v", err)
	}
	var deep struct {
		Deep []any `json:"deep"`
	}
	var qb []byte
	reply.Decode(1, &qb)
	reply.Decode(2, &deep)
	if reply.Len() != 3 || !bytes.Equal(qb, []byte{1, 2}) || len(deep.Deep) != 2 {
		t.Errorf("client answered %v %+v", qb, deep)
	}
	if rv := reply.Values(); !reflect.DeepEqual(rv[2], map[string]any{"deep": []any{[]byte{3}, float64(1)}}) {
		t.Errorf("client answered %#v", rv[2])
	}
	ev := c.expect(match{event: "event", id: "a", name: "question"}, sioTimeout)
	if got, want := compactJSON(t, ev.argsJSON()), `["why",{"$bin":"AQI=","type":"Buffer"},{"deep":[{"$bin":"Aw==","type":"Buffer"},1]}]`; got != want || !ev.HasAck {
		t.Errorf("client got %s (ack %v), want %s", got, ev.HasAck, want)
	}

	// a room broadcast reaches a and c, not b
	c.emitAck("a", "j1", "join", "room")
	c.emitAck("c", "j2", "join", "room")
	c.ack("a", "j1")
	c.ack("c", "j2")
	c.emitAck("a", "s1", "shout", "room", "hi", bin([]byte{9}, "buffer"))
	c.ack("a", "s1")
	for _, id := range []string{"a", "c"} {
		ev := c.expect(match{event: "event", id: id, name: "shouted"}, sioTimeout)
		if ev.argsJSON() != `["hi",{"$bin":"CQ==","type":"Buffer"}]` || ev.HasAck {
			t.Errorf("%s got %s", id, ev.raw)
		}
	}
	c.expectNone(match{event: "event", id: "b", name: "shouted"}, 200*time.Millisecond)

	// a broadcast with acks gathers every reply
	c.reply("a", "poll", "yes-a", bin([]byte{0xa}, "buffer"))
	c.reply("c", "poll", "yes-c", bin([]byte{0xc}, "buffer"))
	replies, err := ss.io.Sockets().EmitWithAck(ctx, "poll", "which?")
	if err != nil || len(replies) != 2 {
		t.Fatalf("broadcast with acks: %d replies, %v", len(replies), err)
	}
	got := map[string]byte{}
	for _, r := range replies {
		var s string
		var b []byte
		r.Decode(0, &s)
		r.Decode(1, &b)
		if len(b) == 1 {
			got[s] = b[0]
		}
	}
	if !reflect.DeepEqual(got, map[string]byte{"yes-a": 0xa, "yes-c": 0xc}) {
		t.Errorf("broadcast replies %v", got)
	}

	// refused namespaces: unknown, and a middleware error with data
	c.socket("x", "/nowhere", "", nil)
	if ev := c.expect(match{event: "connect_error", id: "x"}, sioTimeout); ev.Message != "Invalid namespace" {
		t.Errorf("/nowhere: %s", ev.raw)
	}
	c.socket("m", "/mw", "", nil)
	if ev := c.expect(match{event: "connect_error", id: "m"}, sioTimeout); ev.Message != "not authorized" || compactJSON(t, string(ev.Data)) != `{"content":"retry later"}` {
		t.Errorf("/mw: %s", ev.raw)
	}

	// disconnect reasons: the server's, the client's, the transport's
	b.Disconnect(false)
	if ev := c.expect(match{event: "disconnect", id: "b"}, sioTimeout); ev.Reason != "io server disconnect" {
		t.Errorf("b: client reason %q", ev.Reason)
	}
	if d := recv(t, discs, "disconnect"); d != (disc{"b", socketio.ReasonServerNamespaceDisconnect}) {
		t.Errorf("server: %+v", d)
	}
	c.do(map[string]any{"cmd": "disconnect", "id": "c"})
	if ev := c.expect(match{event: "disconnect", id: "c"}, sioTimeout); ev.Reason != "io client disconnect" {
		t.Errorf("c: client reason %q", ev.Reason)
	}
	if d := recv(t, discs, "disconnect"); d != (disc{"c", socketio.ReasonClientNamespaceDisconnect}) {
		t.Errorf("server: %+v", d)
	}
	c.do(map[string]any{"cmd": "closeConn"})
	// (socket.io-client names its own engine.close() "forced close")
	if ev := c.expect(match{event: "disconnect", id: "a"}, sioTimeout); ev.Reason != "forced close" {
		t.Errorf("a: client reason %q", ev.Reason)
	}
	if d := recv(t, discs, "disconnect"); d != (disc{"a", socketio.ReasonTransportClose}) {
		t.Errorf("server: %+v", d)
	}
}
