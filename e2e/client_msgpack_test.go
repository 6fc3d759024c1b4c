package e2e

// The Go client with the msgpack parser (parser/msgpack) against the
// official socket.io 4.8.4 server with socket.io-msgpack-parser 3.0.2
// (js/sio-server.mjs, "parser": "msgpack"), and against our server with
// the same parser: events, acks, binary at depth, a room broadcast,
// namespaces, a middleware error with data, disconnect reasons, over
// polling, WebSocket and the upgrade.

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/gosio/socketio/client"
	"github.com/gosio/socketio/parser/msgpack"
)

// msgpackClient returns the client options of these tests.
func msgpackClient(transports []string) *client.Options {
	o := fastClient()
	o.Parser = msgpack.Parser{}
	o.Transports = transports
	return o
}

func TestClientMsgpack(t *testing.T) {
	requireJS(t, "socket.io", "socket.io-msgpack-parser")
	transports := map[string][]string{"polling": {"polling"}, "websocket": {"websocket"}, "upgrade": nil}
	scenarios := map[string]func(*testing.T, sioTarget, []string){
		"events":     msgpackEvents,
		"middleware": msgpackMiddleware,
		"reasons":    msgpackReasons,
	}
	for name, run := range scenarios {
		for tname, tr := range transports {
			t.Run(name+"-"+tname, func(t *testing.T) {
				t.Parallel()
				for _, kind := range []string{"node", "go"} {
					t.Run(kind, func(t *testing.T) {
						t.Parallel()
						run(t, startTarget(t, kind, targetOpts{msgpack: true}), tr)
					})
				}
			})
		}
	}
}

// Multiplexed namespaces, auth, events and acks both ways with binary at
// depth, numbers and strings, and a room broadcast.
func msgpackEvents(t *testing.T, tg sioTarget, transports []string) {
	o := msgpackClient(transports)
	o.Auth = map[string]any{"token": "abc", "n": 1, "nested": map[string]any{"ok": true}}
	m, recs := newManager(t, tg, o, "/", "/admin")
	a, b := recs[0].s, recs[1].s
	type question struct {
		q string
		b []byte
	}
	questions := make(chan question, 4)
	a.On("question", func(e *client.Event) {
		var q question
		e.Decode(0, &q.q)
		e.Decode(1, &q.b)
		questions <- q
		e.Ack(q.q+"!", append(bytes.Clone(q.b), 0xff), map[string]any{"inner": q.b, "list": []any{[]byte{7}}})
	})
	connectAll(t, recs...)
	log := tg.log()
	ca := log.expect("connection to /", clientWait, isConnection("/"))
	cb := log.expect("connection to /admin", clientWait, isConnection("/admin"))
	if eng := m.Engine(); eng == nil || ca.Engine != eng.ID() || cb.Engine != eng.ID() {
		t.Errorf("not multiplexed: engines %s, %s", ca.Engine, cb.Engine)
	}
	want := map[string]any{"token": "abc", "n": float64(1), "nested": map[string]any{"ok": true}}
	if !reflect.DeepEqual(ca.Auth, want) || !reflect.DeepEqual(cb.Auth, want) {
		t.Errorf("auth %v and %v, want %v", ca.Auth, cb.Auth, want)
	}

	// client to server, acked with the same arguments: binary at the top
	// and nested (echo checks both sides), on each namespace, over the
	// transport asked for (after the upgrade, if any)
	over := "websocket"
	if len(transports) == 1 {
		over = transports[0]
	} else {
		eng := m.Engine()
		waitUntil(t, clientWait, "upgrade", eng.Upgraded)
	}
	for _, s := range []*client.Socket{a, b} {
		if ev := echo(t, tg, s); ev.Transport != over {
			t.Errorf("event over %s, want %s", ev.Transport, over)
		}
	}

	// numbers and text keep their values
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	reply, err := b.EmitWithAck(ctx, "values", 1.5, int64(9007199254740991), -42, 0.1, "é😀\n\"", nil, true, []any{},
		map[string]any{"deep": map[string]any{"er": []any{[]byte{9}, map[string]any{}}}})
	if err != nil {
		t.Fatalf("EmitWithAck(values): %v", err)
	}
	var (
		f     float64
		big   int64
		neg   int
		tenth float64
		text  string
	)
	for i, v := range []any{&f, &big, &neg, &tenth, &text} {
		if err := reply.Decode(i, v); err != nil {
			t.Fatalf("ack argument %d: %v", i, err)
		}
	}
	if f != 1.5 || big != 9007199254740991 || neg != -42 || tenth != 0.1 || text != "é😀\n\"" {
		t.Errorf("ack values %v %v %v %v %q", f, big, neg, tenth, text)
	}
	vals := reply.Values()
	deep, _ := vals[8].(map[string]any)["deep"].(map[string]any)
	if vals[5] != nil || vals[6] != true || !reflect.DeepEqual(vals[7], []any{}) || deep == nil ||
		!reflect.DeepEqual(deep["er"], []any{[]byte{9}, map[string]any{}}) {
		t.Errorf("ack values %#v", vals[5:])
	}
	ev := log.expect("values event", clientWait, isEvent("/admin", "values"))
	if got, want := compactJSON(t, ev.argsJSON()), `[1.5,9007199254740991,-42,0.1,"é😀\n\"",null,true,[],{"deep":{"er":[{"$bin":"CQ==","type":"Buffer"},{}]}}]`; got != want {
		t.Errorf("server got %s\nwant %s", got, want)
	}

	// server to client with an ack: "ask" makes the server emit
	// "question" with the same arguments and ack "ask" with the answer
	reply, err = a.EmitWithAck(ctx, "ask", "why", []byte{1, 2})
	if err != nil {
		t.Fatalf("EmitWithAck(ask): %v", err)
	}
	if q := recvC(t, questions, "question"); q.q != "why" || !bytes.Equal(q.b, []byte{1, 2}) {
		t.Errorf("question %q %v", q.q, q.b)
	}
	var inner struct {
		Inner []byte `json:"inner"`
		List  []any  `json:"list"`
	}
	var bin []byte
	reply.Decode(0, &text)
	reply.Decode(1, &bin)
	reply.Decode(2, &inner)
	if text != "why!" || !bytes.Equal(bin, []byte{1, 2, 0xff}) || !bytes.Equal(inner.Inner, []byte{1, 2}) || len(inner.List) != 1 {
		t.Errorf("answer relayed by the server: %q %v %+v", text, bin, inner)
	}
	ans := log.expect("answer", clientWait, func(ev srvEvent) bool { return ev.Event == "answer" })
	if want := `["why!",{"$bin":"AQL/","type":"Buffer"},{"inner":{"$bin":"AQI=","type":"Buffer"},"list":[{"$bin":"Bw==","type":"Buffer"}]}]`; ans.Error != "" || compactJSON(t, ans.argsJSON()) != want {
		t.Errorf("server got answer %s, want %s", ans.raw, want)
	}

	// a room broadcast reaches both members, in order, and no one else
	_, recs2 := newManager(t, tg, msgpackClient(transports), "/")
	c := recs2[0].s
	scheds := func(s *client.Socket) chan string {
		ch := make(chan string, 8)
		s.On("sched", func(name string) { ch <- name })
		return ch
	}
	sa, sc := scheds(a), scheds(c)
	connectAll(t, recs2...)
	for _, s := range []*client.Socket{a, c} {
		if r, err := s.EmitWithAck(ctx, "join", "room"); err != nil || r.Len() != 1 {
			t.Fatalf("join: %v", err)
		}
	}
	outsider := scheds(b)
	if _, err := a.EmitWithAck(ctx, "schedule", "room", []string{"x", "y"}, 0); err != nil {
		t.Fatalf("schedule: %v", err)
	}
	for _, ch := range []chan string{sa, sc} {
		if x, y := recvC(t, ch, "sched"), recvC(t, ch, "sched"); x != "x" || y != "y" {
			t.Errorf("broadcast %q, %q", x, y)
		}
	}
	noRecvC(t, outsider, 200*time.Millisecond, "broadcast on /admin")
}

// A middleware error arrives with its data; an unknown namespace is
// refused with the reference's message.
func msgpackMiddleware(t *testing.T, tg sioTarget, transports []string) {
	_, recs := newManager(t, tg, msgpackClient(transports), "/mw", "/nowhere")
	recs[0].s.Connect()
	recs[1].s.Connect()
	var ce *client.ConnectError
	if err := recvC(t, recs[0].connectErrs, "connect error"); !errors.As(err, &ce) || ce.Message != "not authorized" ||
		!reflect.DeepEqual(ce.Data, map[string]any{"content": "retry later"}) {
		t.Errorf("/mw: %#v", err)
	}
	tg.log().expect("refusal", clientWait, func(ev srvEvent) bool { return ev.Event == "refused" })
	if err := recvC(t, recs[1].connectErrs, "connect error"); !errors.As(err, &ce) || ce.Message != "Invalid namespace" || ce.Data != nil {
		t.Errorf("/nowhere: %#v", err)
	}
}

// Disconnect reasons on both sides: the client leaves a namespace, the
// server disconnects a socket, the server goes away.
func msgpackReasons(t *testing.T, tg sioTarget, transports []string) {
	m, recs := newManager(t, tg, msgpackClient(transports), "/", "/admin")
	mr := watchManager(m)
	connectAll(t, recs...)
	a, b := recs[0], recs[1]
	log := tg.log()
	isDisc := func(nsp string) func(srvEvent) bool {
		return func(ev srvEvent) bool { return ev.Event == "disconnect" && ev.Nsp == nsp }
	}

	b.s.Disconnect()
	if r := recvC(t, b.disconnects, "disconnect"); r != "io client disconnect" {
		t.Errorf("client reason %q, want io client disconnect", r)
	}
	if ev := log.expect("disconnect of /admin", clientWait, isDisc("/admin")); ev.Reason != "client namespace disconnect" {
		t.Errorf("server reason %q, want client namespace disconnect", ev.Reason)
	}

	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	c := recs[0].s
	if _, err := c.EmitWithAck(ctx, "kick"); !errors.Is(err, client.ErrDisconnected) {
		t.Errorf("EmitWithAck(kick): %v, want ErrDisconnected", err)
	}
	if r := recvC(t, a.disconnects, "disconnect"); r != "io server disconnect" {
		t.Errorf("client reason %q, want io server disconnect", r)
	}
	if ev := log.expect("disconnect of /", clientWait, isDisc("/")); ev.Reason != "server namespace disconnect" {
		t.Errorf("server reason %q, want server namespace disconnect", ev.Reason)
	}

	// the server goes away: transport close, reconnection, and what was
	// emitted meanwhile arrives (the offline buffer, in this format too)
	_, recs2 := newManager(t, tg, msgpackClient(transports), "/")
	r := recs2[0]
	connectAll(t, r)
	tg.kill()
	if reason := recvC(t, r.disconnects, "disconnect"); reason != "transport close" && reason != "transport error" {
		t.Errorf("disconnect reason %q, want transport close or error", reason)
	}
	if err := r.s.Emit("later", []byte{1}); err != nil {
		t.Fatal(err)
	}
	tg.restart()
	recvC(t, r.connects, "reconnect")
	if ev := log.expect("later", clientWait, isEvent("/", "later")); ev.argsJSON() != `[{"$bin":"AQ==","type":"Buffer"}]` {
		t.Errorf("buffered event %s", ev.raw)
	}
	echo(t, tg, r.s)
	noRecvC(t, mr.attempts, 0, "reconnect attempt of the first manager")
}
