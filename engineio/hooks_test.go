package engineio

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio/packet"
)

// hookLog records what hooks saw, one line per call.
type hookLog struct {
	mu    sync.Mutex
	lines []string
	errs  []error
}

func (l *hookLog) add(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	l.mu.Unlock()
}

func (l *hookLog) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// waitLine waits until a recorded line equals want.
func (l *hookLog) waitLine(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		for _, got := range l.snapshot() {
			if got == want {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no hook call %q; got %q", want, l.snapshot())
}

func recordingHooks(l *hookLog, tag string) *Hooks {
	return &Hooks{
		Open:    func(s *Socket) { l.add("%s open %s", tag, s.TransportName()) },
		Upgrade: func(s *Socket) { l.add("%s upgrade %s", tag, s.TransportName()) },
		Close: func(s *Socket, reason string, err error) {
			l.add("%s close %s %s", tag, s.TransportName(), reason)
			l.mu.Lock()
			l.errs = append(l.errs, err)
			l.mu.Unlock()
		},
		PacketIn: func(s *Socket, typ packet.Type, size int) {
			if typ == packet.Message {
				l.add("%s in %d", tag, size)
			}
		},
		PacketsOut:      func(s *Socket, n, size int) { l.add("%s out %d %d", tag, n, size) },
		WriteBufferFull: func(s *Socket, size int) { l.add("%s full %d", tag, size) },
	}
}

// TestHooksSessionLifecycle follows one session through every engine
// hook: open on polling, a message in and its echo out, the upgrade, a
// message over WebSocket, and the close with its reason. Hooks given in
// Options and added later are both called, in that order.
func TestHooksSessionLifecycle(t *testing.T) {
	var l hookLog
	opts := suiteOptions()
	opts.Hooks = recordingHooks(&l, "a")
	ts := startServer(t, opts)
	ts.AddHooks(recordingHooks(&l, "b"))
	ts.AddHooks(nil)

	sid := ts.openPolling(t)
	l.waitLine(t, "a open polling")
	l.waitLine(t, "b open polling")
	if code, _ := ts.post(t, sid, "4hello"); code != 200 {
		t.Fatalf("post: %d", code)
	}
	l.waitLine(t, "a in 5")
	l.waitLine(t, "a out 1 5")
	if _, body := ts.poll(t, sid); body != "4hello" {
		t.Fatalf("poll: %q", body)
	}

	c := mustDialWS(t, ts.ws+"?EIO=4&transport=websocket&sid="+sid)
	c.send("2probe")
	if msg, _ := c.read(); msg != "3probe" {
		t.Fatalf("probe answer %q", msg)
	}
	c.send("5")
	l.waitLine(t, "a upgrade websocket")
	l.waitLine(t, "b upgrade websocket")
	c.send("4abc")
	if msg, _ := c.read(); msg != "4abc" {
		t.Fatalf("echo %q", msg)
	}
	l.waitLine(t, "b in 3")
	c.conn.Close()
	l.waitLine(t, "a close websocket transport close")
	l.waitLine(t, "b close websocket transport close")

	got := strings.Join(l.snapshot(), "\n")
	for _, order := range [][2]string{{"a open", "b open"}, {"a in 5", "b in 5"}, {"a close", "b close"}} {
		if strings.Index(got, order[0]) > strings.Index(got, order[1]) {
			t.Errorf("%q after %q:\n%s", order[0], order[1], got)
		}
	}
	if n := strings.Count(got, "a close"); n != 1 {
		t.Errorf("%d close calls, want 1:\n%s", n, got)
	}
}

// TestHooksWriteBufferFull: a send past MaxBufferedBytes is reported with
// its size, then the close with ErrWriteBufferFull.
func TestHooksWriteBufferFull(t *testing.T) {
	var l hookLog
	opts := suiteOptions()
	opts.MaxBufferedBytes = 64
	opts.Hooks = recordingHooks(&l, "h")
	sent := make(chan error, 1)
	opts.OnConnection = func(s *Socket) {
		s.SetHandler(echoHandler{s})
		go func() { sent <- s.Send(make([]byte, 100), true) }()
	}
	ts := startServer(t, opts)
	httpDo(t, "GET", ts.url+"?EIO=4&transport=polling", "") // the session may close before it answers
	if err := <-sent; !errors.Is(err, ErrWriteBufferFull) {
		t.Fatalf("Send: %v", err)
	}
	l.waitLine(t, "h full 100")
	l.waitLine(t, "h close polling transport error")
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.errs) != 1 || !errors.Is(l.errs[0], ErrWriteBufferFull) {
		t.Fatalf("close errors %v", l.errs)
	}
	for _, line := range l.lines {
		if strings.HasPrefix(line, "h out") {
			t.Errorf("a refused send was counted as sent: %q", line)
		}
	}
}

// TestHooksNoCloseWithoutOpen: a session refused at registration (the
// server is closed) is not reported as closed.
func TestHooksNoCloseWithoutOpen(t *testing.T) {
	var l hookLog
	opts := suiteOptions()
	opts.Hooks = recordingHooks(&l, "h")
	ts := startServer(t, opts)
	ts.Close()
	c, err := dialWS(t, ts.ws+"?EIO=4&transport=websocket")
	if err == nil {
		c.expectClosed(2 * time.Second)
	}
	time.Sleep(50 * time.Millisecond)
	if got := l.snapshot(); len(got) != 0 {
		t.Fatalf("hooks called for a session never opened: %q", got)
	}
}

// TestTransportCounts counts sessions per transport.
func TestTransportCounts(t *testing.T) {
	ts := startServer(t, suiteOptions())
	ts.openPolling(t)
	ts.openPolling(t)
	c := mustDialWS(t, ts.ws+"?EIO=4&transport=websocket")
	c.read() // open (written before the session is registered)
	deadline := time.Now().Add(2 * time.Second)
	for {
		p, w := ts.TransportCounts()
		if p == 2 && w == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("TransportCounts = %d, %d; want 2, 1", p, w)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
