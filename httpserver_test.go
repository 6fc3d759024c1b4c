package socketio

import (
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gosio/socketio/internal/testutil"
)

// NewHTTPServer refuses oversized headers (431, as Node past its 16 KiB)
// and drops a client that never finishes its headers.
func TestNewHTTPServerLimits(t *testing.T) {
	io := NewServer(nil)
	defer io.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewHTTPServer(ln.Addr().String(), io)
	go srv.Serve(ln)
	defer srv.Close()

	c, err := testutil.Dial(ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h := http.Header{"X-Big": {strings.Repeat("a", 64<<10)}}
	c.Write(testutil.Request("GET", "x", "/socket.io/?EIO=4&transport=polling", h, nil))
	res, _, err := c.ReadResponse(3 * time.Second)
	if err != nil || res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("64 KiB of headers: %v %v, want 431", res, err)
	}
	if srv.ReadHeaderTimeout != HTTPReadHeaderTimeout || srv.IdleTimeout != HTTPIdleTimeout || srv.MaxHeaderBytes != HTTPMaxHeaderBytes {
		t.Fatal("limits not set")
	}
	c.ExpectEOF(2 * time.Second)
	// net/http lingers 500 ms after a 431 before it closes the
	// connection; let that goroutine end before goleak looks.
	time.Sleep(600 * time.Millisecond)
}
