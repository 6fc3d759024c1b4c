package engineio

import (
	"bytes"
	"compress/flate"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/httphead"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsflate"
	"github.com/gobwas/ws/wsutil"
)

func deflateOptions() *Options {
	o := suiteOptions()
	o.PerMessageDeflate = &DeflateOptions{Threshold: 16}
	o.MaxHTTPBufferSize = 1 << 16
	o.PingInterval = 10 * time.Second
	return o
}

// dialDeflate opens a WebSocket-only session offering permessage-deflate
// and returns the connection and the negotiated extensions.
func dialDeflate(t *testing.T, ts *testServer) (*wsClient, []string) {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var got []string
	dialer := ws.Dialer{
		Extensions: []httphead.Option{wsflate.DefaultParameters.Option()},
		OnHeader: func(key, value []byte) error {
			if strings.EqualFold(string(key), "Sec-WebSocket-Extensions") {
				got = append(got, string(value))
			}
			return nil
		},
	}
	conn, br, hs, err := dialer.Dial(ctx, ts.ws+"?EIO=4&transport=websocket")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range hs.Extensions {
		got = append(got, string(e.Name))
	}
	c := &wsClient{t: t, conn: conn, r: conn}
	if br != nil {
		c.r = io.MultiReader(br, conn)
	}
	t.Cleanup(func() { conn.Close() })
	return c, got
}

func compress(t *testing.T, p []byte) []byte {
	var b bytes.Buffer
	zw, _ := flate.NewWriter(&b, flate.BestCompression)
	zw.Write(p)
	zw.Flush()
	return bytes.TrimSuffix(b.Bytes(), deflateTail)
}

// writeCompressed writes one masked, compressed text frame.
func (c *wsClient) writeCompressed(payload []byte, op ws.OpCode) {
	c.t.Helper()
	z := compress(c.t, payload)
	h := ws.Header{Fin: true, Rsv: ws.Rsv(true, false, false), OpCode: op, Masked: true, Mask: ws.NewMask(), Length: int64(len(z))}
	ws.Cipher(z, h.Mask, 0)
	if err := ws.WriteHeader(c.conn, h); err != nil {
		c.t.Fatal(err)
	}
	c.conn.Write(z)
}

// readFrame reads one raw frame (compressed payload left as is).
func (c *wsClient) readFrame() (ws.Header, []byte) {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	f, err := ws.ReadFrame(c.r)
	if err != nil {
		c.t.Fatal(err)
	}
	return f.Header, f.Payload
}

func TestDeflateOffByDefault(t *testing.T) {
	ts := startServer(t, suiteOptions())
	_, ext := dialDeflate(t, ts)
	if len(ext) != 0 {
		t.Fatalf("extensions %q with perMessageDeflate off", ext)
	}
}

func TestDeflateRoundTrip(t *testing.T) {
	ts := startServer(t, deflateOptions())
	c, ext := dialDeflate(t, ts)
	if len(ext) != 1 || ext[0] != "permessage-deflate" {
		t.Fatalf("extensions %q", ext)
	}
	if h, p := c.readFrame(); h.Rsv != 0 || !strings.HasPrefix(string(p), "0{") {
		t.Fatalf("open frame rsv=%d %q", h.Rsv, p)
	}
	msg := "4" + strings.Repeat("compress me ", 50)
	c.writeCompressed([]byte(msg), ws.OpText)
	h, p := c.readFrame()
	if !h.Rsv1() {
		t.Fatal("echo above the threshold was not compressed")
	}
	out, err := inflate(p, 1<<20)
	if err != nil || string(out) != msg {
		t.Fatalf("echo %q %v", out, err)
	}
	// Small messages go uncompressed.
	wsutil.WriteClientText(c.conn, []byte("4hi"))
	if h, p := c.readFrame(); h.Rsv != 0 || string(p) != "4hi" {
		t.Fatalf("small echo rsv=%d %q", h.Rsv, p)
	}
}

// A compressed frame that inflates past MaxHTTPBufferSize is refused with
// 1009 without inflating it whole (robustness item 27).
func TestDeflateBombLimitedAfterDecompression(t *testing.T) {
	ts := startServer(t, deflateOptions())
	c, _ := dialDeflate(t, ts)
	c.readFrame()
	bomb := append([]byte("4"), make([]byte, 8<<20)...) // 8 MB of zeros: a few KB compressed
	c.writeCompressed(bomb, ws.OpText)
	for {
		h, p := c.readFrame()
		if h.OpCode == ws.OpClose {
			if code, _ := ws.ParseCloseFrameData(p); code != ws.StatusMessageTooBig {
				t.Fatalf("close code %d, want 1009", code)
			}
			break
		}
	}
	waitFor(t, func() bool { return ts.ClientsCount() == 0 })
}

func TestDeflateCorruptStream(t *testing.T) {
	ts := startServer(t, deflateOptions())
	c, _ := dialDeflate(t, ts)
	c.readFrame()
	garbage := []byte{0xff, 0xff, 0xff, 0x13, 0x37, 0x00, 0x42}
	h := ws.Header{Fin: true, Rsv: ws.Rsv(true, false, false), OpCode: ws.OpText, Masked: true, Mask: ws.NewMask(), Length: int64(len(garbage))}
	ws.Cipher(garbage, h.Mask, 0)
	ws.WriteHeader(c.conn, h)
	c.conn.Write(garbage)
	c.expectClosed(time.Second)
	waitFor(t, func() bool { return ts.ClientsCount() == 0 })
}

func TestNegotiateDeflate(t *testing.T) {
	for in, want := range map[string]bool{
		"permessage-deflate":                                  true,
		"permessage-deflate; client_max_window_bits":          true,
		"permessage-deflate; server_max_window_bits=10":       false,
		"permessage-deflate; server_max_window_bits=15":       true,
		"x-webkit-deflate-frame":                              false,
		"permessage-deflate; __proto__":                       false,
		"foo, permessage-deflate; client_no_context_takeover": true,
	} {
		if got := negotiateDeflate(http.Header{"Sec-Websocket-Extensions": {in}}); got != want {
			t.Errorf("%q: %v, want %v", in, got, want)
		}
	}
}
