package e2e

// Harness of the Socket.IO interop tests (sio_interop_test.go): a gosio
// server on 127.0.0.1 and node processes running js/sio-client.mjs, the
// official socket.io-client.

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"

	socketio "github.com/gosio/socketio"
)

// sioTimeout bounds each wait of the tests for one event.
const sioTimeout = 5 * time.Second

// ---- server side ----

type sioServer struct {
	io   *socketio.Server
	http *httptest.Server
	url  string
}

// sioOptions are the timers of the tests where the heartbeat does not
// matter: long enough never to fire on a loaded CI machine.
func sioOptions() *socketio.Options {
	return &socketio.Options{
		Engine: engineio.Options{PingInterval: 5 * time.Second, PingTimeout: 5 * time.Second, UpgradeTimeout: 2 * time.Second},
	}
}

// startSIO serves a socketio server on 127.0.0.1 (opts nil: sioOptions).
// setup runs before the server listens. The server is closed at test end.
func startSIO(t testing.TB, opts *socketio.Options, setup func(io *socketio.Server)) *sioServer {
	t.Helper()
	if opts == nil {
		opts = sioOptions()
	}
	io := socketio.NewServer(opts)
	if setup != nil {
		setup(io)
	}
	ss := &sioServer{io: io}
	ss.http = httptest.NewServer(io) // 127.0.0.1:0
	ss.url = ss.http.URL
	t.Cleanup(func() {
		io.Close()
		ss.http.CloseClientConnections()
		ss.http.Close()
	})
	return ss
}

// recv waits for a value on ch.
func recv[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(sioTimeout):
		t.Fatalf("server: no %s within %v", what, sioTimeout)
	}
	var zero T
	return zero
}

// noRecv fails if a value arrives on ch within d.
func noRecv[T any](t testing.TB, ch <-chan T, d time.Duration, what string) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("server: unexpected %s: %v", what, v)
	case <-time.After(d):
	}
}

// ---- client side ----

// sioEvent is one JSON line of js/sio-client.mjs.
type sioEvent struct {
	Event       string            `json:"event"`
	ID          string            `json:"id"`
	Conn        string            `json:"conn"`
	Name        string            `json:"name"`
	Tag         string            `json:"tag"`
	Args        []json.RawMessage `json:"args"`
	HasAck      bool              `json:"hasAck"`
	Reason      string            `json:"reason"`
	Description string            `json:"description"`
	Message     string            `json:"message"`
	Data        json.RawMessage   `json:"data"`
	SID         string            `json:"sid"`
	Transport   string            `json:"transport"`

	raw string
}

// argsJSON returns the arguments as one compact JSON array.
func (ev sioEvent) argsJSON() string {
	b, _ := json.Marshal(ev.Args)
	return string(b)
}

// sioClient is one node process running js/sio-client.mjs. It may hold
// several connections ("conns") and several sockets.
type sioClient struct {
	t      testing.TB
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	events chan sioEvent // closed when stdout ends
	stderr *lockedBuffer

	pending []sioEvent // read but not yet matched, in order

	mu  sync.Mutex
	log []string
}

// startSIOClient runs the script against ss with opts (url filled in).
// The process is killed at test end.
func startSIOClient(t testing.TB, ss *sioServer, opts map[string]any) *sioClient {
	t.Helper()
	return startSIOClientScript(t, ss, "sio-client.mjs", "socket.io-client", opts)
}

// startSIOClientScript is startSIOClient with another script of js/ that
// speaks the same lines, driving the npm package pkg.
func startSIOClientScript(t testing.TB, ss *sioServer, script, pkg string, opts map[string]any) *sioClient {
	t.Helper()
	requireJS(t, pkg)
	o := map[string]any{"url": ss.url, "timeoutMs": clientTimeout.Milliseconds()}
	for k, v := range opts {
		o[k] = v
	}
	c := &sioClient{t: t, events: make(chan sioEvent, 4096)}
	p := startNode(t, script, o, clientTimeout, func(line []byte) {
		c.mu.Lock()
		c.log = append(c.log, string(line))
		c.mu.Unlock()
		var ev sioEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			ev = sioEvent{Event: "unparsable"}
		}
		ev.raw = string(line)
		c.events <- ev
	}, func() { close(c.events) })
	c.cmd, c.stdin, c.stderr = p.cmd, p.stdin, p.stderr
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("sio client output:\n%s\nsio client stderr:\n%s", c.output(), c.stderr.String())
		}
	})
	return c
}

func (c *sioClient) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.log, "\n")
}

// do sends a command to the script.
func (c *sioClient) do(cmd map[string]any) {
	c.t.Helper()
	b, err := json.Marshal(cmd)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.stdin.Write(append(b, '\n')); err != nil {
		c.t.Fatalf("client: writing command %s: %v", b, err)
	}
}

// match selects events: the event kind, then the socket (or conn) id if
// not empty, then name/tag if not empty.
type match struct {
	event string
	id    string // socket id, or conn for conn events
	name  string // event name (event), tag (ack, ackError)
}

func (m match) ok(ev sioEvent) bool {
	if ev.Event != m.event {
		return false
	}
	if m.id != "" && ev.ID != m.id && ev.Conn != m.id {
		return false
	}
	if m.name != "" && ev.Name != m.name && ev.Tag != m.name {
		return false
	}
	return true
}

// readEvent reads one event from the process, failing on the end of the
// process, the script's hard timeout or a bad command.
func (c *sioClient) readEvent(deadline time.Time, what string) (sioEvent, bool) {
	c.t.Helper()
	select {
	case ev, ok := <-c.events:
		if !ok {
			c.t.Fatalf("client: process ended while waiting for %s\nstderr: %s", what, c.stderr.String())
		}
		switch ev.Event {
		case "timeout":
			c.t.Fatalf("client: hard timeout of the script while waiting for %s", what)
		case "badCommand", "unparsable":
			c.t.Fatalf("client: %s", ev.raw)
		}
		return ev, true
	case <-time.After(time.Until(deadline)):
		return sioEvent{}, false
	}
}

// expect returns the first event (pending or new) that m selects; other
// events are kept for later expectations.
func (c *sioClient) expect(m match, timeout time.Duration) sioEvent {
	c.t.Helper()
	for i, ev := range c.pending {
		if m.ok(ev) {
			c.pending = append(c.pending[:i:i], c.pending[i+1:]...)
			return ev
		}
	}
	deadline := time.Now().Add(timeout)
	for {
		ev, ok := c.readEvent(deadline, m.event)
		if !ok {
			c.t.Fatalf("client: no %+v within %v", m, timeout)
		}
		if m.ok(ev) {
			return ev
		}
		c.pending = append(c.pending, ev)
	}
}

// expectNone fails if an event that m selects is pending or arrives
// within d.
func (c *sioClient) expectNone(m match, d time.Duration) {
	c.t.Helper()
	for _, ev := range c.pending {
		if m.ok(ev) {
			c.t.Fatalf("client: unexpected %s", ev.raw)
		}
	}
	deadline := time.Now().Add(d)
	for {
		ev, ok := c.readEvent(deadline, "nothing")
		if !ok {
			return
		}
		if m.ok(ev) {
			c.t.Fatalf("client: unexpected %s", ev.raw)
		}
		c.pending = append(c.pending, ev)
	}
}

// eventsUntil returns the names of the events of socket id, in order,
// until (excluding) event "end", which must come.
func (c *sioClient) eventsUntil(id, end string) []string {
	c.t.Helper()
	var names []string
	for {
		ev := c.expect(match{event: "event", id: id}, sioTimeout)
		if ev.Name == end {
			return names
		}
		names = append(names, ev.Name)
	}
}

// socket creates socket id on nsp (conn "" is the default one) and
// returns without waiting.
func (c *sioClient) socket(id, nsp, conn string, auth map[string]any) {
	c.t.Helper()
	cmd := map[string]any{"cmd": "socket", "id": id, "nsp": nsp}
	if conn != "" {
		cmd["conn"] = conn
	}
	if auth != nil {
		cmd["auth"] = auth
	}
	c.do(cmd)
}

// connect creates socket id and waits for its connect event.
func (c *sioClient) connect(id, nsp, conn string, auth map[string]any) sioEvent {
	c.t.Helper()
	c.socket(id, nsp, conn, auth)
	return c.expect(match{event: "connect", id: id}, sioTimeout)
}

// emit emits an event without ack.
func (c *sioClient) emit(id, event string, args ...any) {
	c.t.Helper()
	if args == nil {
		args = []any{}
	}
	c.do(map[string]any{"cmd": "emit", "id": id, "event": event, "args": args})
}

// emitAck emits an event asking for an ack, reported under tag.
func (c *sioClient) emitAck(id, tag, event string, args ...any) {
	c.t.Helper()
	if args == nil {
		args = []any{}
	}
	c.do(map[string]any{"cmd": "emit", "id": id, "event": event, "args": args, "tag": tag})
}

// ack waits for the ack of tag and returns its arguments as JSON.
func (c *sioClient) ack(id, tag string) string {
	c.t.Helper()
	return c.expect(match{event: "ack", id: id, name: tag}, sioTimeout).argsJSON()
}

// reply sets the answer of socket id to the acks of server event.
func (c *sioClient) reply(id, event string, args ...any) {
	c.t.Helper()
	if args == nil {
		args = []any{}
	}
	c.do(map[string]any{"cmd": "reply", "id": id, "event": event, "args": args})
	// The server's events may overtake the command inside node: wait
	// until the rule is set.
	c.expect(match{event: "replySet", id: id, name: event}, sioTimeout)
}

// signal sends sig to the node process.
func (c *sioClient) signal(sig syscall.Signal) {
	c.t.Helper()
	if err := c.cmd.Process.Signal(sig); err != nil {
		c.t.Fatalf("client: signal %v: %v", sig, err)
	}
}

// bin is a binary value for the script (as: "buffer", "arraybuffer" or
// "uint8array").
func bin(b []byte, as string) map[string]any {
	return map[string]any{"$bin": base64.StdEncoding.EncodeToString(b), "as": as}
}

// binOut is how the script reports a binary value of type typ.
func binOut(b []byte, typ string) string {
	out, _ := json.Marshal(map[string]any{"$bin": base64.StdEncoding.EncodeToString(b), "type": typ})
	return string(out)
}

// compactJSON re-encodes JSON compactly, with object keys sorted, so that
// two encodings compare as strings.
func compactJSON(t testing.TB, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %q: %v", s, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// waitUntil polls cond until it is true or timeout passes.
func waitUntil(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
