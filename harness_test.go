package socketio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/internal/testutil"

	"go.uber.org/goleak"
)

// suiteOptions is the configuration of the official Socket.IO v5 suite's
// fixture (e2e/fixture/socketio.go): pingInterval 300 ms, pingTimeout
// 200 ms, maxHttpBufferSize 1e6, connectTimeout 1 s, CORS "*".
func suiteOptions() *Options {
	return &Options{
		ConnectTimeout: time.Second,
		Engine:         engineio.Options{PingInterval: 300 * time.Millisecond, PingTimeout: 200 * time.Millisecond, MaxHTTPBufferSize: 1e6, CORS: &CORSOptions{Origins: []string{"*"}}},
	}
}

// robustOptions shrinks the timers as docs/robustness.md section 5 asks.
func robustOptions() *Options {
	return &Options{
		ConnectTimeout: 100 * time.Millisecond,
		Engine:         engineio.Options{PingInterval: 300 * time.Millisecond, PingTimeout: 200 * time.Millisecond, UpgradeTimeout: 100 * time.Millisecond, MaxHTTPBufferSize: 1e6},
	}
}

// installFixture registers the suite fixture's handlers: "/" emits "auth"
// with the handshake auth, echoes "message" as "message-back" and acks
// "message-with-ack"; "/custom" emits "auth".
func installFixture(io *Server) {
	io.OnConnection(func(s *Socket) {
		s.Emit("auth", s.Handshake().Auth)
		s.On("message", func(e *Event) {
			s.Emit("message-back", e.Values()...)
		})
		s.On("message-with-ack", func(e *Event) {
			e.Ack(e.Values()...)
		})
	})
	io.Of("/custom").OnConnection(func(s *Socket) {
		s.Emit("auth", s.Handshake().Auth)
	})
}

// logWatch records the server's error logs (handler panics) and net/http's
// error log, for the "no panic" gate.
type logWatch struct {
	mu    sync.Mutex
	lines []string
}

func (w *logWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.lines = append(w.lines, string(p))
	w.mu.Unlock()
	return len(p), nil
}

func (w *logWatch) matching(sub string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, l := range w.lines {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return out
}

// env is a Socket.IO server on 127.0.0.1 with raw clients.
type env struct {
	t    testing.TB
	io   *Server
	hs   *httptest.Server
	hc   *http.Client
	logs *logWatch
	url  string // http://127.0.0.1:port/socket.io/
	ws   string // ws://127.0.0.1:port/socket.io/
	once sync.Once
	// allowPanics disables the "no panic" gate of finish (item 47).
	allowPanics bool
}

var rtCounter atomic.Int64

func newEnv(t testing.TB, opts *Options, setup ...func(*Server)) *env {
	t.Helper()
	if opts == nil {
		opts = robustOptions()
	}
	w := &logWatch{}
	opts.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelError}))
	io := NewServer(opts)
	installFixture(io)
	for _, f := range setup {
		f(io)
	}
	hs := httptest.NewUnstartedServer(io)
	hs.Config.ErrorLog = log.New(w, "", 0)
	hs.Start()
	if !strings.HasPrefix(hs.URL, "http://127.0.0.1:") {
		t.Fatalf("test server not on 127.0.0.1: %s", hs.URL)
	}
	path := io.Engine().Path()
	e := &env{
		t:    t,
		io:   io,
		hs:   hs,
		hc:   &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 5 * time.Second},
		logs: w,
		url:  hs.URL + path,
		ws:   "ws" + strings.TrimPrefix(hs.URL, "http") + path,
	}
	t.Cleanup(e.close)
	return e
}

func (e *env) addr() string { return strings.TrimPrefix(e.hs.URL, "http://") }

// close closes the server, then the HTTP server and idle client
// connections. It may be called more than once.
func (e *env) close() {
	e.once.Do(func() {
		e.io.Close()
		e.hs.CloseClientConnections()
		e.hs.Close()
		e.hc.CloseIdleConnections()
	})
}

// finish applies the gates of robustness.md section 5: no panic was
// logged, the server's maps are back to baseline, and after Close no
// goroutine is left. Only for sequential tests (goleak sees every
// goroutine of the process).
func (e *env) finish(t *testing.T, base stateSnap) {
	t.Helper()
	e.waitState(t, base)
	e.checkNoPanic(t)
	e.close()
	goleak.VerifyNone(t)
}

func (e *env) checkNoPanic(t *testing.T) {
	t.Helper()
	if e.allowPanics {
		return
	}
	for _, sub := range []string{"panic", "goroutine "} {
		if l := e.logs.matching(sub); len(l) > 0 {
			t.Errorf("panic logged: %s", l[0])
		}
	}
}

// ---- HTTP long-polling ----

func (e *env) do(ctx context.Context, method, url, body string) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	if body != "" {
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	}
	res, err := e.hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, string(b), err
}

func (e *env) mustDo(t testing.TB, method, url, body string) (int, string) {
	t.Helper()
	code, b, err := e.do(context.Background(), method, url, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return code, b
}

func (e *env) sidURL(sid string) string { return e.url + "?EIO=4&transport=polling&sid=" + sid }

// openPolling performs a polling handshake and returns the sid.
func (e *env) openPolling(t testing.TB) string {
	t.Helper()
	code, body := e.mustDo(t, "GET", e.url+"?EIO=4&transport=polling", "")
	if code != 200 || !strings.HasPrefix(body, "0{") {
		t.Fatalf("handshake: %d %q", code, body)
	}
	sid, err := openSID(body)
	if err != nil {
		t.Fatal(err)
	}
	return sid
}

func openSID(open string) (string, error) {
	i := strings.Index(open, `"sid":"`)
	if i < 0 {
		return "", fmt.Errorf("no sid in %q", open)
	}
	i += 7
	j := strings.IndexByte(open[i:], '"')
	if j < 0 {
		return "", fmt.Errorf("no sid in %q", open)
	}
	return open[i : i+j], nil
}

func (e *env) get(t testing.TB, sid string) (int, string) {
	t.Helper()
	return e.mustDo(t, "GET", e.sidURL(sid), "")
}

func (e *env) post(t testing.TB, sid, body string) (int, string) {
	t.Helper()
	return e.mustDo(t, "POST", e.sidURL(sid), body)
}

// pollUntil polls until the packets received (split on \x1e, pings
// answered) contain one starting with prefix; it returns that packet and
// everything received.
func (e *env) pollUntil(t testing.TB, sid, prefix string) (string, []string) {
	t.Helper()
	var all []string
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		code, body := e.get(t, sid)
		if code != 200 {
			t.Fatalf("poll: %d %q (got so far %q)", code, body, all)
		}
		for _, p := range strings.Split(body, "\x1e") {
			all = append(all, p)
			if p == "2" {
				e.post(t, sid, "3")
				continue
			}
			if strings.HasPrefix(p, prefix) {
				return p, all
			}
		}
	}
	t.Fatalf("no packet %q in %q", prefix, all)
	return "", nil
}

// ---- WebSocket ----

// wsConn is a raw WebSocket client (internal/testutil frames): tests
// send exactly the bytes they mean.
type wsConn struct {
	conn *testutil.Conn
	wmu  sync.Mutex
}

// dialWS dials a WebSocket; it is closed at the end of t.
func (e *env) dialWS(t testing.TB, query string) (*wsConn, error) {
	c, err := e.dialRaw(query)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.conn.Close() })
	return c, nil
}

// dialRaw dials a WebSocket the caller must close; safe on any goroutine.
func (e *env) dialRaw(query string) (*wsConn, error) {
	path := strings.TrimPrefix(e.url, e.hs.URL)
	conn, _, err := testutil.DialWebSocket(e.addr(), path+"?"+query, nil)
	if err != nil {
		return nil, err
	}
	return &wsConn{conn: conn}, nil
}

// connectRaw opens a WebSocket session and connects to "/" (fixture
// replies checked), returning errors instead of failing a test.
func (e *env) connectRaw() (*wsConn, string, error) {
	c, err := e.dialRaw("EIO=4&transport=websocket")
	if err != nil {
		return nil, "", err
	}
	fail := func(err error) (*wsConn, string, error) { c.close(); return nil, "", err }
	if msg, _, err := c.readRaw(3 * time.Second); err != nil || !strings.HasPrefix(msg, "0{") {
		return fail(fmt.Errorf("open packet %q: %v", msg, err))
	}
	if err := c.write(testutil.OpText, []byte("40")); err != nil {
		return fail(err)
	}
	// A broadcast may be queued just before the CONNECT reply (the socket
	// is in its rooms first, as in the reference); clients buffer such
	// events, this one skips them.
	var msg string
	for {
		m, bin, err := c.recv(3 * time.Second)
		if err == nil && (bin || strings.HasPrefix(m, "42") || strings.HasPrefix(m, "45")) {
			continue
		}
		if err != nil || !strings.HasPrefix(m, "40{") {
			return fail(fmt.Errorf("connect reply %q: %v", m, err))
		}
		msg = m
		break
	}
	sid, err := openSID(msg)
	if err != nil {
		return fail(err)
	}
	// Broadcasts may arrive before the connection handler's "auth".
	for {
		msg, bin, err := c.recv(3 * time.Second)
		if err != nil || (!bin && !strings.HasPrefix(msg, "42") && !strings.HasPrefix(msg, "45")) {
			return fail(fmt.Errorf("auth packet %q: %v", msg, err))
		}
		if msg == `42["auth",{}]` {
			return c, sid, nil
		}
	}
}

// openWS opens a WebSocket session and checks the open packet.
func (e *env) openWS(t testing.TB) *wsConn {
	t.Helper()
	c, err := e.dialWS(t, "EIO=4&transport=websocket")
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	msg, _, err := c.readRaw(2 * time.Second)
	if err != nil || !strings.HasPrefix(msg, "0{") {
		t.Fatalf("open packet: %q %v", msg, err)
	}
	return c
}

// connectWS opens a WebSocket session and connects to "/" (the fixture
// replies CONNECT then "auth"); it returns the socket id.
func (e *env) connectWS(t testing.TB) (*wsConn, string) {
	t.Helper()
	c := e.openWS(t)
	c.send(t, "40")
	msg := c.expectPrefix(t, "40{")
	sid, err := openSID(msg)
	if err != nil {
		t.Fatal(err)
	}
	c.expect(t, `42["auth",{}]`)
	return c, sid
}

// readRaw returns the next data message (pings included); binary tells
// whether it was a binary frame.
func (c *wsConn) readRaw(d time.Duration) (string, bool, error) {
	deadline := time.Now().Add(d)
	var msg []byte
	var op byte
	for {
		f, err := c.conn.ReadFrame(time.Until(deadline))
		if err != nil {
			return "", false, err
		}
		switch f.Op {
		case testutil.OpClose:
			return "", false, io.EOF
		case testutil.OpPing, testutil.OpPong:
			continue
		case testutil.OpText, testutil.OpBinary:
			op = f.Op
		}
		msg = append(msg, f.Payload...)
		if f.Fin {
			return string(msg), op == testutil.OpBinary, nil
		}
	}
}

// recv returns the next message that is not an Engine.IO ping; pings are
// answered.
func (c *wsConn) recv(d time.Duration) (string, bool, error) {
	deadline := time.Now().Add(d)
	for {
		msg, bin, err := c.readRaw(time.Until(deadline))
		if err != nil {
			return "", false, err
		}
		if !bin && msg == "2" {
			if err := c.write(testutil.OpText, []byte("3")); err != nil {
				return "", false, err
			}
			continue
		}
		return msg, bin, nil
	}
}

// write sends one final, masked frame with opcode op (testutil.OpText,
// OpBinary, OpClose...).
func (c *wsConn) write(op byte, b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.conn.SetWriteDeadline(time.Now().Add(2 * time.Second))
	return c.conn.WriteFrame(testutil.Frame{Fin: true, Op: op, Mask: [4]byte{9, 8, 7, 6}, Payload: b})
}

func (c *wsConn) send(t testing.TB, s string) {
	t.Helper()
	if err := c.write(testutil.OpText, []byte(s)); err != nil {
		t.Fatalf("ws write %q: %v", trunc(s), err)
	}
}

func (c *wsConn) sendBinary(t testing.TB, b []byte) {
	t.Helper()
	if err := c.write(testutil.OpBinary, b); err != nil {
		t.Fatalf("ws write: %v", err)
	}
}

func (c *wsConn) expect(t testing.TB, want string) {
	t.Helper()
	msg, _, err := c.recv(2 * time.Second)
	if err != nil {
		t.Fatalf("ws read (want %q): %v", want, err)
	}
	if msg != want {
		t.Fatalf("got %q, want %q", trunc(msg), trunc(want))
	}
}

func (c *wsConn) expectPrefix(t testing.TB, prefix string) string {
	t.Helper()
	msg, _, err := c.recv(2 * time.Second)
	if err != nil {
		t.Fatalf("ws read (want %q...): %v", prefix, err)
	}
	if !strings.HasPrefix(msg, prefix) {
		t.Fatalf("got %q, want prefix %q", trunc(msg), prefix)
	}
	return msg
}

// expectNothing checks that no message other than pings arrives in d.
func (c *wsConn) expectNothing(t testing.TB, d time.Duration) {
	t.Helper()
	msg, _, err := c.recv(d)
	if err == nil {
		t.Fatalf("unexpected message %q", trunc(msg))
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("connection closed: %v", err)
	}
}

// closedErr waits up to d for the server to close the connection; frames
// before the close are returned.
func (c *wsConn) closedErr(d time.Duration) ([]string, error) {
	deadline := time.Now().Add(d)
	var seen []string
	for {
		msg, _, err := c.readRaw(time.Until(deadline))
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return seen, fmt.Errorf("the server did not close the WebSocket in %v (frames %q)", d, seen)
			}
			return seen, nil
		}
		seen = append(seen, msg)
	}
}

func (c *wsConn) expectClosed(t testing.TB, d time.Duration) []string {
	t.Helper()
	seen, err := c.closedErr(d)
	if err != nil {
		t.Fatal(err)
	}
	return seen
}

func (c *wsConn) close() { c.conn.Close() }

// drain reads (answering pings) and discards until the connection ends;
// the returned channel is closed then.
func (c *wsConn) drain() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if _, _, err := c.recv(time.Minute); err != nil {
				return
			}
		}
	}()
	return done
}

// roundTrip is the isolation gate: a well-behaved client connects over
// WebSocket, gets an echo and leaves.
func (e *env) roundTrip(t testing.TB) {
	t.Helper()
	c, _ := e.connectWS(t)
	n := rtCounter.Add(1)
	c.send(t, fmt.Sprintf(`42["message","rt-%d"]`, n))
	c.expect(t, fmt.Sprintf(`42["message-back","rt-%d"]`, n))
	c.close()
}

// roundTripPolling is roundTrip over HTTP long-polling.
func (e *env) roundTripPolling(t testing.TB) {
	t.Helper()
	sid := e.openPolling(t)
	if code, _ := e.post(t, sid, "40"); code != 200 {
		t.Fatalf("post 40: %d", code)
	}
	e.pollUntil(t, sid, `42["auth"`)
	n := rtCounter.Add(1)
	e.post(t, sid, fmt.Sprintf(`42["message","rtp-%d"]`, n))
	e.pollUntil(t, sid, fmt.Sprintf(`42["message-back","rtp-%d"]`, n))
	e.post(t, sid, "1")
}

// ---- server state ----

// stateSnap counts what the server holds: Engine.IO sessions and
// Socket.IO clients, namespaces, connected sockets, adapter rooms and
// pending acknowledgements.
type stateSnap struct {
	Sessions, Clients, Namespaces, Sockets, Rooms, Acks int
}

func (s *Server) snapshot() stateSnap {
	var st stateSnap
	st.Sessions = s.engine.ClientsCount()
	s.mu.RLock()
	st.Clients = len(s.clients)
	nsps := make([]*Namespace, 0, len(s.nsps))
	for _, n := range s.nsps {
		nsps = append(nsps, n)
	}
	s.mu.RUnlock()
	st.Namespaces = len(nsps)
	for _, n := range nsps {
		socks := n.Sockets()
		st.Sockets += len(socks)
		for _, so := range socks {
			st.Acks += so.pendingAcks()
		}
		st.Rooms += len(n.adapter.Rooms())
	}
	return st
}

// idle is the baseline of an idle server: its namespaces and nothing else.
func (e *env) idle() stateSnap { return stateSnap{Namespaces: e.io.snapshot().Namespaces} }

// waitState waits until the server's state is want.
func (e *env) waitState(t testing.TB, want stateSnap) {
	t.Helper()
	var got stateSnap
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if got = e.io.snapshot(); got == want {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("server state %+v, want %+v", got, want)
}

// waitFor polls cond until it holds or 3 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// heapInuse returns HeapInuse after two collections (memory gate).
func heapInuse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// trunc shortens s for messages.
func trunc(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%s...(%d bytes)", s[:80], len(s))
	}
	return s
}

// placeholders returns n placeholder objects joined by commas.
func placeholders(n int) string {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"_placeholder":true,"num":%d}`, i)
	}
	return b.String()
}
