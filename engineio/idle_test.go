//go:build linux

package engineio

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/internal/testutil"
)

// idleRecorder records what the sessions of an idle test receive.
type idleRecorder struct {
	mu     sync.Mutex
	msgs   map[string][]string // by session id
	closed map[string]string   // reason, by session id
	ch     chan struct{}       // a signal per event
}

func newIdleRecorder() *idleRecorder {
	return &idleRecorder{msgs: map[string][]string{}, closed: map[string]string{}, ch: make(chan struct{}, 1024)}
}

type idleHandler struct {
	r *idleRecorder
	s *Socket
}

func (h idleHandler) OnMessage(data []byte, binary bool) {
	h.r.mu.Lock()
	h.r.msgs[h.s.ID()] = append(h.r.msgs[h.s.ID()], string(data))
	h.r.mu.Unlock()
	h.s.Send(data, binary)
	h.r.ch <- struct{}{}
}

func (h idleHandler) OnClose(reason string, _ error) {
	h.r.mu.Lock()
	h.r.closed[h.s.ID()] = reason
	h.r.mu.Unlock()
	h.r.ch <- struct{}{}
}

// waitUntil polls cond until it holds or d passes.
func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (p *idlePoller) handedOver() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// goroutinesIn counts the goroutines whose stack contains fn.
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			count++
		}
	}
	return count
}

func startIdleServer(t *testing.T, opts *Options) (*testServer, *idleRecorder) {
	t.Helper()
	rec := newIdleRecorder()
	opts.OnConnection = func(s *Socket) { s.SetHandler(idleHandler{rec, s}) }
	return startServer(t, opts), rec
}

func dialIdle(t *testing.T, ts *testServer) (*testutil.Conn, string) {
	t.Helper()
	c, _, err := testutil.DialWebSocket(ts.http.Listener.Addr().String(), ts.Path()+"?EIO=4&transport=websocket", nil)
	if err != nil {
		t.Fatal(err)
	}
	open, err := c.ReadEIO(2 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	sid, err := testutil.OpenSID(open)
	if err != nil {
		t.Fatal(err)
	}
	return c, sid
}

// An idle connection gives up its reader goroutine; a message gets a new
// one, which answers, and the connection is handed over again.
func TestIdleHandoffReleasesTheReader(t *testing.T) {
	ts, rec := startIdleServer(t, &Options{IdleHandoff: 20 * time.Millisecond})
	const n = 20
	conns := make([]*testutil.Conn, n)
	for i := range conns {
		conns[i], _ = dialIdle(t, ts)
	}
	waitUntil(t, 5*time.Second, "every connection handed over", func() bool { return ts.idle.handedOver() == n })
	if g := goroutinesIn("engineio.(*wsConn).readLoop"); g != 0 {
		t.Fatalf("%d reader goroutines while every connection is idle", g)
	}
	for round := range 3 {
		for i, c := range conns {
			if err := c.WriteText("4hello"); err != nil {
				t.Fatalf("round %d, conn %d: %v", round, i, err)
			}
		}
		for i, c := range conns {
			got, err := c.ReadEIO(2 * time.Second)
			if err != nil || got != "4hello" {
				t.Fatalf("round %d, conn %d: echo %q, %v", round, i, got, err)
			}
		}
		waitUntil(t, 5*time.Second, "handed over again", func() bool { return ts.idle.handedOver() == n })
	}
	for _, c := range conns {
		c.Close()
	}
	waitUntil(t, 5*time.Second, "sessions closed", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.closed) == n
	})
	rec.mu.Lock()
	for sid, reason := range rec.closed {
		if reason != ReasonTransportClose {
			t.Errorf("session %s closed with %q, want %q", sid, reason, ReasonTransportClose)
		}
	}
	rec.mu.Unlock()
	waitUntil(t, 5*time.Second, "the poller to stop", func() bool { return goroutinesIn("engineio.(*idlePoller).run") == 0 })
}

// The idle deadline bounds the wait between messages only: a frame that
// stalls half-way for longer is still read whole.
func TestIdleHandoffSlowFrame(t *testing.T) {
	ts, rec := startIdleServer(t, &Options{IdleHandoff: 20 * time.Millisecond})
	c, sid := dialIdle(t, ts)
	wire := testutil.AppendFrame(nil, testutil.Frame{Fin: true, Op: testutil.OpText, Mask: [4]byte{1, 2, 3, 4}, Payload: []byte("4" + strings.Repeat("s", 2000))})
	for _, part := range [][]byte{wire[:1], wire[1:600], wire[600:]} {
		if _, err := c.Write(part); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // five idle periods
	}
	got, err := c.ReadEIO(2 * time.Second)
	if err != nil || got != "4"+strings.Repeat("s", 2000) {
		t.Fatalf("echo of the slow frame: %d bytes, %v", len(got), err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.msgs[sid]) != 1 || rec.closed[sid] != "" {
		t.Fatalf("messages %d, closed %q", len(rec.msgs[sid]), rec.closed[sid])
	}
}

// Pings and pongs of handed-over connections keep them open, round after
// round.
func TestIdleHandoffHeartbeat(t *testing.T) {
	ts, rec := startIdleServer(t, &Options{IdleHandoff: 5 * time.Millisecond, PingInterval: 40 * time.Millisecond, PingTimeout: 200 * time.Millisecond})
	c, sid := dialIdle(t, ts)
	pings := 0
	for pings < 10 {
		f, err := c.ReadFrame(2 * time.Second) // ReadEIO would answer the ping itself
		if err != nil {
			t.Fatalf("after %d pings: %v", pings, err)
		}
		if f.Op == testutil.OpText && string(f.Payload) == "2" {
			pings++
			time.Sleep(10 * time.Millisecond) // idle before the pong: handed over
			if err := c.WriteText("3"); err != nil {
				t.Fatal(err)
			}
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if reason := rec.closed[sid]; reason != "" {
		t.Fatalf("session closed: %q", reason)
	}
}

// Closing a session whose connection is handed over, and closing the
// server, end everything: sessions with their reasons, readers, poller.
func TestIdleHandoffCloses(t *testing.T) {
	ts, rec := startIdleServer(t, &Options{IdleHandoff: 10 * time.Millisecond})
	var conns []*testutil.Conn
	var sids []string
	for range 5 {
		c, sid := dialIdle(t, ts)
		conns = append(conns, c)
		sids = append(sids, sid)
	}
	waitUntil(t, 5*time.Second, "handed over", func() bool { return ts.idle.handedOver() == 5 })
	ts.mu.RLock()
	first := ts.sessions[sids[0]]
	ts.mu.RUnlock()
	first.Close()
	if code, _, err := conns[0].ExpectClose(2 * time.Second); err != nil && err != testutil.ErrNoCloseFrame {
		t.Fatalf("session close: code %d, %v", code, err)
	}
	ts.Close()
	for i, c := range conns[1:] {
		if _, _, err := c.ExpectClose(2 * time.Second); err != nil && err != testutil.ErrNoCloseFrame {
			t.Fatalf("conn %d after Server.Close: %v", i+1, err)
		}
	}
	waitUntil(t, 5*time.Second, "sessions closed", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.closed) == 5
	})
	rec.mu.Lock()
	if r := rec.closed[sids[0]]; r != ReasonForcedClose {
		t.Errorf("closed session: %q", r)
	}
	for _, sid := range sids[1:] {
		if r := rec.closed[sid]; r != ReasonForcedClose {
			t.Errorf("session %s after Server.Close: %q", sid, r)
		}
	}
	rec.mu.Unlock()
	waitUntil(t, 5*time.Second, "readers and poller gone", func() bool {
		return goroutinesIn("engineio.(*idlePoller).run") == 0 && goroutinesIn("engineio.(*wsConn).readLoop") == 0
	})
}

// A negative IdleHandoff keeps a reader goroutine per connection.
func TestIdleHandoffOff(t *testing.T) {
	ts, _ := startIdleServer(t, &Options{IdleHandoff: -1})
	c, _ := dialIdle(t, ts)
	defer c.Close()
	time.Sleep(50 * time.Millisecond)
	if n := ts.idle.handedOver(); n != 0 {
		t.Fatalf("%d handed over with IdleHandoff < 0", n)
	}
	if g := goroutinesIn("engineio.(*wsConn).readLoop"); g != 1 {
		t.Fatalf("%d reader goroutines, want 1", g)
	}
}
