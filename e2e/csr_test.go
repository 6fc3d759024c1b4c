package e2e

// Connection state recovery with the official socket.io-client 4.8.4
// against our server: after a cut TCP connection or a ping timeout the
// client comes back with the same id and rooms, and the events emitted
// while it was away arrive exactly once, in order, before new ones.

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/engineio"
)

// csrEvent is one line of js/csr-client.mjs.
type csrEvent struct {
	Event     string            `json:"event"`
	SID       string            `json:"sid"`
	Recovered bool              `json:"recovered"`
	Reason    string            `json:"reason"`
	Name      string            `json:"name"`
	Args      []json.RawMessage `json:"args"`
	raw       string
}

type csrClient struct {
	t      testing.TB
	proc   *nodeProc
	events chan csrEvent
}

func startCSRClient(t testing.TB, url string, opts map[string]any) *csrClient {
	t.Helper()
	requireJS(t, "socket.io-client")
	o := map[string]any{"url": url, "timeoutMs": 20000}
	for k, v := range opts {
		o[k] = v
	}
	c := &csrClient{t: t, events: make(chan csrEvent, 1024)}
	c.proc = startNode(t, "csr-client.mjs", o, 20*time.Second, func(line []byte) {
		var ev csrEvent
		if json.Unmarshal(line, &ev) != nil {
			ev.Event = "unparsable"
		}
		ev.raw = string(line)
		c.events <- ev
	}, func() { close(c.events) })
	t.Cleanup(func() {
		c.proc.stop()
		if t.Failed() {
			t.Logf("csr client stderr:\n%s", c.proc.stderr.String())
		}
	})
	return c
}

func (c *csrClient) send(cmd map[string]any) {
	b, _ := json.Marshal(cmd)
	c.proc.stdin.Write(append(b, '\n'))
}

// next returns the next event that is not an "event" named skip.
func (c *csrClient) next(what string) csrEvent {
	c.t.Helper()
	select {
	case ev, ok := <-c.events:
		if !ok {
			c.t.Fatalf("client ended while waiting for %s", what)
		}
		return ev
	case <-time.After(10 * time.Second):
		c.t.Fatalf("client: no %s within 10s", what)
	}
	return csrEvent{}
}

func (c *csrClient) expect(kind string) csrEvent {
	c.t.Helper()
	ev := c.next(kind)
	if ev.Event != kind {
		c.t.Fatalf("client: got %s, want %s", ev.raw, kind)
	}
	return ev
}

// awaitConnect reads until a connect, skipping failed attempts; it
// returns the connect and the events delivered before it.
func (c *csrClient) awaitConnect() (csrEvent, []string) {
	c.t.Helper()
	var events []string
	for {
		ev := c.next("connect")
		switch ev.Event {
		case "connect":
			return ev, events
		case "connect_error":
		case "event":
			arg := ""
			if len(ev.Args) > 0 {
				json.Unmarshal(ev.Args[0], &arg)
			}
			events = append(events, ev.Name+":"+arg)
		default:
			c.t.Fatalf("client: got %s while waiting for connect", ev.raw)
		}
	}
}

// expectEvents reads events until n "event" lines came and returns their
// names and first arguments ("name:arg"), failing on anything else.
func (c *csrClient) expectEvents(n int) []string {
	c.t.Helper()
	var got []string
	for len(got) < n {
		ev := c.next("events")
		if ev.Event != "event" {
			c.t.Fatalf("client: got %s while waiting for events (have %v)", ev.raw, got)
		}
		arg := ""
		if len(ev.Args) > 0 {
			json.Unmarshal(ev.Args[0], &arg)
		}
		got = append(got, ev.Name+":"+arg)
	}
	return got
}

// csrServer is our server with recovery on, behind a proxy that can cut
// or freeze the connections.
type csrServer struct {
	ss      *sioServer
	proxy   *cutProxy
	mu      sync.Mutex
	sockets map[string]*socketio.Socket // by id, the latest
	conns   chan *socketio.Socket
	discs   chan socketio.Reason
	mwRuns  atomic.Int64
}

func startCSRServer(t *testing.T, rec *socketio.RecoveryOptions) *csrServer {
	cs := &csrServer{sockets: map[string]*socketio.Socket{}, conns: make(chan *socketio.Socket, 16), discs: make(chan socketio.Reason, 16)}
	opts := &socketio.Options{
		Engine:                  engineio.Options{PingInterval: 300 * time.Millisecond, PingTimeout: 300 * time.Millisecond},
		ConnectionStateRecovery: rec,
	}
	cs.ss = startSIO(t, opts, func(io *socketio.Server) {
		io.Use(func(s *socketio.Socket) error { cs.mwRuns.Add(1); return nil })
		io.OnConnection(func(s *socketio.Socket) {
			if !s.Recovered() {
				s.SetData(map[string]any{"user": "u-" + s.ID()[:4]})
			}
			s.On("join", func(room string) { s.Join(room) })
			s.OnDisconnect(func(r socketio.Reason, _ error) { cs.discs <- r })
			cs.mu.Lock()
			cs.sockets[s.ID()] = s
			cs.mu.Unlock()
			cs.conns <- s
		})
	})
	cs.proxy = startProxy(t, strings.TrimPrefix(cs.ss.url, "http://"))
	return cs
}

func (cs *csrServer) url() string { return "http://" + cs.proxy.addr() }

func TestCSRClientInterop(t *testing.T) {
	for _, transport := range []string{"websocket", "polling"} {
		t.Run(transport, func(t *testing.T) {
			t.Parallel()
			t.Run("cut", func(t *testing.T) { csrRecoverAfter(t, transport, "cut", true) })
			t.Run("ping timeout", func(t *testing.T) { csrRecoverAfter(t, transport, "freeze", true) })
			t.Run("no event before the cut", func(t *testing.T) { csrRecoverAfter(t, transport, "cut", false) })
			t.Run("after the window", func(t *testing.T) { csrAfterWindow(t, transport) })
			t.Run("server disconnect", func(t *testing.T) { csrServerDisconnect(t, transport) })
			t.Run("middlewares run", func(t *testing.T) { csrMiddlewares(t, transport) })
			t.Run("store bound", func(t *testing.T) { csrStoreBound(t, transport) })
			t.Run("client disconnect", func(t *testing.T) { csrClientDisconnect(t, transport) })
		})
	}
}

// csrRecoverAfter: connect, join a room (and receive an event first when
// withOffset), lose the connection by cut or freeze, emit to the room,
// the namespace and the socket while away, then check the recovery.
func csrRecoverAfter(t *testing.T, transport, how string, withOffset bool) {
	cs := startCSRServer(t, &socketio.RecoveryOptions{})
	io := cs.ss.io
	c := startCSRClient(t, cs.url(), map[string]any{"transports": []string{transport}})
	first := c.expect("connect")
	if first.Recovered {
		t.Fatal("first connection reported recovered")
	}
	s := recv(t, cs.conns, "connection")
	c.send(map[string]any{"cmd": "emit", "event": "join", "args": []string{"r"}})
	c.expect("sent")
	waitUntil(t, 5*time.Second, "joined", func() bool { return containsStr(s.Rooms(), "r") })
	if withOffset {
		io.To("r").Emit("before", "b0")
		if got := c.expectEvents(1); got[0] != "before:b0" {
			t.Fatalf("got %v", got)
		}
	}
	switch how {
	case "cut":
		cs.proxy.blackout(time.Second)
	case "freeze":
		cs.proxy.freeze(true)
	}
	r := recv(t, cs.discs, "disconnect")
	if how == "freeze" && r != socketio.ReasonPingTimeout {
		t.Fatalf("server reason %q, want ping timeout", r)
	}
	// While away: room, namespace and direct events, and one to another room.
	io.To("r").Emit("missed", "m1")
	io.Emit("missed", "m2")
	s.Emit("missed", "m3")
	io.To("elsewhere").Emit("missed", "not for us")
	io.To("r").Emit("missed", "m4")
	if how == "freeze" {
		cs.proxy.freeze(false)
	}
	// The client sees its disconnect, reconnects, and is recovered.
	ev := c.next("disconnect")
	if ev.Event != "disconnect" {
		t.Fatalf("got %s, want disconnect", ev.raw)
	}
	// The missed events are written before the CONNECT reply, and
	// socket.io-client delivers what it buffered before its connect event.
	again, events := c.awaitConnect()
	if !again.Recovered || again.SID != first.SID {
		t.Fatalf("reconnected recovered=%v id %s, want recovered with id %s", again.Recovered, again.SID, first.SID)
	}
	s2 := recv(t, cs.conns, "recovered connection")
	if !s2.Recovered() || s2.ID() != s.ID() {
		t.Fatalf("server socket recovered=%v id %s", s2.Recovered(), s2.ID())
	}
	if d, _ := s2.Data().(map[string]any); d["user"] != "u-"+s.ID()[:4] {
		t.Fatalf("data not restored: %v", s2.Data())
	}
	io.To("r").Emit("new", "n1") // after the recovery: after every missed one
	events = append(events, c.expectEvents(5-len(events))...)
	want := []string{"missed:m1", "missed:m2", "missed:m3", "missed:m4", "new:n1"}
	if fmt.Sprint(events) != fmt.Sprint(want) {
		t.Fatalf("events after recovery %v, want %v", events, want)
	}
	if !containsStr(s2.Rooms(), "r") {
		t.Fatalf("rooms not restored: %v", s2.Rooms())
	}
	if n := cs.mwRuns.Load(); n != 1 {
		t.Fatalf("middleware ran %d times, want 1 (skipped for the recovery)", n)
	}
	// Exactly once: nothing more comes.
	select {
	case ev := <-c.events:
		t.Fatalf("unexpected %s", ev.raw)
	case <-time.After(200 * time.Millisecond):
	}
}

func csrAfterWindow(t *testing.T, transport string) {
	cs := startCSRServer(t, &socketio.RecoveryOptions{MaxDisconnectionDuration: 300 * time.Millisecond})
	c := startCSRClient(t, cs.url(), map[string]any{"transports": []string{transport}})
	first := c.expect("connect")
	recv(t, cs.conns, "connection")
	cs.ss.io.Emit("before", "b0")
	c.expectEvents(1)
	cs.proxy.freeze(true) // held past the window: ping timeout, then expiry
	recv(t, cs.discs, "disconnect")
	time.Sleep(500 * time.Millisecond)
	cs.proxy.freeze(false)
	cs.proxy.cut()
	c.expect("disconnect")
	again, _ := c.awaitConnect()
	if again.Recovered || again.SID == first.SID {
		t.Fatalf("after the window: recovered=%v id %s (first %s)", again.Recovered, again.SID, first.SID)
	}
}

func csrServerDisconnect(t *testing.T, transport string) {
	cs := startCSRServer(t, &socketio.RecoveryOptions{})
	c := startCSRClient(t, cs.url(), map[string]any{"transports": []string{transport}})
	first := c.expect("connect")
	s := recv(t, cs.conns, "connection")
	cs.ss.io.Emit("before", "b0")
	c.expectEvents(1)
	s.Disconnect(false)
	if ev := c.expect("disconnect"); ev.Reason != "io server disconnect" {
		t.Fatalf("reason %q", ev.Reason)
	}
	c.send(map[string]any{"cmd": "connect"})
	again := c.expect("connect")
	if again.Recovered || again.SID == first.SID {
		t.Fatalf("after a server disconnect: recovered=%v", again.Recovered)
	}
}

func csrMiddlewares(t *testing.T, transport string) {
	cs := startCSRServer(t, &socketio.RecoveryOptions{RunMiddlewares: true})
	c := startCSRClient(t, cs.url(), map[string]any{"transports": []string{transport}})
	first := c.expect("connect")
	recv(t, cs.conns, "connection")
	cs.ss.io.Emit("before", "b0")
	c.expectEvents(1)
	cs.proxy.blackout(time.Second)
	recv(t, cs.discs, "disconnect")
	c.expect("disconnect")
	again, _ := c.awaitConnect()
	if !again.Recovered || again.SID != first.SID {
		t.Fatalf("recovered=%v", again.Recovered)
	}
	if n := cs.mwRuns.Load(); n != 2 {
		t.Fatalf("middleware ran %d times, want 2 (RunMiddlewares)", n)
	}
}

// More missed packets than the store keeps: a clean new session, and
// none of the kept packets replayed (no replay with a hole).
func csrStoreBound(t *testing.T, transport string) {
	cs := startCSRServer(t, &socketio.RecoveryOptions{MaxPackets: 2})
	c := startCSRClient(t, cs.url(), map[string]any{"transports": []string{transport}})
	first := c.expect("connect")
	recv(t, cs.conns, "connection")
	cs.ss.io.Emit("before", "b0")
	c.expectEvents(1)
	cs.proxy.freeze(true)
	recv(t, cs.discs, "disconnect")
	for i := 0; i < 5; i++ {
		cs.ss.io.Emit("missed", fmt.Sprint(i))
	}
	cs.proxy.freeze(false)
	cs.proxy.blackout(100 * time.Millisecond)
	c.expect("disconnect")
	again, events := c.awaitConnect()
	if again.Recovered || again.SID == first.SID || len(events) != 0 {
		t.Fatalf("past the store's bound: recovered=%v same id=%v events %v", again.Recovered, again.SID == first.SID, events)
	}
	select {
	case ev := <-c.events:
		t.Fatalf("unexpected %s", ev.raw)
	case <-time.After(200 * time.Millisecond):
	}
}

// After the client's own socket.disconnect() no session is kept.
func csrClientDisconnect(t *testing.T, transport string) {
	cs := startCSRServer(t, &socketio.RecoveryOptions{})
	c := startCSRClient(t, cs.url(), map[string]any{"transports": []string{transport}})
	first := c.expect("connect")
	recv(t, cs.conns, "connection")
	cs.ss.io.Emit("before", "b0")
	c.expectEvents(1)
	c.send(map[string]any{"cmd": "disconnect"})
	c.expect("disconnect")
	if r := recv(t, cs.discs, "disconnect"); r != socketio.ReasonClientNamespaceDisconnect {
		t.Fatalf("server reason %q", r)
	}
	c.send(map[string]any{"cmd": "connect"})
	again := c.expect("connect")
	if again.Recovered || again.SID == first.SID {
		t.Fatalf("after a client disconnect: recovered=%v", again.Recovered)
	}
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
