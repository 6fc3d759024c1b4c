package socketio

// Robustness checklist, docs/robustness.md section 5, part E (Socket.IO
// packet layer), items 39-50. Every test applies the harness gates: a
// well-behaved client does a round trip before and after the attack, no
// panic is logged, the server's maps return to baseline, and no goroutine
// is left after Server.Close (goleak).

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosio/socketio/internal/testutil"
)

// Item 39: the parser rejection list of robustness.md section 2 (and the
// suite's invalid packets): a decode error, socket.on("error") fires, the
// connection closes, no panic.
func TestRobustParserRejections(t *testing.T) {
	var errs atomic.Int64
	e := newEnv(t, nil, func(io *Server) {
		io.OnConnection(func(s *Socket) { s.OnError(func(error) { errs.Add(1) }) })
	})
	base := e.idle()
	e.roundTrip(t)
	cases := []string{
		`442["some","data"`,
		`0/admin,"invalid"`,
		`0[]`,
		`1/admin,{}`,
		`2/admin,"invalid`,
		`2/admin,{}`,
		`2[{"toString":"foo"}]`,
		`2[true,"foo"]`,
		`2[null,"bar"]`,
		`2["connect"]`,
		`2["disconnect","123"]`,
		`5`,
		`51`,
		`5a-`,
		`51.23-`,
		`999`,
		`abc`,
		`2{}`,
		`2abc["message"]`,
		`2[]`,
		`2`,
		`3`,
		`3[]`,
		`2["message"`,
		`2["message"]]`,
	}
	for _, pkt := range cases {
		t.Run(pkt, func(t *testing.T) {
			c, _ := e.connectWS(t)
			c.send(t, "4"+pkt)
			for _, f := range c.expectClosed(t, 2*time.Second) {
				if strings.Contains(f, "message-back") {
					t.Errorf("handler ran: %q", f)
				}
			}
		})
	}
	waitFor(t, "error handlers", func() bool { return errs.Load() == int64(len(cases)) })
	e.roundTrip(t)
	e.finish(t, base)
}

// Item 40: binary attachments: too many, a huge count, bad placeholders, a
// text message while reconstructing, a binary message with nothing
// pending, too many bytes, attachments never sent.
func TestRobustAttachments(t *testing.T) {
	opts := robustOptions()
	opts.MaxAttachmentBytes = 4096
	var handled atomic.Int64
	e := newEnv(t, opts, func(io *Server) {
		io.OnConnection(func(s *Socket) { s.On("bin", func(e *Event) { handled.Add(1) }) })
	})
	base := e.idle()
	e.roundTrip(t)
	type msg struct {
		text string
		bin  []byte
	}
	b := func(n int) msg { return msg{bin: make([]byte, n)} }
	tx := func(s string) msg { return msg{text: s} }
	ph := func(num string) string { return `{"_placeholder":true,"num":` + num + `}` }
	cases := []struct {
		name string
		msgs []msg
	}{
		{"too many attachments", []msg{tx(`4511-["bin",` + placeholders(11) + `]`)}},
		{"count 1e9", []msg{tx(`451000000000-["bin",` + placeholders(1) + `]`)}},
		{"count overflow", []msg{tx(`4599999999999999999999999-["bin",` + placeholders(1) + `]`)}},
		{"num out of range", []msg{tx(`451-["bin",` + ph("5") + `]`), b(3)}},
		{"num negative", []msg{tx(`451-["bin",` + ph("-1") + `]`), b(3)}},
		{"num not integer", []msg{tx(`451-["bin",` + ph("0.5") + `]`), b(3)}},
		{"num __proto__", []msg{tx(`451-["bin",` + ph(`"__proto__"`) + `]`), b(3)}},
		{"num duplicated", []msg{tx(`452-["bin",` + ph("0") + `,` + ph("0") + `]`), b(3), b(3)}},
		{"text while reconstructing", []msg{tx(`452-["bin",` + placeholders(2) + `]`), b(3), tx(`42["bin"]`)}},
		{"binary with nothing pending", []msg{b(3)}},
		{"binary after a complete packet", []msg{tx(`451-["bin",` + placeholders(1) + `]`), b(3), b(3)}},
		{"attachments over MaxAttachmentBytes", []msg{tx(`452-["bin",` + placeholders(2) + `]`), b(3000), b(3000)}},
	}
	heapBefore := heapInuse()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := e.connectWS(t)
			for _, m := range tc.msgs {
				// The server may close before the last message: write
				// errors are expected.
				if m.bin != nil {
					c.write(testutil.OpBinary, m.bin)
				} else {
					c.write(testutil.OpText, []byte(m.text))
				}
			}
			c.expectClosed(t, 2*time.Second)
		})
	}
	if grow := int64(heapInuse()) - int64(heapBefore); grow > 8<<20 {
		t.Errorf("heap grew by %d bytes", grow)
	}
	// The one complete packet of "binary after a complete packet" is the
	// only one a handler may see.
	if n := handled.Load(); n > 1 {
		t.Errorf("handler ran %d times", n)
	}

	// Attachments declared but never sent: nothing is delivered, and the
	// partial packet is freed when the client goes away.
	t.Run("never sent", func(t *testing.T) {
		before := handled.Load()
		c, _ := e.connectWS(t)
		c.send(t, `452-["bin",`+placeholders(2)+`]`)
		c.sendBinary(t, []byte{1, 2, 3})
		c.expectNothing(t, 100*time.Millisecond)
		c.close()
		e.waitState(t, base)
		if handled.Load() != before {
			t.Error("handler ran for an incomplete packet")
		}
	})
	e.roundTrip(t)
	e.finish(t, base)
}

// Item 41: protocol order violations over HTTP long-polling: the
// connection closes and the close packet reaches the client.
func TestRobustProtocolOrder(t *testing.T) {
	e := newEnv(t, nil)
	base := e.idle()
	e.roundTripPolling(t)
	cases := []struct {
		name    string
		connect bool // connect to "/" first
		send    string
	}{
		{"event before connect", false, `42["message","x"]`},
		{"ack before connect", false, `430[]`},
		{"disconnect before connect", false, `41`},
		{"connect twice", true, `40`},
		{"connect_error from client", false, `44{"message":"x"}`},
		{"connect_error from client while connected", true, `44{"message":"x"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sid := e.openPolling(t)
			if tc.connect {
				e.post(t, sid, "40")
				e.pollUntil(t, sid, `42["auth"`)
			}
			if code, body := e.post(t, sid, tc.send); code != 200 {
				t.Fatalf("post: %d %q", code, body)
			}
			p, all := e.pollUntil(t, sid, "1")
			if p != "1" {
				t.Fatalf("close packet: %q", all)
			}
			if code, _ := e.get(t, sid); code != 400 {
				t.Fatalf("poll after close: %d, want 400", code)
			}
		})
	}
	e.roundTripPolling(t)
	e.roundTrip(t)
	e.finish(t, base)
}

// Item 42: CONNECT to unknown namespaces (odd names included) gets
// CONNECT_ERROR and keeps the connection; 10k dynamic namespaces are
// cleaned up when empty.
func TestRobustUnknownNamespace(t *testing.T) {
	opts := robustOptions()
	opts.CleanupEmptyChildNamespaces = true
	e := newEnv(t, opts, func(io *Server) {
		io.OfFunc(func(name string, _ map[string]any) bool { return strings.HasPrefix(name, "/dyn-") })
		io.OfFunc(func(name string, _ map[string]any) bool { return strings.HasPrefix(name, "/refused-") }).
			Use(func(*Socket) error { return errors.New("no") })
	})
	base := e.idle()
	e.roundTrip(t)
	t.Run("odd names", func(t *testing.T) {
		c := e.openWS(t)
		for _, name := range []string{"/random", "/" + strings.Repeat("a", 64<<10), "/\x00", "/__proto__", "/constructor", "/custom/", "//", "/ü"} {
			c.send(t, "40"+name+",")
			c.expect(t, "44"+name+`,{"message":"Invalid namespace"}`)
			c.send(t, "40"+name) // no trailing comma: same reply
			c.expect(t, "44"+name+`,{"message":"Invalid namespace"}`)
		}
		// The connection is kept for other namespaces.
		c.send(t, "40")
		c.expectPrefix(t, "40{")
		c.expect(t, `42["auth",{}]`)
		if got := e.io.snapshot().Namespaces; got != base.Namespaces {
			t.Errorf("%d namespaces, want %d", got, base.Namespaces)
		}
	})
	t.Run("dynamic namespaces refused by a middleware", func(t *testing.T) {
		c := e.openWS(t)
		for i := 0; i < 200; i++ {
			name := fmt.Sprintf("/refused-%d", i)
			c.send(t, "40"+name+",")
			c.expect(t, "44"+name+`,{"message":"no"}`)
		}
		if got := e.io.snapshot().Namespaces; got != base.Namespaces {
			t.Errorf("%d namespaces, want %d", got, base.Namespaces)
		}
	})
	t.Run("no leading slash", func(t *testing.T) {
		// "random" is read as a (non-JSON) CONNECT payload: parse error.
		c := e.openWS(t)
		c.send(t, "40random")
		c.expectClosed(t, 2*time.Second)
	})
	t.Run("10k dynamic namespaces", func(t *testing.T) {
		n := 10000
		if testing.Short() {
			n = 1000
		}
		c := e.openWS(t)
		// Pipelined in batches, so that pongs are not stuck behind
		// thousands of packets.
		const batch = 250
		for i := 0; i < n; i += batch {
			for j := i; j < i+batch && j < n; j++ {
				c.send(t, fmt.Sprintf("40/dyn-%d,", j))
				c.send(t, fmt.Sprintf("41/dyn-%d,", j))
			}
			for j := i; j < i+batch && j < n; j++ {
				c.expectPrefix(t, fmt.Sprintf("40/dyn-%d,{", j))
			}
		}
		waitFor(t, "dynamic namespaces removed", func() bool { return e.io.snapshot().Namespaces == base.Namespaces })
		c.close()
		e.waitState(t, base)
	})
	e.roundTrip(t)
	e.finish(t, base)
}

// Item 43: no CONNECT within connectTimeout (100 ms here) closes the
// engine connection, over WebSocket and polling.
func TestRobustConnectTimeout(t *testing.T) {
	e := newEnv(t, nil)
	base := e.idle()
	e.roundTrip(t)
	start := time.Now()
	c := e.openWS(t)
	sid := e.openPolling(t)
	c.expectClosed(t, 2*time.Second)
	p, all := e.pollUntil(t, sid, "1")
	if p != "1" {
		t.Fatalf("polling: %q", all)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("closed after %v, want about 100ms", d)
	}
	e.waitState(t, base)
	e.roundTrip(t)
	e.finish(t, base)
}

// Item 44: a CONNECT payload that is not an object closes the connection;
// a middleware error replies CONNECT_ERROR with message and data, joins no
// room, and keeps the connection.
func TestRobustConnectPayload(t *testing.T) {
	e := newEnv(t, nil, func(io *Server) {
		io.Of("/mw").Use(func(s *Socket) error {
			return &ConnectError{Message: "not authorized", Data: map[string]any{"content": "retry later"}}
		})
		io.Of("/mw2").Use(func(s *Socket) error { return errors.New("plain error") })
		io.Of("/mw").OnConnection(func(s *Socket) { panic("connection handler after a refusing middleware") })
	})
	base := e.idle()
	e.roundTrip(t)
	for _, pkt := range []string{`40"s"`, `40[1]`, `40null`, `401`, `40true`, `40/custom,"s"`, `40/custom,[]`, `40{"a":1`} {
		t.Run(pkt, func(t *testing.T) {
			c := e.openWS(t)
			c.send(t, pkt)
			c.expectClosed(t, 2*time.Second)
		})
	}
	t.Run("middleware error", func(t *testing.T) {
		c := e.openWS(t)
		c.send(t, `40/mw,{"token":"x"}`)
		c.expect(t, `44/mw,{"message":"not authorized","data":{"content":"retry later"}}`)
		c.send(t, `40/mw2,`)
		c.expect(t, `44/mw2,{"message":"plain error"}`)
		nsp := e.io.Of("/mw")
		if n := len(nsp.Sockets()); n != 0 {
			t.Errorf("%d sockets in /mw", n)
		}
		if r := nsp.Adapter().Rooms(); len(r) != 0 {
			t.Errorf("rooms joined: %v", r)
		}
		// Refused namespaces are not joined: an event to /mw closes.
		c.send(t, "40")
		c.expectPrefix(t, "40{")
		c.expect(t, `42["auth",{}]`)
		c.send(t, `42["message","still here"]`)
		c.expect(t, `42["message-back","still here"]`)
		c.send(t, `42/mw,["x"]`)
		c.expectClosed(t, 2*time.Second)
	})
	e.roundTrip(t)
	e.finish(t, base)
}

// Item 45: acknowledgements: unknown and duplicate acks are ignored, bad
// ids are parse errors, an ack is sent once, pending acks resolve exactly
// once on disconnect or timeout, and the ack maps end empty.
func TestRobustAcks(t *testing.T) {
	secondAck := make(chan error, 10)
	e := newEnv(t, nil, func(io *Server) {
		io.OnConnection(func(s *Socket) {
			s.On("ack-twice", func(e *Event) {
				e.Ack("one")
				secondAck <- e.Ack("two")
			})
			s.On("typed-ack-twice", func(n int, ack func(int)) {
				ack(n)
				ack(n + 1)
			})
		})
	})
	base := e.idle()
	e.roundTrip(t)

	echo := func(t *testing.T, c *wsConn, s string) {
		t.Helper()
		c.send(t, `42["message","`+s+`"]`)
		c.expect(t, `42["message-back","`+s+`"]`)
	}
	t.Run("unknown id ignored", func(t *testing.T) {
		c, _ := e.connectWS(t)
		c.send(t, `43999[]`)
		c.send(t, `43999["x"]`)
		c.send(t, `461-999[`+placeholders(1)+`]`)
		c.sendBinary(t, []byte{1})
		echo(t, c, "alive")
	})
	t.Run("duplicate ack ignored", func(t *testing.T) {
		c, id := e.connectWS(t)
		s := e.io.Sockets().Socket(id)
		type res struct {
			a   Args
			err error
		}
		got := make(chan res, 2)
		go func() {
			a, err := s.Timeout(2*time.Second).EmitWithAck(context.Background(), "ask")
			got <- res{a, err}
		}()
		msg := c.expectPrefix(t, "42")
		ackID := strings.TrimSuffix(strings.TrimPrefix(msg, "42"), `["ask"]`)
		c.send(t, "43"+ackID+`["first"]`)
		c.send(t, "43"+ackID+`["second"]`)
		r := <-got
		var v string
		if r.err != nil || r.a.Decode(0, &v) != nil || v != "first" {
			t.Fatalf("ack: %v %q", r.err, v)
		}
		echo(t, c, "alive")
		if n := s.pendingAcks(); n != 0 {
			t.Errorf("%d pending acks", n)
		}
		select {
		case r := <-got:
			t.Errorf("second result %v", r)
		default:
		}
	})
	t.Run("id 007 is id 7", func(t *testing.T) {
		// The reference parser reads a run of digits as a number.
		c, _ := e.connectWS(t)
		c.send(t, `42007["message-with-ack","x"]`)
		c.expect(t, `437["x"]`)
	})
	for _, pkt := range []string{`4318446744073709551616[]`, `43-1[]`, `43[]`, `4218446744073709551616["message"]`, `421.5["message"]`} {
		t.Run("bad id "+pkt, func(t *testing.T) {
			c, _ := e.connectWS(t)
			c.send(t, pkt)
			c.expectClosed(t, 2*time.Second)
		})
	}
	t.Run("handler acks twice", func(t *testing.T) {
		c, _ := e.connectWS(t)
		c.send(t, `4212["ack-twice"]`)
		c.expect(t, `4312["one"]`)
		if err := <-secondAck; !errors.Is(err, ErrAlreadyAcked) {
			t.Errorf("second Ack: %v", err)
		}
		c.send(t, `4213["typed-ack-twice",5]`)
		c.expect(t, `4313[5]`)
		echo(t, c, "after") // no second ack in between
	})
	t.Run("disconnect with acks pending", func(t *testing.T) {
		for _, how := range []string{"tcp close", "namespace disconnect", "server disconnect"} {
			c, id := e.connectWS(t)
			s := e.io.Sockets().Socket(id)
			var results atomic.Int64
			errs := make(chan error, 4)
			for i := 0; i < 3; i++ {
				go func() {
					_, err := s.EmitWithAck(context.Background(), "ask")
					results.Add(1)
					errs <- err
				}()
			}
			for i := 0; i < 3; i++ {
				c.expectPrefix(t, "42")
			}
			waitFor(t, "acks registered", func() bool { return s.pendingAcks() == 3 })
			switch how {
			case "tcp close":
				c.close()
			case "namespace disconnect":
				c.send(t, "41")
			case "server disconnect":
				s.Disconnect(false)
			}
			for i := 0; i < 3; i++ {
				if err := <-errs; !errors.Is(err, ErrDisconnected) {
					t.Errorf("%s: EmitWithAck: %v", how, err)
				}
			}
			time.Sleep(20 * time.Millisecond)
			if n := results.Load(); n != 3 {
				t.Errorf("%s: %d results", how, n)
			}
			if n := s.pendingAcks(); n != 0 {
				t.Errorf("%s: %d pending acks", how, n)
			}
			c.close()
		}
	})
	t.Run("broadcast with a silent client", func(t *testing.T) {
		a, ida := e.connectWS(t)
		b, idb := e.connectWS(t)
		e.io.Sockets().Socket(ida).Join("ackroom")
		e.io.Sockets().Socket(idb).Join("ackroom")
		type res struct {
			r   []Args
			err error
		}
		got := make(chan res, 1)
		go func() {
			r, err := e.io.To("ackroom").Timeout(200*time.Millisecond).EmitWithAck(context.Background(), "vote")
			got <- res{r, err}
		}()
		msg := a.expectPrefix(t, "42")
		ackID := strings.TrimSuffix(strings.TrimPrefix(msg, "42"), `["vote"]`)
		a.send(t, "43"+ackID+`["yes"]`)
		b.expectPrefix(t, "42") // b never answers, but stays connected
		bdone := b.drain()
		r := <-got
		var te *AckTimeoutError
		if !errors.As(r.err, &te) || !errors.Is(r.err, ErrTimeout) || te.Expected != 2 || len(te.Responses) != 1 {
			t.Fatalf("EmitWithAck: %v %+v", r.err, te)
		}
		// The silent socket's pending entry is forgotten after the timeout.
		waitFor(t, "ack maps empty", func() bool { return e.io.snapshot().Acks == 0 })
		if e.io.Sockets().Socket(idb) == nil {
			t.Fatal("the silent socket was disconnected")
		}
		b.send(t, "43"+ackID+`["late"]`) // ignored
		a.close()
		b.close()
		<-bdone
	})
	t.Run("broadcast recipient disconnects", func(t *testing.T) {
		a, ida := e.connectWS(t)
		b, idb := e.connectWS(t)
		e.io.Sockets().Socket(ida).Join("ackroom2")
		e.io.Sockets().Socket(idb).Join("ackroom2")
		type res struct {
			r   []Args
			err error
		}
		got := make(chan res, 2)
		go func() {
			r, err := e.io.To("ackroom2").Timeout(300*time.Millisecond).EmitWithAck(context.Background(), "vote")
			got <- res{r, err}
		}()
		a.expectPrefix(t, "42")
		b.expectPrefix(t, "42")
		waitFor(t, "acks registered", func() bool { return e.io.snapshot().Acks == 2 })
		b.send(t, "41") // disconnects with the broadcast's ack pending
		a.close()
		defer b.close()
		r := <-got
		if !errors.Is(r.err, ErrTimeout) {
			t.Fatalf("EmitWithAck: %v", r.err)
		}
		select {
		case r := <-got:
			t.Errorf("second result %v", r)
		case <-time.After(50 * time.Millisecond):
		}
	})
	e.roundTrip(t)
	e.finish(t, base)
}

// Item 46: odd event names: "error", numbers and "__proto__" are ordinary
// events; reserved names are parse errors that close the connection.
func TestRobustEventNames(t *testing.T) {
	e := newEnv(t, nil, func(io *Server) {
		io.OnConnection(func(s *Socket) {
			for _, name := range []string{"error", "42", "__proto__", "constructor", "toString", "1.5"} {
				s.On(name, func(e *Event) { s.Emit("got", e.Name, e.Len()) })
			}
		})
	})
	base := e.idle()
	e.roundTrip(t)
	t.Run("ordinary", func(t *testing.T) {
		c, _ := e.connectWS(t)
		for _, tc := range []struct{ send, want string }{
			{`42["error","x"]`, `42["got","error",1]`},
			{`42["error"]`, `42["got","error",0]`},
			{`42[42,"x"]`, `42["got","42",1]`},
			{`42["__proto__",{}]`, `42["got","__proto__",1]`},
			{`42["constructor"]`, `42["got","constructor",0]`},
			{`42["toString"]`, `42["got","toString",0]`},
		} {
			c.send(t, tc.send)
			c.expect(t, tc.want)
		}
		c.send(t, `42["no-handler"]`) // ignored
		c.send(t, `42["message","alive"]`)
		c.expect(t, `42["message-back","alive"]`)
	})
	for _, name := range []string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"} {
		t.Run("reserved "+name, func(t *testing.T) {
			c, _ := e.connectWS(t)
			c.send(t, `42["`+name+`","x"]`)
			c.expectClosed(t, 2*time.Second)
		})
	}
	e.roundTrip(t)
	e.finish(t, base)
}

// Item 47: a panicking handler is recovered and logged; its connection
// and every other keep working.
func TestRobustHandlerPanic(t *testing.T) {
	e := newEnv(t, nil, func(io *Server) {
		io.OnConnection(func(s *Socket) {
			s.On("boom", func() { panic("x") })
			s.On("boom-ack", func(ack func(string)) { panic("y") })
			s.OnAny(func(e *Event) {
				if e.Name == "boom-any" {
					panic("z")
				}
			})
		})
		io.Of("/boom-connect").OnConnection(func(s *Socket) { panic("in connection handler") })
		io.Of("/boom-mw").Use(func(s *Socket) error { panic("in middleware") })
	})
	e.allowPanics = true
	base := e.idle()
	e.roundTrip(t)
	other, _ := e.connectWS(t)
	c, _ := e.connectWS(t)
	for _, pkt := range []string{`42["boom"]`, `421["boom-ack"]`, `42["boom-any"]`} {
		c.send(t, pkt)
		c.send(t, `42["message","after"]`)
		c.expect(t, `42["message-back","after"]`)
	}
	c.send(t, `40/boom-connect,`)
	c.expectPrefix(t, "40/boom-connect,{")
	c.send(t, `40/boom-mw,`)
	c.send(t, `42["message","after mw"]`)
	c.expect(t, `42["message-back","after mw"]`)
	other.send(t, `42["message","other"]`)
	other.expect(t, `42["message-back","other"]`)
	waitFor(t, "panics logged", func() bool { return len(e.logs.matching("handler panicked")) >= 5 })
	if l := e.logs.matching("http: panic"); len(l) > 0 {
		t.Errorf("net/http saw a panic: %s", l[0])
	}
	c.close()
	other.close()
	e.roundTrip(t)
	e.finish(t, base)
}

// Item 48: deeply nested JSON and a 900 KB string inside the size limit
// are handled (or refused) in bounded time.
func TestRobustLargePayloads(t *testing.T) {
	e := newEnv(t, nil)
	base := e.idle()
	e.roundTrip(t)
	t.Run("nested 100k deep", func(t *testing.T) {
		c, _ := e.connectWS(t)
		start := time.Now()
		c.send(t, `42["message",`+strings.Repeat("[", 100000)+strings.Repeat("]", 100000)+`]`)
		msg, _, err := c.recv(5 * time.Second)
		switch {
		case err == nil && !strings.HasPrefix(msg, `42["message-back",`):
			t.Fatalf("got %q", msg[:min(len(msg), 80)])
		case err != nil:
			c.expectClosed(t, 5*time.Second) // refused: closed
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("900KB string", func(t *testing.T) {
		c, _ := e.connectWS(t)
		big := strings.Repeat("a", 900<<10)
		start := time.Now()
		c.send(t, `42["message","`+big+`"]`)
		msg, _, err := c.recv(5 * time.Second)
		if err != nil || msg != `42["message-back","`+big+`"]` {
			t.Fatalf("echo: %d bytes, %v", len(msg), err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %v", d)
		}
	})
	t.Run("over maxHttpBufferSize", func(t *testing.T) {
		c, _ := e.connectWS(t)
		c.write(testutil.OpText, []byte(`42["message","`+strings.Repeat("a", 1<<20)+`"]`))
		c.expectClosed(t, 2*time.Second)
	})
	e.roundTrip(t)
	e.finish(t, base)
}

// Item 49: connection state recovery is not implemented: a CONNECT with a
// forged pid and offset gets a fresh session, no pid, and nothing of the
// session it names.
func TestRobustRecoveryForged(t *testing.T) {
	var recovered atomic.Int64
	e := newEnv(t, nil, func(io *Server) {
		io.OnConnection(func(s *Socket) {
			if s.Data() != nil {
				recovered.Add(1)
			}
			s.On("join", func(room string) { s.Join(room) })
		})
	})
	base := e.idle()
	e.roundTrip(t)
	victim, vid := e.connectWS(t)
	victim.send(t, `42["join","secret"]`)
	victim.send(t, `42["message","sync"]`)
	victim.expect(t, `42["message-back","sync"]`)
	e.io.Sockets().Socket(vid).SetData("victim data")
	for _, auth := range []string{
		`{"pid":"x","offset":"y"}`,
		`{"pid":"` + vid + `","offset":"MzUPkW0"}`,
		`{"pid":"` + vid + `","offset":"1-1"}`,
		`{"pid":1,"offset":null}`,
		`{"pid":"` + vid + `"}`,
	} {
		c := e.openWS(t)
		c.send(t, "40"+auth)
		msg := c.expectPrefix(t, "40{")
		sid, _ := openSID(msg)
		if sid == vid || sid == "" || strings.Contains(msg, "pid") {
			t.Errorf("CONNECT reply %q for auth %s", msg, auth)
		}
		c.expectPrefix(t, `42["auth",`)
		rooms := e.io.Sockets().Socket(sid).Rooms()
		if len(rooms) != 1 || rooms[0] != sid {
			t.Errorf("rooms %v", rooms)
		}
		e.io.To("secret").Emit("for-victim")
		victim.expect(t, `42["for-victim"]`)
		c.expectNothing(t, 30*time.Millisecond)
		c.close()
	}
	if recovered.Load() != 0 {
		t.Error("a session was recovered")
	}
	victim.close()
	e.roundTrip(t)
	e.finish(t, base)
}

// Item 50: a packet after DISCONNECT, and a DISCONNECT for a namespace
// never joined, close the connection (invalid state) without calling the
// handler.
func TestRobustAfterDisconnect(t *testing.T) {
	var calls atomic.Int64
	reasons := make(chan Reason, 10)
	e := newEnv(t, nil, func(io *Server) {
		io.OnConnection(func(s *Socket) {
			s.On("count", func() { calls.Add(1) })
			s.OnDisconnect(func(r Reason, _ error) { reasons <- r })
		})
	})
	base := e.idle()
	e.roundTrip(t)
	<-reasons // the round trip's socket
	for _, tc := range []struct {
		name, first, then string
	}{
		{"event after disconnect", "41", `42["count"]`},
		{"ack after disconnect", "41", `430[]`},
		{"disconnect twice", "41", `41`},
		{"disconnect of a namespace never joined", `41/custom,`, `42["count"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := e.connectWS(t)
			c.send(t, tc.first)
			c.write(testutil.OpText, []byte(tc.then)) // the server may have closed already
			c.expectClosed(t, 2*time.Second)
			select {
			case r := <-reasons:
				want := ReasonClientNamespaceDisconnect
				if tc.first != "41" {
					want = ReasonForcedServerClose
				}
				if r != want {
					t.Errorf("reason %q, want %q", r, want)
				}
			case <-time.After(2 * time.Second):
				t.Fatal("no disconnect")
			}
		})
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("handler called %d times", n)
	}
	e.roundTrip(t)
	<-reasons
	e.finish(t, base)
}

// Item 42: without cleanup, dynamic namespaces are capped
// (MaxDynamicNamespaces); past the cap a new name is refused like an
// unknown one and the connection stays usable.
func TestRobustDynamicNamespaceCap(t *testing.T) {
	opts := robustOptions()
	opts.MaxDynamicNamespaces = 3
	io := NewServer(opts)
	defer io.Close()
	io.OfFunc(func(name string, _ map[string]any) bool { return strings.HasPrefix(name, "/dyn-") })
	for i := 0; i < 5; i++ {
		if nsp := io.lookupNamespace("/dyn-"+strconv.Itoa(i), nil); nsp != nil {
			nsp.release()
		}
	}
	io.mu.RLock()
	n, dyn := len(io.nsps), io.dynamic
	io.mu.RUnlock()
	if dyn != 3 || n != 4 { // "/" and three children
		t.Fatalf("%d namespaces, %d dynamic", n, dyn)
	}
	nsp := io.lookupNamespace("/dyn-0", nil)
	if nsp == nil {
		t.Fatal("an existing child must still be found")
	}
	nsp.release()
}
