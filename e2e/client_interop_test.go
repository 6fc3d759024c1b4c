package e2e

// Interop tests of the Go client (package client) against the official npm
// socket.io server (version pinned in package.json, run by
// js/sio-server.mjs) and against our own socketio server with the same
// behaviour (client_harness_test.go). Every scenario runs on both, as the
// subtests "node" and "go".

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosio/socketio/client"
)

// clientWait bounds each wait of the client tests for one event.
const clientWait = 5 * time.Second

// fastClient are the client options of the tests: quick reconnection, a
// short connection timeout.
func fastClient() *client.Options {
	return &client.Options{
		ReconnectionDelay:    50 * time.Millisecond,
		ReconnectionDelayMax: 200 * time.Millisecond,
		Timeout:              2 * time.Second,
	}
}

// sockRec records what a client socket reports.
type sockRec struct {
	s           *client.Socket
	connects    chan string // the socket id
	connectErrs chan error
	disconnects chan string // the reason
}

func watch(s *client.Socket) *sockRec {
	r := &sockRec{s: s, connects: make(chan string, 16), connectErrs: make(chan error, 16), disconnects: make(chan string, 16)}
	s.OnConnect(func() { r.connects <- s.ID() })
	s.OnConnectError(func(err error) { r.connectErrs <- err })
	s.OnDisconnect(func(reason client.Reason, _ error) { r.disconnects <- string(reason) })
	return r
}

// mgrRec records what a Manager reports.
type mgrRec struct {
	attempts   chan int
	reconnects chan int
	recErrs    chan error
	failed     chan struct{}
}

func watchManager(m *client.Manager) *mgrRec {
	r := &mgrRec{attempts: make(chan int, 64), reconnects: make(chan int, 16), recErrs: make(chan error, 64), failed: make(chan struct{}, 4)}
	m.OnReconnectAttempt(func(n int) { r.attempts <- n })
	m.OnReconnect(func(n int) { r.reconnects <- n })
	m.OnReconnectError(func(err error) { r.recErrs <- err })
	m.OnReconnectFailed(func() { r.failed <- struct{}{} })
	return r
}

// newManager returns a Manager for tg, closed with its sockets at test end.
func newManager(t *testing.T, tg sioTarget, o *client.Options, nsps ...string) (*client.Manager, []*sockRec) {
	t.Helper()
	m := client.NewManager(tg.url(), o)
	recs := make([]*sockRec, len(nsps))
	for i, nsp := range nsps {
		recs[i] = watch(m.Socket(nsp, nil))
	}
	t.Cleanup(func() {
		for _, r := range recs {
			r.s.Disconnect()
		}
		m.Close()
	})
	return m, recs
}

// connectAll connects the sockets and waits for them all.
func connectAll(t *testing.T, recs ...*sockRec) {
	t.Helper()
	for _, r := range recs {
		r.s.Connect()
	}
	for _, r := range recs {
		select {
		case <-r.connects:
		case err := <-r.connectErrs:
			t.Fatalf("socket %s: connect error %v", r.s.Namespace(), err)
		case <-time.After(clientWait):
			t.Fatalf("socket %s: not connected within %v", r.s.Namespace(), clientWait)
		}
	}
}

func recvC[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(clientWait):
		t.Fatalf("client: no %s within %v", what, clientWait)
	}
	var zero T
	return zero
}

func noRecvC[T any](t *testing.T, ch <-chan T, d time.Duration, what string) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("client: unexpected %s: %v", what, v)
	case <-time.After(d):
	}
}

// echo emits "echo" with binary arguments, at top level and nested, asks
// for the ack (the server acks with the same arguments) and checks both
// the ack and what the server logged. It returns the server's event.
func echo(t *testing.T, tg sioTarget, s *client.Socket) srvEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	type nested struct {
		Nested []byte `json:"nested"`
		N      int    `json:"n"`
	}
	reply, err := s.EmitWithAck(ctx, "echo", "text", []byte{1, 2, 3},
		map[string]any{"nested": []byte{4, 5}, "n": 1}, []any{[]byte{6}, "x"}, 42)
	if err != nil {
		t.Fatalf("EmitWithAck(echo): %v", err)
	}
	var (
		str  string
		bin  []byte
		nest nested
		arr  any // []any: binary as []byte
		num  int
	)
	if reply.Len() != 5 {
		t.Fatalf("ack has %d arguments, want 5", reply.Len())
	}
	for i, v := range []any{&str, &bin, &nest, &arr, &num} {
		if err := reply.Decode(i, v); err != nil {
			t.Fatalf("ack argument %d: %v", i, err)
		}
	}
	if str != "text" || !bytes.Equal(bin, []byte{1, 2, 3}) || !bytes.Equal(nest.Nested, []byte{4, 5}) || nest.N != 1 ||
		!reflect.DeepEqual(arr, []any{[]byte{6}, "x"}) || num != 42 {
		t.Fatalf("ack %q %v %+v %#v %d", str, bin, nest, arr, num)
	}
	ev := tg.log().expect("echo event", clientWait, isEvent(s.Namespace(), "echo"))
	want := `["text",{"$bin":"AQID","type":"Buffer"},{"n":1,"nested":{"$bin":"BAU=","type":"Buffer"}},[{"$bin":"Bg==","type":"Buffer"},"x"],42]`
	if got := compactJSON(t, ev.argsJSON()); got != want || !ev.HasAck || ev.ID != s.ID() {
		t.Fatalf("server got %s (hasAck %v, id %s), want %s (id %s)", got, ev.HasAck, ev.ID, want, s.ID())
	}
	return ev
}

type clientScenario struct {
	name string
	opts targetOpts
	run  func(t *testing.T, tg sioTarget)
}

var clientScenarios = []clientScenario{
	{"multiplex", targetOpts{}, scenarioMultiplex},
	{"auth", targetOpts{}, scenarioAuth},
	{"middleware", targetOpts{}, scenarioMiddleware},
	{"binary-acks", targetOpts{}, scenarioBinaryAcks},
	{"server-disconnect", targetOpts{}, scenarioServerDisconnect},
	{"emit-before-connect", targetOpts{}, scenarioEmitBeforeConnect},
	{"polling-large-burst", targetOpts{}, scenarioLargeBurst},
	{"upgrade-under-load", targetOpts{}, scenarioUpgradeUnderLoad},
	{"polling-only", targetOpts{}, scenarioTransport([]string{"polling"}, "polling", false)},
	{"websocket-only", targetOpts{}, scenarioTransport([]string{"websocket"}, "websocket", false)},
	{"upgrade", targetOpts{}, scenarioTransport(nil, "websocket", true)},
	{"server-polling-only", targetOpts{transports: []string{"polling"}}, scenarioTransport(nil, "polling", false)},
	{"reconnect-restart", targetOpts{}, scenarioReconnectRestart(nil)},
	{"reconnect-restart-polling", targetOpts{}, scenarioReconnectRestart([]string{"polling"})},
	{"reconnect-restart-websocket", targetOpts{}, scenarioReconnectRestart([]string{"websocket"})},
	{"reconnect-failed", targetOpts{}, scenarioReconnectFailed},
	{"connect-timeout", targetOpts{pausable: true}, scenarioConnectTimeout},
	{"ping-timeout", heartbeat, scenarioPingTimeout(nil)},
	{"ping-timeout-polling", heartbeat, scenarioPingTimeout([]string{"polling"})},
	{"ping-timeout-websocket", heartbeat, scenarioPingTimeout([]string{"websocket"})},
}

// heartbeat are the server options of the ping timeout tests: the client
// gives up pingInterval+pingTimeout = 600ms after the last ping.
var heartbeat = targetOpts{pingInterval: 300 * time.Millisecond, pingTimeout: 300 * time.Millisecond, pausable: true}

// TestClientInterop runs every scenario against the node server and the
// go server.
func TestClientInterop(t *testing.T) {
	for _, sc := range clientScenarios {
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

// Two namespaces over one Manager share one Engine.IO connection.
func scenarioMultiplex(t *testing.T, tg sioTarget) {
	o := fastClient()
	o.Auth = map[string]any{"token": "abc"}
	m, recs := newManager(t, tg, o, "/", "/admin")
	connectAll(t, recs...)
	a, b := recs[0].s, recs[1].s
	log := tg.log()
	ca := log.expect("connection to /", clientWait, isConnection("/"))
	cb := log.expect("connection to /admin", clientWait, isConnection("/admin"))
	eng := m.Engine()
	if eng == nil {
		t.Fatal("no engine")
	}
	if ca.Engine != cb.Engine || ca.Engine != eng.ID() {
		t.Errorf("engine ids: server %s and %s, client %s; want one", ca.Engine, cb.Engine, eng.ID())
	}
	if cb.Clients != 1 {
		t.Errorf("server has %d Engine.IO clients, want 1", cb.Clients)
	}
	if ca.ID != a.ID() || cb.ID != b.ID() || a.ID() == b.ID() || a.ID() == eng.ID() {
		t.Errorf("socket ids: server %s, %s; client %s, %s; engine %s", ca.ID, cb.ID, a.ID(), b.ID(), eng.ID())
	}
	for _, ev := range []srvEvent{ca, cb} {
		if fmt.Sprint(ev.Auth) != "map[token:abc]" {
			t.Errorf("auth of %s: %v", ev.Nsp, ev.Auth)
		}
	}
	// Events are routed per namespace.
	if err := b.Emit("hello", "admin"); err != nil {
		t.Fatal(err)
	}
	if err := a.Emit("hello", "main"); err != nil {
		t.Fatal(err)
	}
	if ev := log.expect("hello on /admin", clientWait, isEvent("/admin", "hello")); ev.argsJSON() != `["admin"]` || ev.ID != b.ID() {
		t.Errorf("/admin got %s", ev.raw)
	}
	if ev := log.expect("hello on /", clientWait, isEvent("/", "hello")); ev.argsJSON() != `["main"]` || ev.ID != a.ID() {
		t.Errorf("/ got %s", ev.raw)
	}
	// Leaving one namespace keeps the connection.
	b.Disconnect()
	log.expect("disconnect of /admin", clientWait, func(ev srvEvent) bool { return ev.Event == "disconnect" && ev.Nsp == "/admin" })
	if m.Engine() != eng || !a.Connected() {
		t.Errorf("connection lost with the last but one socket")
	}
	echo(t, tg, a)
	// The last one closes it.
	a.Disconnect()
	if ev := log.expect("disconnect of /", clientWait, func(ev srvEvent) bool { return ev.Event == "disconnect" && ev.Nsp == "/" }); ev.Reason != "client namespace disconnect" {
		t.Errorf("server: disconnect reason %q, want client namespace disconnect", ev.Reason)
	}
	if m.Engine() != nil {
		t.Errorf("engine still open after the last socket left")
	}
}

// The auth payload (Auth, or AuthFunc's result) reaches the server's
// handshake; none gives an empty object.
func scenarioAuth(t *testing.T, tg sioTarget) {
	o := fastClient()
	var calls atomic.Int32
	o.AuthFunc = func() map[string]any {
		calls.Add(1)
		return map[string]any{"token": "t-1", "n": 1, "nested": map[string]any{"ok": true}}
	}
	_, recs := newManager(t, tg, o, "/admin")
	connectAll(t, recs...)
	ev := tg.log().expect("connection", clientWait, isConnection("/admin"))
	want := map[string]any{"token": "t-1", "n": float64(1), "nested": map[string]any{"ok": true}}
	if !reflect.DeepEqual(ev.Auth, want) {
		t.Errorf("auth %#v, want %#v", ev.Auth, want)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("AuthFunc called %d times, want 1", n)
	}
	_, recs2 := newManager(t, tg, fastClient(), "/")
	connectAll(t, recs2...)
	if ev := tg.log().expect("connection", clientWait, isConnection("/")); len(ev.Auth) != 0 {
		t.Errorf("auth without Options.Auth: %#v, want empty", ev.Auth)
	}
}

// A middleware error arrives as *client.ConnectError with its message and
// data, and the socket does not retry.
func scenarioMiddleware(t *testing.T, tg sioTarget) {
	m, recs := newManager(t, tg, fastClient(), "/mw")
	mr := watchManager(m)
	r := recs[0]
	r.s.Connect()
	var err error
	select {
	case err = <-r.connectErrs:
	case id := <-r.connects:
		t.Fatalf("connected to /mw as %s", id)
	case <-time.After(clientWait):
		t.Fatal("no connect error")
	}
	var ce *client.ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("error %T %v, want *client.ConnectError", err, err)
	}
	if ce.Message != "not authorized" || !reflect.DeepEqual(ce.Data, map[string]any{"content": "retry later"}) {
		t.Fatalf("ConnectError{Message: %q, Data: %#v}", ce.Message, ce.Data)
	}
	tg.log().expect("refusal", clientWait, func(ev srvEvent) bool { return ev.Event == "refused" })
	if r.s.Active() || r.s.Connected() {
		t.Errorf("socket active %v, connected %v after the refusal", r.s.Active(), r.s.Connected())
	}
	tg.log().expectNone("second attempt", 400*time.Millisecond, func(ev srvEvent) bool { return ev.Event == "refused" })
	noRecvC(t, mr.attempts, 0, "reconnect attempt")

	// An unknown namespace is refused too, with the reference's message.
	_, recs2 := newManager(t, tg, fastClient(), "/nowhere")
	recs2[0].s.Connect()
	if err := recvC(t, recs2[0].connectErrs, "connect error"); !errors.As(err, &ce) || ce.Message != "Invalid namespace" {
		t.Errorf("unknown namespace: %v, want ConnectError Invalid namespace", err)
	}

	// Connect, the convenience function, returns the same error.
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	s, err := client.Connect(ctx, tg.url()+"/mw", fastClient())
	if s != nil {
		s.Disconnect()
	}
	if !errors.As(err, &ce) || ce.Message != "not authorized" {
		t.Fatalf("Connect: %v", err)
	}
}

// Emit and ack both ways, with binary at top level and nested.
func scenarioBinaryAcks(t *testing.T, tg sioTarget) {
	_, recs := newManager(t, tg, fastClient(), "/")
	s := recs[0].s
	type question struct {
		q string
		b []byte
	}
	questions := make(chan question, 4)
	s.On("question", func(e *client.Event) {
		var q question
		e.Decode(0, &q.q)
		e.Decode(1, &q.b)
		questions <- q
		e.Ack(q.q+"!", append(bytes.Clone(q.b), 0xff), map[string]any{"inner": q.b, "list": []any{[]byte{7}}})
	})
	connectAll(t, recs...)
	echo(t, tg, s)

	// Server to client: "ask" makes the server emit "question" with the
	// same arguments, asking for an ack; the server acks "ask" with the
	// client's answer.
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	reply, err := s.EmitWithAck(ctx, "ask", "why", []byte{1, 2})
	if err != nil {
		t.Fatalf("EmitWithAck(ask): %v", err)
	}
	if q := recvC(t, questions, "question"); q.q != "why" || !bytes.Equal(q.b, []byte{1, 2}) {
		t.Errorf("question %q %v", q.q, q.b)
	}
	var (
		str   string
		bin   []byte
		inner struct {
			Inner []byte `json:"inner"`
			List  []any  `json:"list"`
		}
	)
	reply.Decode(0, &str)
	reply.Decode(1, &bin)
	reply.Decode(2, &inner)
	if str != "why!" || !bytes.Equal(bin, []byte{1, 2, 0xff}) || !bytes.Equal(inner.Inner, []byte{1, 2}) || len(inner.List) != 1 {
		t.Errorf("answer relayed by the server: %q %v %+v", str, bin, inner)
	}
	ev := tg.log().expect("answer", clientWait, func(ev srvEvent) bool { return ev.Event == "answer" })
	want := `["why!",{"$bin":"AQL/","type":"Buffer"},{"inner":{"$bin":"AQI=","type":"Buffer"},"list":[{"$bin":"Bw==","type":"Buffer"}]}]`
	if ev.Error != "" || compactJSON(t, ev.argsJSON()) != want {
		t.Errorf("server got answer %s, want %s", ev.raw, want)
	}
}

// A server-side disconnect gives "io server disconnect" and no
// reconnection.
func scenarioServerDisconnect(t *testing.T, tg sioTarget) {
	m, recs := newManager(t, tg, fastClient(), "/")
	mr := watchManager(m)
	r := recs[0]
	connectAll(t, r)
	tg.log().expect("connection", clientWait, isConnection("/"))
	// The pending ack fails with the disconnect.
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	if _, err := r.s.EmitWithAck(ctx, "kick"); !errors.Is(err, client.ErrDisconnected) {
		t.Errorf("EmitWithAck(kick): %v, want ErrDisconnected", err)
	}
	if reason := recvC(t, r.disconnects, "disconnect"); reason != "io server disconnect" {
		t.Fatalf("disconnect reason %q, want io server disconnect", reason)
	}
	if ev := tg.log().expect("disconnect", clientWait, func(ev srvEvent) bool { return ev.Event == "disconnect" }); ev.Reason != "server namespace disconnect" {
		t.Errorf("server disconnect reason %q", ev.Reason)
	}
	tg.log().expectNone("reconnection", 500*time.Millisecond, isConnection("/"))
	noRecvC(t, mr.attempts, 0, "reconnect attempt")
	noRecvC(t, r.connects, 0, "connect")
	if r.s.Active() || r.s.Connected() {
		t.Errorf("socket active %v, connected %v", r.s.Active(), r.s.Connected())
	}
	// The socket was the Manager's only one: the connection is closed.
	if m.Engine() != nil {
		t.Errorf("engine still open")
	}
}

// scenarioTransport connects with the client transports and checks the
// transport both sides end up on.
func scenarioTransport(transports []string, want string, upgraded bool) func(*testing.T, sioTarget) {
	return func(t *testing.T, tg sioTarget) {
		o := fastClient()
		o.Transports = transports
		m, recs := newManager(t, tg, o, "/")
		connectAll(t, recs...)
		s := recs[0].s
		first := "polling"
		if len(transports) > 0 {
			first = transports[0]
		}
		// With an upgrade, the probe runs alongside the CONNECT: the server
		// may see either transport at connection time.
		if ev := tg.log().expect("connection", clientWait, isConnection("/")); ev.Transport != first && !upgraded {
			t.Errorf("server: connected over %s, want %s", ev.Transport, first)
		}
		eng := m.Engine()
		if upgraded {
			waitUntil(t, clientWait, "upgrade", func() bool { return eng.Upgraded() })
		} else {
			// Leave time for an upgrade that should not happen.
			time.Sleep(300 * time.Millisecond)
		}
		if eng.Transport() != want || eng.Upgraded() != upgraded {
			t.Errorf("client: transport %s, upgraded %v; want %s, %v", eng.Transport(), eng.Upgraded(), want, upgraded)
		}
		if ev := echo(t, tg, s); ev.Transport != want {
			t.Errorf("server: event over %s, want %s", ev.Transport, want)
		}
		if m.Engine() != eng {
			t.Errorf("the connection changed")
		}
		// Closing the Manager sends a close packet: "transport close" on
		// the server, "forced close" on the client.
		m.Close()
		if reason := recvC(t, recs[0].disconnects, "disconnect"); reason != "forced close" {
			t.Errorf("client: disconnect reason %q, want forced close", reason)
		}
		if ev := tg.log().expect("disconnect", clientWait, func(ev srvEvent) bool { return ev.Event == "disconnect" }); ev.Reason != "transport close" {
			t.Errorf("server: disconnect reason %q, want transport close", ev.Reason)
		}
	}
}

// The server dies and comes back on the same port: the client reconnects,
// and what it emitted meanwhile arrives once, in order.
func scenarioReconnectRestart(transports []string) func(*testing.T, sioTarget) {
	return func(t *testing.T, tg sioTarget) { reconnectRestart(t, tg, transports) }
}

func reconnectRestart(t *testing.T, tg sioTarget, transports []string) {
	const n = 5
	o := fastClient()
	o.Transports = transports
	m, recs := newManager(t, tg, o, "/")
	mr := watchManager(m)
	r := recs[0]
	connectAll(t, r)
	s := r.s
	firstID := s.ID()
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	if _, err := s.EmitWithAck(ctx, "seq", 0); err != nil {
		t.Fatal(err)
	}
	tg.log().expect("seq 0", clientWait, isEvent("/", "seq"))

	tg.kill()
	if reason := recvC(t, r.disconnects, "disconnect"); reason != "transport close" && reason != "transport error" {
		t.Errorf("disconnect reason %q, want transport close or error", reason)
	}
	for i := 1; i <= n; i++ {
		if err := s.Emit("seq", i); err != nil {
			t.Fatalf("Emit(seq, %d) while disconnected: %v", i, err)
		}
	}
	// Let a few attempts fail.
	recvC(t, mr.recErrs, "reconnect error")
	tg.restart()
	if attempt := recvC(t, mr.reconnects, "reconnect"); attempt < 1 {
		t.Errorf("reconnected at attempt %d", attempt)
	}
	if id := recvC(t, r.connects, "connect"); id == "" || id == firstID {
		t.Errorf("socket id after reconnection %q (before %q)", id, firstID)
	}
	isSeq := isEvent("/", "seq")
	for i := 1; i <= n; i++ {
		ev := tg.log().expect(fmt.Sprintf("seq %d", i), clientWait, isSeq)
		if ev.argsJSON() != fmt.Sprintf("[%d]", i) {
			t.Fatalf("seq event %d: %s", i, ev.raw)
		}
	}
	tg.log().expectNone("seq event", 300*time.Millisecond, isSeq)
	echo(t, tg, s)
}

// Reconnection gives up after ReconnectionAttempts.
func scenarioReconnectFailed(t *testing.T, tg sioTarget) {
	o := fastClient()
	o.ReconnectionAttempts = 3
	m, recs := newManager(t, tg, o, "/")
	mr := watchManager(m)
	r := recs[0]
	connectAll(t, r)
	tg.kill()
	recvC(t, r.disconnects, "disconnect")
	recvC(t, mr.failed, "reconnect_failed")
	var attempts []int
	for len(mr.attempts) > 0 {
		attempts = append(attempts, <-mr.attempts)
	}
	if !reflect.DeepEqual(attempts, []int{1, 2, 3}) {
		t.Errorf("reconnect attempts %v, want [1 2 3]", attempts)
	}
	// The reference emits reconnect_failed before the last reconnect_error.
	for i := range 3 {
		recvC(t, mr.recErrs, fmt.Sprintf("reconnect error %d", i+1))
	}
	noRecvC(t, mr.recErrs, 0, "fourth reconnect error")
	noRecvC(t, mr.attempts, 400*time.Millisecond, "reconnect attempt after reconnect_failed")
	if r.s.Connected() || m.Engine() != nil {
		t.Errorf("connected %v, engine %v", r.s.Connected(), m.Engine())
	}
}

// The server stops answering: the client disconnects with "ping timeout",
// then reconnects once the server is back.
func scenarioPingTimeout(transports []string) func(*testing.T, sioTarget) {
	return func(t *testing.T, tg sioTarget) { pingTimeout(t, tg, transports) }
}

func pingTimeout(t *testing.T, tg sioTarget, transports []string) {
	o := fastClient()
	o.Transports = transports
	m, recs := newManager(t, tg, o, "/")
	mr := watchManager(m)
	r := recs[0]
	pings := make(chan struct{}, 64)
	m.OnPing(func() {
		select {
		case pings <- struct{}{}:
		default:
		}
	})
	connectAll(t, r)
	// The heartbeat works: two pings, no disconnect.
	recvC(t, pings, "ping")
	recvC(t, pings, "second ping")
	noRecvC(t, r.disconnects, 0, "disconnect")

	var resumed sync.Once
	resume := func() { resumed.Do(tg.resume) }
	t.Cleanup(resume)
	tg.pause()
	start := time.Now()
	reason := recvC(t, r.disconnects, "disconnect")
	took := time.Since(start)
	resume()
	if reason != "ping timeout" {
		t.Fatalf("disconnect reason %q, want ping timeout", reason)
	}
	// pingInterval+pingTimeout is 600ms after the last ping.
	if took > 3*time.Second {
		t.Errorf("ping timeout detected after %v", took)
	}
	recvC(t, mr.reconnects, "reconnect")
	recvC(t, r.connects, "connect")
	echo(t, tg, r.s)
}

// Emits made before the connection completes are sent once it does, once
// each, in order.
func scenarioEmitBeforeConnect(t *testing.T, tg sioTarget) {
	_, recs := newManager(t, tg, fastClient(), "/")
	r := recs[0]
	r.s.Connect()
	for i := 1; i <= 5; i++ {
		if err := r.s.Emit("seq", i); err != nil {
			t.Fatal(err)
		}
	}
	recvC(t, r.connects, "connect")
	isSeq := isEvent("/", "seq")
	for i := 1; i <= 5; i++ {
		if ev := tg.log().expect(fmt.Sprintf("seq %d", i), clientWait, isSeq); ev.argsJSON() != fmt.Sprintf("[%d]", i) {
			t.Fatalf("seq event %d: %s", i, ev.raw)
		}
	}
	tg.log().expectNone("seq event", 200*time.Millisecond, isSeq)
}

// A burst of large emits over polling: the client must split its POSTs
// to fit the server's maxPayload (1e6 bytes by default on both servers),
// or the server closes the connection.
func scenarioLargeBurst(t *testing.T, tg sioTarget) {
	o := fastClient()
	o.Transports = []string{"polling"}
	_, recs := newManager(t, tg, o, "/")
	r := recs[0]
	connectAll(t, r)
	text := string(bytes.Repeat([]byte("x"), 300_000))
	bin := bytes.Repeat([]byte{0xab}, 300_000) // 400 kB in base64
	const n = 8
	for i := range n {
		var err error
		if i%2 == 0 {
			err = r.s.Emit("big", i, text)
		} else {
			err = r.s.Emit("big", i, bin)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		ev := tg.log().expect(fmt.Sprintf("big %d", i), clientWait, isEvent("/", "big"))
		if len(ev.Args) != 2 || string(ev.Args[0]) != fmt.Sprint(i) {
			t.Fatalf("big event %d: %.100s", i, ev.raw)
		}
	}
	noRecvC(t, r.disconnects, 0, "disconnect")
	echo(t, tg, r.s)
}

// Events flow both ways while the connection upgrades: none is lost,
// duplicated or reordered.
func scenarioUpgradeUnderLoad(t *testing.T, tg sioTarget) {
	const n = 300
	m, recs := newManager(t, tg, fastClient(), "/")
	r := recs[0]
	items := make(chan int, 4*n)
	r.s.On("item", func(i int) { items <- i })
	// The connection opens on polling and upgrades at once: emit from
	// before the connection until well after the upgrade.
	r.s.Connect()
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	acks := make(chan error, 1)
	go func() {
		_, err := r.s.EmitWithAck(ctx, "burst", n)
		acks <- err
	}()
	for i := 1; i <= n; i++ {
		if err := r.s.Emit("seq", i); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	recvC(t, r.connects, "connect")
	eng := m.Engine()
	if err := recvC(t, acks, "burst ack"); err != nil {
		t.Fatalf("burst: %v", err)
	}
	isSeq := isEvent("/", "seq")
	for i := 1; i <= n; i++ {
		if ev := tg.log().expect(fmt.Sprintf("seq %d", i), clientWait, isSeq); ev.argsJSON() != fmt.Sprintf("[%d]", i) {
			t.Fatalf("seq event %d: %s", i, ev.raw)
		}
	}
	for i := range n {
		if got := recvC(t, items, fmt.Sprintf("item %d", i)); got != i {
			t.Fatalf("item %d arrived as number %d", got, i)
		}
	}
	waitUntil(t, clientWait, "upgrade", eng.Upgraded)
	tg.log().expectNone("seq event", 200*time.Millisecond, isSeq)
	noRecvC(t, items, 0, "item")
	noRecvC(t, r.disconnects, 0, "disconnect")
}

// A server that accepts the TCP connection but does not answer: the
// attempt fails with "timeout" after Options.Timeout, and the next one
// succeeds once the server answers again.
func scenarioConnectTimeout(t *testing.T, tg sioTarget) {
	var resumed sync.Once
	resume := func() { resumed.Do(tg.resume) }
	t.Cleanup(resume)
	tg.pause()
	o := fastClient()
	o.Timeout = 300 * time.Millisecond
	m, recs := newManager(t, tg, o, "/")
	mr := watchManager(m)
	r := recs[0]
	start := time.Now()
	r.s.Connect()
	err := recvC(t, r.connectErrs, "connect error")
	took := time.Since(start)
	if !errors.Is(err, client.ErrConnectTimeout) || err.Error() != "timeout" {
		t.Errorf("connect error %v, want timeout", err)
	}
	if took < 250*time.Millisecond || took > 3*time.Second {
		t.Errorf("timed out after %v, want about 300ms", took)
	}
	resume()
	recvC(t, r.connects, "connect")
	if attempt := recvC(t, mr.reconnects, "reconnect"); attempt < 1 {
		t.Errorf("reconnected at attempt %d", attempt)
	}
	echo(t, tg, r.s)
}
