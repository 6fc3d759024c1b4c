package engineio_test

// Issue 11 item 4: headers kept per session. Every request's head is
// bounded by Options.MaxHeaderBytes (default 16 KiB, Node's maxHeaderSize;
// 431 past it, as Node answers), and a session keeps only a trimmed copy
// of its handshake request.

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/internal/testutil"
)

// rawHead returns a request whose head (request line, Host, headers and
// the empty line) is exactly size bytes, padded with an X-Pad header.
func rawHead(t *testing.T, method, host, target string, h http.Header, size int) []byte {
	t.Helper()
	if h == nil {
		h = http.Header{}
	}
	h.Set("X-Pad", "")
	pad := size - len(testutil.Request(method, host, target, h, nil))
	if pad < 0 {
		t.Fatalf("head already %d bytes over %d", -pad, size)
	}
	h.Set("X-Pad", strings.Repeat("p", pad))
	b := testutil.Request(method, host, target, h, nil)
	if len(b) != size {
		t.Fatalf("head of %d bytes, want %d", len(b), size)
	}
	return b
}

func TestRobustHeaderLimit(t *testing.T) {
	const limit = 2048
	opts := robOptions()
	opts.MaxHeaderBytes = limit
	var refused atomic.Int32
	opts.OnConnectionError = func(*engineio.ConnectionError) { refused.Add(1) }
	rs := startRob(t, opts, nil)
	g := rs.guard()
	handshake := rs.path + "?EIO=4&transport=polling"

	send := func(head []byte) (*http.Response, string) {
		t.Helper()
		c := rs.dial()
		if _, err := c.Write(head); err != nil {
			t.Fatal(err)
		}
		res, body, err := c.ReadResponse(2 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(body)
	}
	expect431 := func(res *http.Response, body string) {
		t.Helper()
		if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge || body != "" || !res.Close {
			t.Fatalf("got %d %q (close %v), want 431, no body, connection closed", res.StatusCode, body, res.Close)
		}
	}

	t.Run("at-the-limit", func(t *testing.T) {
		res, body := send(rawHead(t, "GET", rs.addr, handshake, nil, limit))
		if res.StatusCode != 200 || !strings.HasPrefix(body, "0{") {
			t.Fatalf("a head of exactly MaxHeaderBytes: %d %q", res.StatusCode, body)
		}
	})
	n := rs.ClientsCount()
	t.Run("handshake-over", func(t *testing.T) {
		expect431(send(rawHead(t, "GET", rs.addr, handshake, nil, limit+1)))
	})
	t.Run("websocket-over", func(t *testing.T) {
		expect431(send(rawHead(t, "GET", rs.addr, rs.path+"?EIO=4&transport=websocket", testutil.UpgradeHeaders(), limit+1)))
	})
	t.Run("poll-and-post-over", func(t *testing.T) {
		p := rs.open()
		n++
		expect431(send(rawHead(t, "GET", rs.addr, rs.path+"?EIO=4&transport=polling&sid="+p.SID, nil, limit+1)))
		h := http.Header{"Content-Length": {"2"}, "Content-Type": {"text/plain;charset=UTF-8"}}
		expect431(send(rawHead(t, "POST", rs.addr, rs.path+"?EIO=4&transport=polling&sid="+p.SID, h, limit+1)))
		// Only the request is refused, as in Node: the session goes on.
		if err := p.Echo("after-431", 2*time.Second); err != nil {
			t.Fatal(err)
		}
	})
	if got := rs.ClientsCount(); got != n {
		t.Fatalf("%d sessions, want %d: a refused handshake opened one", got, n)
	}
	if refused.Load() != 0 {
		t.Fatalf("%d ConnectionErrors for 431s (Node's engine never sees them)", refused.Load())
	}
	g.check("after")
}

func TestRobustHeaderLimitDefault(t *testing.T) {
	rs := startRob(t, nil, nil)
	target := rs.path + "?EIO=4&transport=polling"
	for _, tc := range []struct {
		size int
		want int
	}{
		{engineio.DefaultMaxHeaderBytes, 200},
		{engineio.DefaultMaxHeaderBytes + 1, 431},
	} {
		c := rs.dial()
		c.Write(rawHead(t, "GET", rs.addr, target, nil, tc.size))
		res, _, err := c.ReadResponse(2 * time.Second)
		if err != nil || res.StatusCode != tc.want {
			t.Fatalf("head of %d bytes: %v %v, want %d", tc.size, res, err, tc.want)
		}
	}
}

// TestSessionKeepsTrimmedRequest checks what Socket.Request holds.
func TestSessionKeepsTrimmedRequest(t *testing.T) {
	got := make(chan *http.Request, 1)
	opts := robOptions()
	opts.OnConnection = func(s *engineio.Socket) { got <- s.Request() }
	rs := startRob(t, opts, nil)
	code, _, _ := rs.do("GET", rs.path+"?EIO=4&transport=polling&x=1", http.Header{"X-App": {"v1"}}, "")
	if code != 200 {
		t.Fatalf("handshake %d", code)
	}
	r := <-got
	if r.Header.Get("X-App") != "v1" || r.URL.Query().Get("x") != "1" || r.Host != rs.addr || r.RemoteAddr == "" || r.Method != "GET" {
		t.Fatalf("request lost what a session needs: %+v", r)
	}
	if r.Body != nil || r.Context() != context.Background() || r.Form != nil {
		t.Fatal("the session keeps the request's body, context or forms")
	}
}

// Abandoned handshakes with large headers: 300 handshakes whose client
// never comes back, their sessions alive until the ping timeout.
func TestRobustAbandonedHandshakesLargeHeaders(t *testing.T) {
	const (
		handshakes = 300
		// overhead bounds what a session holds besides its headers.
		overhead = 8 << 10
	)
	opts := robOptions()
	opts.PingInterval, opts.PingTimeout = 10*time.Second, 10*time.Second // alive while measured
	rs := startRob(t, opts, nil)
	g := rs.guard()
	target := rs.path + "?EIO=4&transport=polling"
	heap0 := testutil.HeapInuse()

	// 200 KB of headers each (net/http reads up to 1 MiB by default):
	// refused, no session, nothing kept. Before the limit, each session
	// held its 200 KB for the ping timeout: +60 MB.
	big := http.Header{}
	for i := range 20 {
		big.Set("X-Big-"+string(rune('a'+i)), strings.Repeat("b", 10<<10))
	}
	codes := map[int]int{}
	for range handshakes {
		code, _, _ := rs.do("GET", target, big, "")
		codes[code]++
	}
	g.check("during-refused")
	if grow := int64(testutil.HeapInuse()) - int64(heap0); grow > 2<<20 {
		t.Fatalf("heap grew by %d bytes after %d handshakes with 200 KB of headers (answers %v)", grow, handshakes, codes)
	}
	if codes[http.StatusRequestHeaderFieldsTooLarge] != handshakes {
		t.Fatalf("answers to 200 KB of headers %v, want %d × 431", codes, handshakes)
	}
	if n := rs.ClientsCount(); n != 1 {
		t.Fatalf("%d sessions after refused handshakes, want only the guard's", n)
	}

	// Headers just under the limit: accepted; each session holds at most
	// about MaxHeaderBytes of them.
	under := http.Header{"X-Under": {strings.Repeat("u", engineio.DefaultMaxHeaderBytes-1024)}}
	for range handshakes {
		if code, body, _ := rs.do("GET", target, under, ""); code != 200 {
			t.Fatalf("15 KB of headers: %d %q", code, testutil.Trunc(body))
		}
	}
	g.check("during-accepted")
	grow := int64(testutil.HeapInuse()) - int64(heap0)
	limit := int64(handshakes * (engineio.DefaultMaxHeaderBytes + overhead))
	t.Logf("heap: %+d bytes for %d sessions with 15 KB of headers (%d per session)", grow, handshakes, grow/handshakes)
	if grow > limit {
		t.Fatalf("heap grew by %d bytes for %d sessions, bound %d", grow, handshakes, limit)
	}
}
