package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"
)

// npmHint is the fix for a missing or stale e2e/node_modules.
const npmHint = "run `npm ci --prefix e2e` from the repository root"

// requireJS fails the test (it never skips: CI must install the clients)
// unless node is on PATH and e2e/node_modules holds the packages pinned in
// e2e/package.json, at the pinned versions.
func requireJS(t testing.TB, pkgs ...string) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node not found on PATH (%v): install Node.js 20+, then %s", err, npmHint)
	}
	var manifest struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	b, err := os.ReadFile("package.json")
	if err != nil {
		t.Fatalf("reading e2e/package.json: %v", err)
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatalf("parsing e2e/package.json: %v", err)
	}
	for _, name := range pkgs {
		want, ok := manifest.Dependencies[name]
		if !ok {
			t.Fatalf("e2e/package.json does not list %s", name)
		}
		var installed struct {
			Version string `json:"version"`
		}
		b, err := os.ReadFile(filepath.Join("node_modules", name, "package.json"))
		if err != nil {
			t.Fatalf("%s is not installed in e2e/node_modules (%v): %s", name, err, npmHint)
		}
		if err := json.Unmarshal(b, &installed); err != nil {
			t.Fatalf("parsing node_modules/%s/package.json: %v", name, err)
		}
		// An npm alias ("x-v2": "npm:x@2.5.0") pins the version after "@".
		if alias, ok := strings.CutPrefix(want, "npm:"); ok {
			want = alias[strings.LastIndexByte(alias, '@')+1:]
		}
		if installed.Version != want {
			t.Fatalf("e2e/node_modules has %s %s, package.json pins %s: %s", name, installed.Version, want, npmHint)
		}
	}
}

// ---- server side ----

// serverMsg is a message received by the server.
type serverMsg struct {
	data   []byte
	binary bool
}

// serverConn records the events of one server session.
type serverConn struct {
	s      *engineio.Socket
	echo   bool
	msgs   chan serverMsg
	closed chan struct{}

	mu      sync.Mutex
	reason  string
	err     error
	closeAt time.Time
}

func (c *serverConn) OnMessage(data []byte, binary bool) {
	if c.echo {
		c.s.Send(data, binary)
	}
	select {
	case c.msgs <- serverMsg{data, binary}:
	default:
		panic("e2e: server message buffer full")
	}
}

func (c *serverConn) OnClose(reason string, err error) {
	c.mu.Lock()
	c.reason, c.err, c.closeAt = reason, err, time.Now()
	c.mu.Unlock()
	close(c.closed)
}

// waitClose waits for OnClose and returns its reason and error.
func (c *serverConn) waitClose(t testing.TB, timeout time.Duration) (string, error) {
	t.Helper()
	select {
	case <-c.closed:
	case <-time.After(timeout):
		t.Fatalf("server: session %s not closed within %v (transport %s)", c.s.ID(), timeout, c.s.TransportName())
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason, c.err
}

// nextMsg waits for the next message the server received.
func (c *serverConn) nextMsg(t testing.TB, timeout time.Duration) serverMsg {
	t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case <-c.closed:
		c.mu.Lock()
		defer c.mu.Unlock()
		t.Fatalf("server: session closed (%q, %v) while waiting for a message", c.reason, c.err)
	case <-time.After(timeout):
		t.Fatalf("server: no message within %v", timeout)
	}
	return serverMsg{}
}

type testServer struct {
	eio   *engineio.Server
	http  *httptest.Server
	conns chan *serverConn
	url   string
}

// testOptions are the timers of most tests: a fast heartbeat that still
// tolerates a loaded CI machine (the heartbeat tests shorten PingTimeout).
func testOptions() *engineio.Options {
	return &engineio.Options{
		PingInterval:   300 * time.Millisecond,
		PingTimeout:    1000 * time.Millisecond,
		UpgradeTimeout: time.Second,
	}
}

// startServer serves an engineio server on 127.0.0.1. Sessions echo their
// messages if echo is set. The server is closed at test end.
func startServer(t testing.TB, opts *engineio.Options, echo bool) *testServer {
	t.Helper()
	if opts == nil {
		opts = testOptions()
	}
	ts := &testServer{conns: make(chan *serverConn, 16)}
	user := opts.OnConnection
	o := *opts
	o.OnConnection = func(s *engineio.Socket) {
		c := &serverConn{s: s, echo: echo, msgs: make(chan serverMsg, 4096), closed: make(chan struct{})}
		s.SetHandler(c)
		select {
		case ts.conns <- c:
		default:
			panic("e2e: too many sessions")
		}
		if user != nil {
			user(s)
		}
	}
	ts.eio = engineio.NewServer(&o)
	ts.http = httptest.NewServer(ts.eio) // listens on 127.0.0.1:0
	ts.url = ts.http.URL
	t.Cleanup(func() {
		ts.eio.Close()
		ts.http.CloseClientConnections()
		ts.http.Close()
	})
	return ts
}

// accept waits for the next session.
func (ts *testServer) accept(t testing.TB, timeout time.Duration) *serverConn {
	t.Helper()
	select {
	case c := <-ts.conns:
		return c
	case <-time.After(timeout):
		t.Fatalf("server: no session within %v", timeout)
	}
	return nil
}

// ---- client side ----

// clientEvent is one JSON line of js/eio-client.mjs.
type clientEvent struct {
	Event        string   `json:"event"`
	Transport    string   `json:"transport"`
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int      `json:"pingInterval"`
	PingTimeout  int      `json:"pingTimeout"`
	Type         string   `json:"type"`
	Data         string   `json:"data"`
	Reason       string   `json:"reason"`
	Description  string   `json:"description"`
	Code         int      `json:"code"`
	Message      string   `json:"message"`
	Count        int      `json:"count"`
	Ignored      bool     `json:"ignored"`

	raw string
	at  time.Time
}

// jsClient is one node process running js/eio-client.mjs.
type jsClient struct {
	t      testing.TB
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	events chan clientEvent // closed when stdout ends
	stderr *lockedBuffer

	mu  sync.Mutex
	log []string // every line, for failure reports
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// clientTimeout bounds every node process: the script's own hard timeout,
// plus a context kill from Go should the script hang anyway.
const clientTimeout = 10 * time.Second

// startClient runs the engine.io-client script with opts (url and path
// are filled in from ts). The process is killed at test end.
func startClient(t testing.TB, ts *testServer, opts map[string]any) *jsClient {
	t.Helper()
	requireJS(t, "engine.io-client")
	o := map[string]any{"url": ts.url, "path": ts.eio.Path(), "timeoutMs": clientTimeout.Milliseconds()}
	for k, v := range opts {
		o[k] = v
	}
	c := &jsClient{t: t, events: make(chan clientEvent, 4096)}
	p := startNode(t, "eio-client.mjs", o, clientTimeout, func(line []byte) {
		c.mu.Lock()
		c.log = append(c.log, string(line))
		c.mu.Unlock()
		var ev clientEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			ev = clientEvent{Event: "unparsable"}
		}
		ev.raw, ev.at = string(line), time.Now()
		c.events <- ev
	}, func() { close(c.events) })
	c.cmd, c.stdin, c.stderr = p.cmd, p.stdin, p.stderr
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("client output:\n%s\nclient stderr:\n%s", c.output(), c.stderr.String())
		}
	})
	return c
}

func (c *jsClient) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.log, "\n")
}

// do sends a command to the script.
func (c *jsClient) do(cmd map[string]any) {
	c.t.Helper()
	b, _ := json.Marshal(cmd)
	if _, err := c.stdin.Write(append(b, '\n')); err != nil {
		c.t.Fatalf("client: writing command %s: %v", b, err)
	}
}

// next returns the next event other than pings (unless pings are asked
// for), failing on timeout or process end.
func (c *jsClient) next(timeout time.Duration, pings bool) clientEvent {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				c.t.Fatalf("client: process ended while waiting for an event\nstderr: %s", c.stderr.String())
			}
			if ev.Event == "timeout" {
				c.t.Fatalf("client: hard timeout of the script")
			}
			if ev.Event == "ping" && !pings {
				continue
			}
			return ev
		case <-deadline:
			c.t.Fatalf("client: no event within %v", timeout)
		}
	}
}

// expect returns the next event, which must be named name (pings are
// skipped unless name is "ping").
func (c *jsClient) expect(name string, timeout time.Duration) clientEvent {
	c.t.Helper()
	ev := c.next(timeout, name == "ping")
	if ev.Event != name {
		c.t.Fatalf("client: got event %s, want %q", ev.raw, name)
	}
	return ev
}

// waitFor skips events until one named name arrives, and returns the
// skipped ones too, pings included.
func (c *jsClient) waitFor(name string, timeout time.Duration) (clientEvent, []clientEvent) {
	c.t.Helper()
	var skipped []clientEvent
	deadline := time.Now().Add(timeout)
	for {
		ev := c.next(time.Until(deadline), true)
		if ev.Event == name {
			return ev, skipped
		}
		skipped = append(skipped, ev)
	}
}

// expectOpen waits for the open event on transport.
func (c *jsClient) expectOpen(transport string) clientEvent {
	c.t.Helper()
	ev := c.expect("open", 5*time.Second)
	if ev.Transport != transport {
		c.t.Fatalf("client: opened on %q, want %q (%s)", ev.Transport, transport, ev.raw)
	}
	return ev
}

// expectMessage waits for the next message and checks it.
func (c *jsClient) expectMessage(typ string, data []byte, timeout time.Duration) {
	c.t.Helper()
	ev := c.expect("message", timeout)
	got := []byte(ev.Data)
	if typ == "binary" {
		var err error
		if got, err = b64(ev.Data); err != nil {
			c.t.Fatalf("client: bad base64 in %s: %v", ev.raw, err)
		}
	}
	if ev.Type != typ || !bytes.Equal(got, data) {
		c.t.Fatalf("client: got %s message %s, want %s message %s", ev.Type, short(got), typ, short(data))
	}
}

func short(b []byte) string {
	if len(b) > 64 {
		return fmt.Sprintf("%q... (%d bytes)", b[:64], len(b))
	}
	return fmt.Sprintf("%q", b)
}
