package e2e

// The rest of socket.io-client's API in the Go client, against the
// official socket.io server (and ours): the listener API (Off of one
// listener, Listeners, ListenersAny, PrependAnyOutgoing, Send, Compress),
// and the errors with the reference's messages and the Go cause behind
// them.

import (
	"context"
	"errors"
	"net"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/client"
	eioclient "github.com/gosio/socketio/engineio/client"
)

var apiScenarios = []clientScenario{
	{"listeners", targetOpts{}, scenarioListeners},
	{"outgoing-listeners", targetOpts{}, scenarioOutgoingListeners},
	{"send-compress", targetOpts{}, scenarioSendCompress},
	{"error-http-refusal", targetOpts{transports: []string{"websocket"}}, scenarioErrorRefusal},
	{"error-connect-timeout", targetOpts{pausable: true}, scenarioErrorConnectTimeout},
}

func TestClientAPI(t *testing.T) {
	for _, sc := range apiScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, kind := range []string{"node", "go"} {
				t.Run(kind, func(t *testing.T) {
					t.Parallel()
					sc.run(t, startTarget(t, kind, sc.opts))
				})
			}
		})
	}
}

// calls records which listener saw which item.
type calls struct {
	mu  sync.Mutex
	got []string
}

func (c *calls) add(s string) {
	c.mu.Lock()
	c.got = append(c.got, s)
	c.mu.Unlock()
}

func (c *calls) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	g := c.got
	c.got = nil
	return g
}

// burstAndSync makes the server emit n "item" events, then waits until a
// "hello" sent after them comes back: every item has been handled.
func burstAndSync(t *testing.T, s *client.Socket, n int) {
	t.Helper()
	back := make(chan struct{}, 1)
	s.Once("hello", func() { back <- struct{}{} })
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	if _, err := s.EmitWithAck(ctx, "burst", n); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EmitWithAck(ctx, "hello"); err != nil {
		t.Fatal(err)
	}
	recvC(t, back, "hello back")
}

// Off(event, fn) removes the first listener registered with fn, as
// component-emitter's off does; Listeners and ListenersAny list what is
// left, in call order.
func scenarioListeners(t *testing.T, tg sioTarget) {
	_, recs := newManager(t, tg, fastClient(), "/")
	s := recs[0].s
	var c calls
	a := func(i int) { c.add("a") }
	b := func(i int) { c.add("b") }
	once := func(i int) { c.add("once") }
	s.On("item", a)
	s.On("item", b)
	s.On("item", a)
	s.Once("item", once)
	anyA := func(e *client.Event) { c.add("anyA") }
	anyB := func(e *client.Event) {
		if e.Name == "item" {
			c.add("anyB")
		}
	}
	s.OnAny(anyA)
	s.PrependAny(anyB)
	connectAll(t, recs...)

	if n := len(s.Listeners("item")); n != 4 {
		t.Fatalf("%d listeners, want 4", n)
	}
	s.Off("item", a)    // the first a
	s.Off("item", once) // a once listener, by the func given to Once
	s.OffAny(anyA)
	ls := s.Listeners("item")
	if len(ls) != 2 || reflect.ValueOf(ls[0]).Pointer() != reflect.ValueOf(b).Pointer() {
		t.Fatalf("listeners after Off: %d", len(ls))
	}
	if la := s.ListenersAny(); len(la) != 1 {
		t.Fatalf("%d catch-all listeners, want 1", len(la))
	}
	burstAndSync(t, s, 1)
	if got := c.take(); !reflect.DeepEqual(got, []string{"anyB", "b", "a"}) {
		t.Errorf("calls %v, want [anyB b a]", got)
	}
	// A closure made again by the same literal is another listener.
	mk := func() func(int) { return func(int) { c.add("made") } }
	s.On("item", mk())
	s.Off("item", mk())
	s.Off("item", b, a)
	if !s.HasListeners("item") {
		t.Fatal("the made listener was removed by another closure of its literal")
	}
	burstAndSync(t, s, 1)
	if got := c.take(); !reflect.DeepEqual(got, []string{"anyB", "made"}) {
		t.Errorf("calls %v, want [anyB made]", got)
	}
	s.Off("item")
	s.OffAny()
	burstAndSync(t, s, 1)
	if got := c.take(); len(got) != 0 || s.HasListeners("item") {
		t.Errorf("calls after Off(item), OffAny(): %v", got)
	}
}

// Outgoing listeners: PrependAnyOutgoing runs first; a packet emitted
// while disconnected is reported when it leaves, on connection, as
// socket.io-client does.
func scenarioOutgoingListeners(t *testing.T, tg sioTarget) {
	_, recs := newManager(t, tg, fastClient(), "/")
	s := recs[0].s
	out := make(chan string, 16)
	first := func(event string, args []any) { out <- "first " + event }
	second := func(event string, args []any) { out <- "second " + event }
	s.OnAnyOutgoing(second)
	s.PrependAnyOutgoing(first)
	if n := len(s.ListenersAnyOutgoing()); n != 2 {
		t.Fatalf("%d outgoing listeners", n)
	}
	if err := s.Emit("seq", 1); err != nil {
		t.Fatal(err)
	}
	noRecvC(t, out, 100*time.Millisecond, "outgoing call for a buffered emit")
	connectAll(t, recs...)
	if a, b := recvC(t, out, "first"), recvC(t, out, "second"); a != "first seq" || b != "second seq" {
		t.Errorf("outgoing calls %q, %q", a, b)
	}
	tg.log().expect("seq", clientWait, isEvent("/", "seq"))
	s.OffAnyOutgoing(first)
	s.Emit("seq", 2)
	if got := recvC(t, out, "outgoing"); got != "second seq" {
		t.Errorf("outgoing call %q after OffAnyOutgoing(first)", got)
	}
	noRecvC(t, out, 50*time.Millisecond, "removed outgoing listener")
}

// Send emits "message"; Compress(false) emits as usual (the flag only
// matters where compression was negotiated, and neither client nor the
// servers' defaults negotiate it).
func scenarioSendCompress(t *testing.T, tg sioTarget) {
	_, recs := newManager(t, tg, fastClient(), "/")
	s := recs[0].s
	connectAll(t, recs...)
	if err := s.Send("hi", 1); err != nil {
		t.Fatal(err)
	}
	if ev := tg.log().expect("message", clientWait, isEvent("/", "message")); ev.argsJSON() != `["hi",1]` {
		t.Errorf("message %s", ev.raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	reply, err := s.Compress(false).EmitWithAck(ctx, "echo", "plain")
	var got string
	if err != nil || reply.Decode(0, &got) != nil || got != "plain" {
		t.Fatalf("Compress(false).EmitWithAck: %v %q", err, got)
	}
	if err := s.Compress(false).Volatile().Send("v"); err != nil {
		t.Fatal(err)
	}
	tg.log().expect("volatile message", clientWait, isEvent("/", "message"))
}

// The server answers polling with an HTTP error: connect_error is a
// TransportError "xhr poll error" with the status (socket.io-client's
// message and description) and the server's error body.
func scenarioErrorRefusal(t *testing.T, tg sioTarget) {
	o := fastClient()
	o.Transports = []string{"polling"}
	o.NoReconnection = true
	m, recs := newManager(t, tg, o, "/")
	mgrErrs := make(chan error, 4)
	m.OnError(func(err error) { mgrErrs <- err })
	recs[0].s.Connect()
	err := recvC(t, recs[0].connectErrs, "connect error")
	var te *client.TransportError
	var he *eioclient.HandshakeError
	if !errors.As(err, &te) || te.Message != "xhr poll error" || te.Status != 400 ||
		!errors.As(err, &he) || he.Message != "Transport unknown" {
		t.Errorf("connect error %T %v, want xhr poll error with status 400 and Transport unknown", err, err)
	}
	if me := recvC(t, mgrErrs, "manager error"); me != err {
		t.Errorf("manager error %v, socket %v", me, err)
	}
	js := startJSRetryClient(t, tg.url(), map[string]any{"transports": []string{"polling"}, "reconnection": false})
	if ref := recvC(t, js.errCh, "socket.io-client's connect_error"); te == nil || ref.Message != te.Message || ref.Description != "400" {
		t.Errorf("socket.io-client: %+v; Go: %v", ref, err)
	}
	// The same server on WebSocket connects.
	o2 := fastClient()
	o2.Transports = []string{"websocket"}
	_, recs2 := newManager(t, tg, o2, "/")
	connectAll(t, recs2...)
}

// TestClientErrorsNetwork: a server that is not there. Over polling the
// error is "xhr poll error", over WebSocket "websocket error", as
// socket.io-client reports against the same closed port; errors.As
// reaches the *net.OpError of the dial.
func TestClientErrorsNetwork(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ln.Close()
	for _, tr := range []string{"polling", "websocket"} {
		t.Run(tr, func(t *testing.T) {
			js := startJSRetryClient(t, base, map[string]any{"transports": []string{tr}, "reconnection": false})
			ref := recvC(t, js.errCh, "socket.io-client's connect_error")
			o := fastClient()
			o.Transports = []string{tr}
			o.NoReconnection = true
			ctx, cancel := context.WithTimeout(context.Background(), clientWait)
			defer cancel()
			_, err := client.Connect(ctx, base+"/", o)
			var te *client.TransportError
			var oe *net.OpError
			if !errors.As(err, &te) || te.Message != ref.Message || !errors.As(err, &oe) || oe.Op != "dial" {
				t.Fatalf("error %T %v, want %q (socket.io-client's) around a dial *net.OpError", err, err, ref.Message)
			}
		})
	}
}

// A server that accepts and never answers: "timeout", as socket.io-client
// reports, wrapping what the attempt was doing (a polling request cut by
// the deadline).
func scenarioErrorConnectTimeout(t *testing.T, tg sioTarget) {
	var resumed sync.Once
	resume := func() { resumed.Do(tg.resume) }
	t.Cleanup(resume)
	tg.pause()
	js := startJSRetryClient(t, tg.url(), map[string]any{"transports": []string{"polling"}, "reconnection": false, "timeout": 300})
	ref := recvC(t, js.errCh, "socket.io-client's connect_error")
	o := fastClient()
	o.Transports = []string{"polling"}
	o.NoReconnection = true
	o.Timeout = 300 * time.Millisecond
	_, err := client.Connect(context.Background(), tg.url()+"/", o)
	var te *client.TransportError
	if !errors.Is(err, client.ErrConnectTimeout) || err.Error() != ref.Message || !errors.As(err, &te) ||
		te.Message != "xhr poll error" || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want %q (socket.io-client's) around the request cut by the deadline", err, ref.Message)
	}
}
