package e2e

// Harness of the Go client interop tests (client_interop_test.go): the
// servers the client talks to, behind one interface. "node" is the official
// socket.io server run by js/sio-server.mjs; "go" is our socketio server,
// with the same behaviour written in Go below. Both report what they see as
// srvEvent records, so that the scenarios assert the same way on both.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/parser"
	"github.com/gosio/socketio/parser/msgpack"

	socketio "github.com/gosio/socketio"
)

// srvEvent is one JSON line of js/sio-server.mjs, or the same record made
// by the Go server of these tests.
type srvEvent struct {
	Event     string            `json:"event,omitempty"`
	Port      int               `json:"port,omitempty"`
	Nsp       string            `json:"nsp,omitempty"`
	ID        string            `json:"id,omitempty"`
	Engine    string            `json:"engine,omitempty"`
	Auth      map[string]any    `json:"auth,omitempty"`
	Transport string            `json:"transport,omitempty"`
	Clients   int               `json:"clients,omitempty"`
	Name      string            `json:"name,omitempty"`
	Args      []json.RawMessage `json:"args,omitempty"`
	HasAck    bool              `json:"hasAck,omitempty"`
	Reason    string            `json:"reason,omitempty"`
	Error     string            `json:"error,omitempty"`
	Message   string            `json:"message,omitempty"`
	Recovered bool              `json:"recovered,omitempty"`

	raw string
}

func (ev srvEvent) argsJSON() string {
	b, _ := json.Marshal(ev.Args)
	return string(b)
}

// srvLog collects the events of a server (of all its processes, for node).
type srvLog struct {
	t       testing.TB
	ch      chan srvEvent
	pending []srvEvent // read but not yet matched (test goroutine only)

	mu    sync.Mutex
	lines []string
}

func newSrvLog(t testing.TB) *srvLog {
	return &srvLog{t: t, ch: make(chan srvEvent, 4096)}
}

func (l *srvLog) push(ev srvEvent) {
	if ev.raw == "" {
		b, _ := json.Marshal(ev)
		ev.raw = string(b)
	}
	l.mu.Lock()
	l.lines = append(l.lines, ev.raw)
	l.mu.Unlock()
	select {
	case l.ch <- ev:
	default:
		panic("e2e: server event buffer full")
	}
}

func (l *srvLog) output() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// expect returns the first event (pending or new) that ok selects, failing
// after timeout; other events are kept for later expectations.
func (l *srvLog) expect(what string, timeout time.Duration, ok func(srvEvent) bool) srvEvent {
	l.t.Helper()
	for i, ev := range l.pending {
		if ok(ev) {
			l.pending = append(l.pending[:i:i], l.pending[i+1:]...)
			return ev
		}
	}
	deadline := time.After(timeout)
	for {
		select {
		case ev := <-l.ch:
			if ev.Event == "timeout" {
				l.t.Fatalf("server: hard timeout of the script while waiting for %s", what)
			}
			if ok(ev) {
				return ev
			}
			l.pending = append(l.pending, ev)
		case <-deadline:
			l.t.Fatalf("server: no %s within %v", what, timeout)
		}
	}
}

// expectNone fails if an event that ok selects is pending or arrives
// within d.
func (l *srvLog) expectNone(what string, d time.Duration, ok func(srvEvent) bool) {
	l.t.Helper()
	for _, ev := range l.pending {
		if ok(ev) {
			l.t.Fatalf("server: unexpected %s: %s", what, ev.raw)
		}
	}
	deadline := time.After(d)
	for {
		select {
		case ev := <-l.ch:
			if ok(ev) {
				l.t.Fatalf("server: unexpected %s: %s", what, ev.raw)
			}
			l.pending = append(l.pending, ev)
		case <-deadline:
			return
		}
	}
}

// isEvent selects the events named name received on namespace nsp.
func isEvent(nsp, name string) func(srvEvent) bool {
	return func(ev srvEvent) bool { return ev.Event == "event" && ev.Nsp == nsp && ev.Name == name }
}

// isConnection selects the connections to namespace nsp.
func isConnection(nsp string) func(srvEvent) bool {
	return func(ev srvEvent) bool { return ev.Event == "connection" && ev.Nsp == nsp }
}

// targetOpts configures a server of the client tests.
type targetOpts struct {
	pingInterval, pingTimeout time.Duration // 0: 5s each
	transports                []string      // nil: both
	connectTimeout            time.Duration // 0: the default, 45s
	pausable                  bool          // go: serve through a pausable proxy
	recovery                  time.Duration // connection state recovery window; 0: off
	msgpack                   bool          // both ends speak socket.io-msgpack-parser
}

func (o targetOpts) withDefaults() targetOpts {
	if o.pingInterval == 0 {
		o.pingInterval = 5 * time.Second
	}
	if o.pingTimeout == 0 {
		o.pingTimeout = 5 * time.Second
	}
	return o
}

// sioTarget is a Socket.IO server the Go client talks to.
type sioTarget interface {
	// url is the server's base URL, http://127.0.0.1:port.
	url() string
	log() *srvLog
	// kill stops the server abruptly: connections are cut, nothing is
	// sent (node: SIGKILL).
	kill()
	// restart starts a fresh server on the same port, after kill.
	restart()
	// pause freezes the server with its connections open; resume thaws
	// it (node: SIGSTOP/SIGCONT; go: a proxy stops forwarding).
	pause()
	resume()
}

// startTarget starts the server kind ("node" or "go"); it is stopped at
// test end.
func startTarget(t *testing.T, kind string, o targetOpts) sioTarget {
	t.Helper()
	o = o.withDefaults()
	switch kind {
	case "node":
		return startNodeTarget(t, o)
	case "go":
		return startGoTarget(t, o)
	}
	t.Fatalf("unknown server kind %q", kind)
	return nil
}

// ---- node: js/sio-server.mjs ----

// serverTimeout is the node server's own hard timeout.
const serverTimeout = 20 * time.Second

type nodeTarget struct {
	t    *testing.T
	o    targetOpts
	port int
	ev   *srvLog
	cur  *nodeProc
}

func startNodeTarget(t *testing.T, o targetOpts) *nodeTarget {
	t.Helper()
	requireJS(t, "socket.io")
	n := &nodeTarget{t: t, o: o, ev: newSrvLog(t)}
	n.start()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("node server events:\n%s", n.ev.output())
		}
	})
	return n
}

// start runs a server process on n.port (0 the first time: any port).
func (n *nodeTarget) start() {
	t := n.t
	t.Helper()
	o := map[string]any{
		"port":         n.port,
		"pingInterval": n.o.pingInterval.Milliseconds(),
		"pingTimeout":  n.o.pingTimeout.Milliseconds(),
		"timeoutMs":    serverTimeout.Milliseconds(),
	}
	if n.o.transports != nil {
		o["transports"] = n.o.transports
	}
	if n.o.recovery > 0 {
		o["recovery"] = n.o.recovery.Milliseconds()
	}
	if n.o.connectTimeout > 0 {
		o["connectTimeout"] = n.o.connectTimeout.Milliseconds()
	}
	if n.o.msgpack {
		o["parser"] = "msgpack"
	}
	listening := make(chan int, 1)
	p := startNode(t, "sio-server.mjs", o, serverTimeout, func(line []byte) {
		var ev srvEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			ev = srvEvent{Event: "unparsable"}
		}
		ev.raw = string(line)
		if ev.Event == "listening" {
			listening <- ev.Port
		}
		n.ev.push(ev)
	}, nil)
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("node server stderr:\n%s", p.stderr.String())
		}
	})
	select {
	case port := <-listening:
		n.port = port
	case <-p.readerDone:
		t.Fatalf("node server ended before listening:\n%s", p.stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatalf("node server not listening within 10s:\n%s", p.stderr.String())
	}
	n.cur = p
}

func (n *nodeTarget) url() string  { return fmt.Sprintf("http://127.0.0.1:%d", n.port) }
func (n *nodeTarget) log() *srvLog { return n.ev }
func (n *nodeTarget) kill()        { n.cur.stop() }
func (n *nodeTarget) restart()     { n.start() }

func (n *nodeTarget) pause() {
	if err := n.cur.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		n.t.Fatalf("SIGSTOP: %v", err)
	}
}

func (n *nodeTarget) resume() {
	if err := n.cur.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		n.t.Fatalf("SIGCONT: %v", err)
	}
}

// ---- go: our socketio server ----

type goTarget struct {
	t     *testing.T
	o     targetOpts
	addr  string // the server's listening address
	ev    *srvLog
	proxy *cutProxy

	io   *socketio.Server
	hs   *http.Server
	ln   *trackingListener
	once *sync.Once
}

func startGoTarget(t *testing.T, o targetOpts) *goTarget {
	t.Helper()
	g := &goTarget{t: t, o: o, addr: "127.0.0.1:0", ev: newSrvLog(t)}
	g.start()
	if o.pausable {
		g.proxy = startProxy(t, g.addr)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("go server events:\n%s", g.ev.output())
		}
	})
	return g
}

func (g *goTarget) start() {
	t := g.t
	t.Helper()
	var rec *socketio.RecoveryOptions
	if g.o.recovery > 0 {
		rec = &socketio.RecoveryOptions{MaxDisconnectionDuration: g.o.recovery}
	}
	var format parser.Parser
	if g.o.msgpack {
		format = msgpack.Parser{}
	}
	io := socketio.NewServer(&socketio.Options{
		Parser:                  format,
		ConnectionStateRecovery: rec,
		ConnectTimeout:          g.o.connectTimeout,
		Engine:                  engineio.Options{PingInterval: g.o.pingInterval, PingTimeout: g.o.pingTimeout, UpgradeTimeout: 2 * time.Second, Transports: g.o.transports},
	})
	goBehaviour(io, g.ev.push)
	l, err := net.Listen("tcp", g.addr)
	if err != nil {
		io.Close()
		t.Fatalf("listen %s: %v", g.addr, err)
	}
	g.addr = l.Addr().String()
	g.io, g.ln, g.once = io, &trackingListener{Listener: l, conns: map[net.Conn]struct{}{}}, &sync.Once{}
	g.hs = &http.Server{Handler: io}
	go g.hs.Serve(g.ln)
	stop := g.stopFunc()
	t.Cleanup(stop)
}

// stopFunc returns the abrupt stop of the current server: every TCP
// connection is cut first (WebSockets included, which http.Server does not
// track), so that no close packet leaves, then the server is closed.
func (g *goTarget) stopFunc() func() {
	io, hs, ln, once := g.io, g.hs, g.ln, g.once
	return func() {
		once.Do(func() {
			ln.Close()
			ln.closeConns()
			hs.Close()
			io.Close()
		})
	}
}

func (g *goTarget) url() string {
	if g.proxy != nil {
		return "http://" + g.proxy.addr()
	}
	return "http://" + g.addr
}
func (g *goTarget) log() *srvLog { return g.ev }
func (g *goTarget) kill()        { g.stopFunc()() }
func (g *goTarget) restart()     { g.start() }

func (g *goTarget) pause() {
	if g.proxy == nil {
		g.t.Fatal("pause needs targetOpts.pausable")
	}
	g.proxy.freeze(true)
}

func (g *goTarget) resume() { g.proxy.freeze(false) }

// trackingListener remembers the connections it accepted.
type trackingListener struct {
	net.Listener
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (l *trackingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns[c] = struct{}{}
		l.mu.Unlock()
	}
	return c, err
}

func (l *trackingListener) closeConns() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for c := range l.conns {
		c.Close()
	}
}

// binJSON is how js/sio-server.mjs writes a Buffer.
func binJSON(b []byte) map[string]any {
	return map[string]any{"$bin": base64.StdEncoding.EncodeToString(b), "type": "Buffer"}
}

// toLogJSON replaces []byte values by their binJSON form.
func toLogJSON(v any) any {
	switch x := v.(type) {
	case []byte:
		return binJSON(x)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = toLogJSON(x[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = toLogJSON(e)
		}
		return out
	}
	return v
}

func logArgs(vals []any) []json.RawMessage {
	out := make([]json.RawMessage, len(vals))
	for i, v := range vals {
		out[i], _ = json.Marshal(toLogJSON(v))
	}
	return out
}

// goBehaviour gives io the behaviour of js/sio-server.mjs (see there),
// reporting to push.
func goBehaviour(io *socketio.Server, push func(srvEvent)) {
	var flakySeen sync.Map
	setup := func(nsp *socketio.Namespace) {
		name := nsp.Name()
		nsp.OnConnection(func(s *socketio.Socket) {
			auth := s.Handshake().Auth
			if auth == nil {
				auth = map[string]any{}
			}
			push(srvEvent{Event: "connection", Nsp: name, ID: s.ID(), Engine: s.Conn().ID(), Auth: auth,
				Transport: s.Conn().TransportName(), Clients: io.Engine().ClientsCount(), Recovered: s.Recovered()})
			s.OnAny(func(e *socketio.Event) {
				args := e.Values()
				push(srvEvent{Event: "event", Nsp: name, ID: s.ID(), Name: e.Name, Args: logArgs(args),
					HasAck: e.HasAck(), Transport: s.Conn().TransportName()})
				switch e.Name {
				case "kick":
					s.Disconnect(false)
				case "join": // (room): join it
					var room string
					e.Decode(0, &room)
					s.Join(room)
					e.Ack(room)
				case "schedule": // (room, names, ms): emit "sched" name to room later
					var room string
					var names []string
					var ms int
					e.Decode(0, &room)
					e.Decode(1, &names)
					e.Decode(2, &ms)
					time.AfterFunc(time.Duration(ms)*time.Millisecond, func() {
						for _, n := range names {
							io.Of(name).To(room).Emit("sched", n)
						}
					})
					e.Ack(room)
				case "burst":
					var n int
					e.Decode(0, &n)
					for i := range n {
						s.Emit("item", i)
					}
					e.Ack(n)
				case "noack":
				case "flaky":
					var key string
					e.Decode(0, &key)
					if _, seen := flakySeen.LoadOrStore(key, true); seen {
						e.Ack(key)
					}
				case "hello":
					s.Emit("hello", args...)
					e.Ack(args...)
				case "ask":
					go func() {
						reply, err := s.Timeout(2*time.Second).EmitWithAck(context.Background(), "question", args...)
						if err != nil {
							push(srvEvent{Event: "answer", Nsp: name, ID: s.ID(), Error: err.Error()})
							e.Ack(map[string]any{"error": err.Error()})
							return
						}
						answer := reply.Values()
						push(srvEvent{Event: "answer", Nsp: name, ID: s.ID(), Args: logArgs(answer)})
						e.Ack(answer...)
					}()
				case "relay":
					s.Broadcast().Emit("relayed", e.Args)
					e.Ack(e.Args)
				default:
					e.Ack(e.Args) // as received, as ack(...args) in Node
				}
			})
			s.OnDisconnect(func(r socketio.Reason, _ error) {
				push(srvEvent{Event: "disconnect", Nsp: name, ID: s.ID(), Reason: string(r)})
			})
		})
	}
	setup(io.Sockets())
	setup(io.Of("/admin"))
	mw := io.Of("/mw")
	mw.Use(func(s *socketio.Socket) error {
		push(srvEvent{Event: "refused", Nsp: "/mw", Engine: s.Conn().ID()})
		return &socketio.ConnectError{Message: "not authorized", Data: map[string]any{"content": "retry later"}}
	})
	setup(mw)
}

// ---- pausable TCP proxy ----
