package engineio_test

// Robustness tests, docs/robustness.md section 5 B (polling transport).
// Helpers are in robust_http_test.go.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/internal/testutil"
)

// postHead returns the head of a POST to session sid; cl < 0 means chunked.
func (rs *robServer) postHead(sid string, cl int, extra http.Header) []byte {
	h := http.Header{"Content-Type": {"text/plain;charset=UTF-8"}}
	if cl >= 0 {
		h.Set("Content-Length", strconv.Itoa(cl))
	} else {
		h.Set("Transfer-Encoding", "chunked")
	}
	for k, v := range extra {
		h[k] = v
	}
	return testutil.Request("POST", rs.addr, rs.path+"?EIO=4&transport=polling&sid="+sid, h, nil)
}

// flood writes head, then body bytes produced in 32 KiB pieces (chunked if
// chunked is set) until total bytes are written, a write fails or stop is
// closed. It returns the number of body bytes written through done.
func flood(c *testutil.Conn, head []byte, chunked bool, total int, stop <-chan struct{}) <-chan int {
	done := make(chan int, 1)
	go func() {
		n := 0
		defer func() { done <- n }()
		if _, err := c.Write(head); err != nil {
			return
		}
		piece := []byte("4" + strings.Repeat("a", 32<<10-1))
		var frame []byte
		if chunked {
			frame = append([]byte(fmt.Sprintf("%x\r\n", len(piece))), piece...)
			frame = append(frame, "\r\n"...)
		} else {
			frame = piece
		}
		for n < total {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := c.Write(frame); err != nil {
				return
			}
			n += len(piece)
			piece[0] = 'a'
			if !chunked {
				frame = piece
			}
		}
		if chunked {
			c.Write([]byte("0\r\n\r\n"))
		}
	}()
	return done
}

// Item 16: POST bodies over maxHttpBufferSize: 413, reading stops at the
// limit, the session stays open (as in the reference).
func TestRobustB16BodyTooLarge(t *testing.T) {
	const limit = 1e6
	rs := startRob(t, nil, nil)
	g := rs.guard()
	heap0 := testutil.HeapInuse()
	for _, tc := range []struct {
		name    string
		cl      int // -1: chunked
		send    int
		chunked bool
	}{
		{"content-length", 2 << 20, 2 << 20, false},
		{"chunked", -1, 16 << 20, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := rs.open()
			c := rs.dial()
			alloc0 := testutil.TotalAlloc()
			stop := make(chan struct{})
			sent := flood(c, rs.postHead(p.SID, tc.cl, nil), tc.chunked, tc.send, stop)
			res, _, err := c.ReadResponse(5 * time.Second)
			close(stop)
			if err != nil {
				t.Fatalf("no response: %v", err)
			}
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413", res.StatusCode)
			}
			c.Close()
			n := <-sent
			if alloc := testutil.TotalAlloc() - alloc0; alloc > 8*limit {
				t.Fatalf("%d bytes allocated while %d were sent: reading did not stop at the limit", alloc, n)
			}
			// As the reference, the payload is dropped and the session
			// kept (its client then closes it; see the e2e test
			// TestSIOOversizedPollingPost).
			if rs.isClosed(p.SID) {
				c, _, _ := rs.rec.get(p.SID)
				t.Fatalf("session closed after the 413: %q %v", c.reason, c.err)
			}
			if err := p.Echo("after-413", 2*time.Second); err != nil {
				t.Fatalf("session after the 413: %v", err)
			}
		})
	}
	t.Run("content-length-understated", func(t *testing.T) {
		// net/http reads exactly Content-Length bytes; the excess is parsed
		// as the next request, refused, and the connection closed.
		p := rs.open()
		c := rs.dial()
		stop := make(chan struct{})
		head := append(rs.postHead(p.SID, 6, nil), "4small"...)
		sent := flood(c, head, false, 4<<20, stop)
		res, body, err := c.ReadResponse(5 * time.Second)
		if err != nil || res.StatusCode != 200 || string(body) != "ok" {
			t.Fatalf("first request: %v %q %v", res, body, err)
		}
		got, err := p.Receive(2 * time.Second)
		if err != nil || got != "4small" {
			t.Fatalf("session after the understated body: %s %v", testutil.Trunc(got), err)
		}
		if !c.ExpectEOF(5 * time.Second) {
			t.Fatal("connection not closed after the garbage")
		}
		close(stop)
		<-sent
	})
	if grow := int64(testutil.HeapInuse()) - int64(heap0); grow > 2*limit {
		t.Fatalf("HeapInuse grew by %d bytes, limit %d", grow, int(2*limit))
	}
	g.check("after")
}

// Item 17: application/octet-stream on EIO=4.
func TestRobustB17OctetStream(t *testing.T) {
	rs := startRob(t, nil, nil)
	p := rs.open()
	code, body, _, err := p.Do(context.Background(), "POST", p.SessionURL(), "4hello", http.Header{"Content-Type": {"application/octet-stream"}})
	if err != nil || code != 400 {
		t.Fatalf("POST: %d %q %v", code, body, err)
	}
	cl := rs.waitClosed(p.SID, 2*time.Second)
	if cl.reason != engineio.ReasonTransportError || !errors.Is(cl.err, engineio.ErrInvalidContent) {
		t.Fatalf("close %q %v", cl.reason, cl.err)
	}
	code, body, _ = p.Get(context.Background())
	expectError(t, code, body, 400, 1, "")
}

// Item 18: two concurrent GETs on one sid.
func TestRobustB18ConcurrentGets(t *testing.T) {
	opts := robOptions()
	opts.PingInterval = 5 * time.Second // no ping may release the first GET
	rs := startRob(t, opts, nil)
	g := rs.guard()
	p := rs.open()
	type result struct {
		code int
		body string
		err  error
	}
	results := make(chan result, 2)
	get := func() {
		code, body, err := p.Get(context.Background())
		results <- result{code, body, err}
	}
	go get()
	time.Sleep(50 * time.Millisecond) // let it be held (the outcome is symmetric anyway)
	go get()
	var got []result
	for range 2 {
		select {
		case r := <-results:
			if r.err != nil {
				t.Fatal(r.err)
			}
			got = append(got, r)
		case <-time.After(3 * time.Second):
			t.Fatal("a GET stayed blocked")
		}
	}
	if got[0].code == 200 {
		got[0], got[1] = got[1], got[0]
	}
	if got[0].code != 400 || got[1].code != 200 || got[1].body != "1" {
		t.Fatalf("results %+v, want one 400 and one 200 \"1\"", got)
	}
	cl := rs.waitClosed(p.SID, 2*time.Second)
	if cl.reason != engineio.ReasonTransportError || !errors.Is(cl.err, engineio.ErrPollOverlap) {
		t.Fatalf("close %q %v", cl.reason, cl.err)
	}
	code, body, _ := p.Get(context.Background())
	expectError(t, code, body, 400, 1, "")
	g.check("after")
}

// Item 19: two concurrent POSTs on one sid. Both bodies are incomplete, so
// both handlers are certainly in flight together.
func TestRobustB19ConcurrentPosts(t *testing.T) {
	rs := startRob(t, nil, nil)
	g := rs.guard()
	p := rs.open()
	type result struct {
		i   int
		res *http.Response
		err error
	}
	results := make(chan result, 2)
	conns := make([]*testutil.Conn, 2)
	for i := range conns {
		c := rs.dial()
		conns[i] = c
		if _, err := c.Write(append(rs.postHead(p.SID, 10, nil), "4abc"...)); err != nil {
			t.Fatal(err)
		}
		go func() {
			res, _, err := c.ReadResponse(5 * time.Second)
			results <- result{i, res, err}
		}()
	}
	var first result
	select {
	case first = <-results:
	case <-time.After(3 * time.Second):
		t.Fatal("no POST answered: no overlap detected")
	}
	if first.err != nil || first.res.StatusCode != 400 {
		t.Fatalf("overlapping POST: %v %v, want 400", first.res, first.err)
	}
	cl := rs.waitClosed(p.SID, 2*time.Second)
	if cl.reason != engineio.ReasonTransportError || !errors.Is(cl.err, engineio.ErrPostOverlap) {
		t.Fatalf("close %q %v", cl.reason, cl.err)
	}
	other := conns[1-first.i]
	other.Write([]byte("defghi"))
	select {
	case r := <-results:
		if r.err != nil {
			t.Fatalf("first POST: %v", r.err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("first POST stayed blocked")
	}
	g.check("after")
}

// Item 20: the client abandons a held GET or a POST mid-body.
func TestRobustB20ClientAbort(t *testing.T) {
	opts := robOptions()
	opts.PingInterval = 5 * time.Second
	rs := startRob(t, opts, nil)
	g := rs.guard()
	t.Run("held-get", func(t *testing.T) {
		p := rs.open()
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { _, _, err := p.Get(ctx); done <- err }()
		time.Sleep(50 * time.Millisecond)
		cancel()
		<-done
		cl := rs.waitClosed(p.SID, 2*time.Second)
		if cl.reason != engineio.ReasonTransportError || !errors.Is(cl.err, engineio.ErrPollClosedEarly) {
			t.Fatalf("close %q %v", cl.reason, cl.err)
		}
	})
	t.Run("post-mid-body", func(t *testing.T) {
		p := rs.open()
		c := rs.dial()
		c.Write(append(rs.postHead(p.SID, 1000, nil), "4abcdefgh"...))
		time.Sleep(50 * time.Millisecond)
		c.Close()
		cl := rs.waitClosed(p.SID, 2*time.Second)
		if cl.reason != engineio.ReasonTransportError || !errors.Is(cl.err, engineio.ErrPostClosedEarly) {
			t.Fatalf("close %q %v", cl.reason, cl.err)
		}
	})
	rs.waitCount(1, 2*time.Second)
	g.check("after")
}

// Item 21: malformed payloads.
func TestRobustB21MalformedPayloads(t *testing.T) {
	opts := robOptions()
	// A 1 MB round trip under -race may outlast a 500 ms heartbeat.
	opts.PingInterval, opts.PingTimeout = 2*time.Second, 2*time.Second
	rs := startRob(t, opts, nil)
	g := rs.guard()
	for _, tc := range []struct {
		name, body string
		valid      bool   // a valid payload: 200 and the session stays
		echo       string // what the echo handler sends back then
	}{
		{"abc", "abc", false, ""},
		{"empty", "", false, ""},
		{"two-separators", "\x1e\x1e", false, ""},
		{"leading-separator", "\x1e4a", false, ""},
		{"trailing-separator", "4a\x1e", false, ""},
		{"type-9", "9", false, ""},
		{"type-9-after-valid", "4a\x1e9x", false, ""},
		{"bad-base64", "bxyz!!", false, ""},
		{"bad-base64-padding", "bQQ=Q", false, ""},
		{"nul", "\x00", false, ""},
		{"run-of-4s", strings.Repeat("4", 999_999), true, strings.Repeat("4", 999_999)},
		{"empty-binary", "b", true, "b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := rs.open()
			code, body, err := p.Post(tc.body)
			if err != nil {
				t.Fatal(err)
			}
			if tc.valid {
				if code != 200 || rs.isClosed(p.SID) {
					t.Fatalf("valid payload: %d %s", code, testutil.Trunc(body))
				}
				if got, err := p.Receive(5 * time.Second); err != nil || got != tc.echo {
					t.Fatalf("echo of the payload: %s %v", testutil.Trunc(got), err)
				}
				if err := p.Echo("still-open", 5*time.Second); err != nil {
					t.Fatal(err)
				}
				p.Close()
				return
			}
			expectError(t, code, body, 400, 3, "")
			cl := rs.waitClosed(p.SID, 2*time.Second)
			if cl.reason != engineio.ReasonParseError {
				t.Fatalf("close %q %v, want parse error", cl.reason, cl.err)
			}
		})
	}
	g.check("after")
}

// Item 22: wrong-direction or unexpected packets from the client.
func TestRobustB22UnexpectedPackets(t *testing.T) {
	rs := startRob(t, nil, nil)
	g := rs.guard()
	t.Run("ping", func(t *testing.T) {
		p := rs.open()
		p.Post("2")
		cl := rs.waitClosed(p.SID, 2*time.Second)
		if cl.reason != engineio.ReasonTransportError || !errors.Is(cl.err, engineio.ErrHeartbeatDirection) {
			t.Fatalf("close %q %v", cl.reason, cl.err)
		}
	})
	for i, body := range []string{"5", "2probe", "6", "0", "0{\"sid\":\"x\"}", "3probe", "5\x1e5"} {
		t.Run(fmt.Sprintf("%q", body), func(t *testing.T) {
			p := rs.open()
			code, resp, err := p.Post(body)
			if err != nil {
				t.Fatal(err)
			}
			s := rs.Socket(p.SID)
			if s == nil { // closed: allowed, as long as cleanly
				if code != 200 && code != 400 {
					t.Fatalf("POST %q: %d %q", body, code, resp)
				}
				rs.waitClosed(p.SID, 2*time.Second)
				return
			}
			if s.Upgraded() || s.TransportName() != engineio.Polling {
				t.Fatalf("POST %q changed the transport state", body)
			}
			if err := p.Echo(fmt.Sprint("after-", i), 2*time.Second); err != nil {
				t.Fatal(err)
			}
			p.Close()
		})
	}
	g.check("after")
}

// Item 23: a client that never polls nor pongs.
func TestRobustB23SilentClient(t *testing.T) {
	rs := startRob(t, nil, nil)
	start := time.Now()
	p := rs.open()
	cl := rs.waitClosed(p.SID, 3*time.Second)
	elapsed := time.Since(start)
	if cl.reason != engineio.ReasonPingTimeout {
		t.Fatalf("close %q %v, want ping timeout", cl.reason, cl.err)
	}
	if want := 500 * time.Millisecond; elapsed < want-50*time.Millisecond || elapsed > want+time.Second {
		t.Fatalf("closed after %v, want about pingInterval+pingTimeout = %v", elapsed, want)
	}
	if n := rs.ClientsCount(); n != 0 {
		t.Fatalf("ClientsCount %d", n)
	}
}

// Item 24: a POST body trickled byte by byte is cut by the read deadline
// the engine sets (pingInterval+pingTimeout).
func TestRobustB24TrickledPost(t *testing.T) {
	rs := startRob(t, nil, nil)
	g := rs.guard()
	p := rs.open()
	c := rs.dial()
	body := "4" + strings.Repeat("a", 99)
	c.Write(rs.postHead(p.SID, len(body), nil))
	stop := make(chan struct{})
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		for i := 0; i < len(body); i++ {
			if _, err := c.Write([]byte{body[i]}); err != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	res, _, err := c.ReadResponse(5 * time.Second)
	elapsed := time.Since(start)
	close(stop)
	<-wrote
	if err != nil {
		t.Fatalf("no response: %v", err)
	}
	if res.StatusCode != 400 {
		t.Fatalf("status %d, want 400", res.StatusCode)
	}
	if elapsed < 400*time.Millisecond || elapsed > 3*time.Second {
		t.Fatalf("cut after %v, want about 500ms", elapsed)
	}
	// A client cannot pong while its POST is pending, so the ping timeout
	// (due at the same time as the read deadline) may close it first.
	cl := rs.waitClosed(p.SID, 2*time.Second)
	if cl.reason != engineio.ReasonTransportError && cl.reason != engineio.ReasonPingTimeout {
		t.Fatalf("close %q %v", cl.reason, cl.err)
	}
	g.check("after")
}

// Item 25: long polls held through whole ping intervals.
//
// http.Server.WriteTimeout is net/http configuration: it is armed when a
// request's headers are read, so a held poll needs it above pingInterval
// unless the engine extends the deadline. IdleTimeout reaps idle
// keep-alive connections.
func TestRobustB25LongPolls(t *testing.T) {
	run := func(t *testing.T, writeTimeout time.Duration) (errs []error, pings int) {
		opts := robOptions()
		rs := startRob(t, opts, func(s *http.Server) {
			s.WriteTimeout = writeTimeout
			s.IdleTimeout = 200 * time.Millisecond
		})
		p := rs.open()
		deadline := time.Now().Add(3 * opts.PingInterval)
		for time.Now().Before(deadline) {
			code, body, err := p.Get(context.Background())
			if err == nil && code != 200 {
				err = fmt.Errorf("poll %d %q", code, body)
			}
			if err != nil {
				errs = append(errs, err)
				break
			}
			for _, pkt := range testutil.Packets(body) {
				if pkt == "2" {
					pings++
					if code, _, err := p.Post("3"); err != nil || code != 200 {
						errs = append(errs, fmt.Errorf("pong: %d %v", code, err))
					}
				}
			}
		}
		if rs.isClosed(p.SID) {
			errs = append(errs, errors.New("session closed"))
		}
		return errs, pings
	}
	t.Run("write-timeout-above-interval", func(t *testing.T) {
		errs, pings := run(t, 2*time.Second)
		if len(errs) != 0 || pings < 2 {
			t.Fatalf("errors %v, %d pings", errs, pings)
		}
	})
	t.Run("write-timeout-below-interval", func(t *testing.T) {
		errs, pings := run(t, 150*time.Millisecond)
		if len(errs) != 0 || pings < 2 {
			t.Fatalf("regression (fixed bug): http.Server.WriteTimeout (150ms) below pingInterval (300ms) cuts held polls: errors %v, %d pings; servePoll should extend the write deadline", errs, pings)
		}
	})
	t.Run("idle-keepalive-reaped", func(t *testing.T) {
		rs := startRob(t, nil, func(s *http.Server) { s.IdleTimeout = 200 * time.Millisecond })
		c := rs.dial()
		c.Write(testutil.Request("GET", rs.addr, rs.path+"?EIO=4&transport=polling", nil, nil))
		res, _, err := c.ReadResponse(2 * time.Second)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("handshake: %v %v", res, err)
		}
		start := time.Now()
		if !c.ExpectEOF(3 * time.Second) {
			t.Fatal("idle keep-alive connection not reaped")
		}
		if d := time.Since(start); d < 100*time.Millisecond {
			t.Fatalf("reaped after %v, before IdleTimeout", d)
		}
	})
}

var _ = io.EOF
var _ sync.Mutex
