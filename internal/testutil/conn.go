package testutil

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Conn is a raw client connection with a buffered reader. Use it to send
// hand-built HTTP requests and WebSocket frames.
type Conn struct {
	net.Conn
	R *bufio.Reader
}

// Dial connects to addr ("127.0.0.1:port").
func Dial(addr string) (*Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	return &Conn{Conn: c, R: bufio.NewReaderSize(c, 64<<10)}, nil
}

// Key is the Sec-WebSocket-Key the helpers send (the RFC 6455 example).
const Key = "dGhlIHNhbXBsZSBub25jZQ=="

// AcceptKey returns the Sec-WebSocket-Accept value for key.
func AcceptKey(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// UpgradeHeaders returns the headers of a valid WebSocket upgrade request.
// Callers may modify or delete them before UpgradeRequest.
func UpgradeHeaders() http.Header {
	return http.Header{
		"Upgrade":               {"websocket"},
		"Connection":            {"Upgrade"},
		"Sec-Websocket-Key":     {Key},
		"Sec-Websocket-Version": {"13"},
	}
}

// Request builds a raw HTTP/1.1 request. Header values are written as
// given, so they may contain bytes net/http would refuse to send; headers
// are written in sorted order after Host. body, if not nil, is appended
// as is (set Content-Length yourself, or leave it out).
func Request(method, host, target string, h http.Header, body []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, host)
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			b.WriteString(k)
			b.WriteString(": ")
			b.WriteString(v)
			b.WriteString("\r\n")
		}
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// UpgradeRequest builds a GET upgrade request for target (path and query)
// with headers h (see UpgradeHeaders).
func UpgradeRequest(host, target string, h http.Header) []byte {
	return Request("GET", host, target, h, nil)
}

// ReadResponse reads one HTTP response head (and, unless it is a 101, its
// body, which it then closes) within d. For a 101 the connection is left
// positioned at the first WebSocket frame.
func (c *Conn) ReadResponse(d time.Duration) (*http.Response, []byte, error) {
	c.SetReadDeadline(time.Now().Add(d))
	defer c.SetReadDeadline(time.Time{})
	res, err := http.ReadResponse(c.R, nil)
	if err != nil {
		return nil, nil, err
	}
	if res.StatusCode == http.StatusSwitchingProtocols {
		return res, nil, nil
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	return res, body, err
}

// WriteFrame writes one frame.
func (c *Conn) WriteFrame(f Frame) error {
	_, err := c.Write(AppendFrame(nil, f))
	return err
}

// WriteText writes a final, masked text frame.
func (c *Conn) WriteText(s string) error { return c.WriteFrame(Text(s)) }

// ReadFrame reads one frame within d.
func (c *Conn) ReadFrame(d time.Duration) (Frame, error) {
	c.SetReadDeadline(time.Now().Add(d))
	defer c.SetReadDeadline(time.Time{})
	return ReadFrame(c.R)
}

// ErrNoCloseFrame is returned by ExpectClose when the server ended the TCP
// connection without a close frame.
var ErrNoCloseFrame = errors.New("testutil: connection ended without a close frame")

// ExpectClose reads and discards data frames until a close frame arrives
// (returning its code), the connection ends (ErrNoCloseFrame), or d passes
// (a timeout error). The skipped frames are returned for diagnostics.
func (c *Conn) ExpectClose(d time.Duration) (code int, skipped []Frame, err error) {
	deadline := time.Now().Add(d)
	c.SetReadDeadline(deadline)
	defer c.SetReadDeadline(time.Time{})
	for {
		f, err := ReadFrame(c.R)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return 0, skipped, err
			}
			return 0, skipped, ErrNoCloseFrame
		}
		if f.Op == OpClose {
			code, _ := f.CloseCode()
			return code, skipped, nil
		}
		skipped = append(skipped, f)
	}
}

// ExpectEOF waits up to d for the server to end the connection, discarding
// anything it sends. It reports whether the connection ended.
func (c *Conn) ExpectEOF(d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	defer c.SetReadDeadline(time.Time{})
	_, err := io.Copy(io.Discard, c.R)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// DialWebSocket connects to addr and performs a valid upgrade for target
// with the extra headers (which override the defaults). It checks the 101
// and its Sec-WebSocket-Accept.
func DialWebSocket(addr, target string, extra http.Header) (*Conn, *http.Response, error) {
	c, err := Dial(addr)
	if err != nil {
		return nil, nil, err
	}
	h := UpgradeHeaders()
	for k, v := range extra {
		h[k] = v
	}
	if _, err := c.Write(UpgradeRequest(addr, target, h)); err != nil {
		c.Close()
		return nil, nil, err
	}
	res, body, err := c.ReadResponse(2 * time.Second)
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	if res.StatusCode != http.StatusSwitchingProtocols {
		c.Close()
		return nil, res, fmt.Errorf("testutil: upgrade answered %d: %q", res.StatusCode, body)
	}
	if got, want := res.Header.Get("Sec-Websocket-Accept"), AcceptKey(h.Get("Sec-Websocket-Key")); got != want {
		c.Close()
		return nil, res, fmt.Errorf("testutil: Sec-WebSocket-Accept %q, want %q", got, want)
	}
	return c, res, nil
}

// ReadEIO returns the next Engine.IO packet carried by a text or binary
// frame, within d. An Engine.IO ping ("2") is answered with "3" and
// skipped; WebSocket control frames are skipped. A close frame or a read
// error ends it with an error.
func (c *Conn) ReadEIO(d time.Duration) (string, error) {
	deadline := time.Now().Add(d)
	for {
		f, err := c.ReadFrame(time.Until(deadline))
		if err != nil {
			return "", err
		}
		switch f.Op {
		case OpClose:
			code, reason := f.CloseCode()
			return "", fmt.Errorf("testutil: close frame %d %q", code, reason)
		case OpText:
			if string(f.Payload) == "2" {
				if err := c.WriteText("3"); err != nil {
					return "", err
				}
				continue
			}
			return string(f.Payload), nil
		case OpBinary:
			return string(f.Payload), nil
		}
	}
}

// OpenSID extracts the sid from an Engine.IO open packet ("0{...}").
func OpenSID(open string) (string, error) {
	i := strings.Index(open, `"sid":"`)
	if !strings.HasPrefix(open, "0{") || i < 0 {
		return "", fmt.Errorf("testutil: not an open packet: %q", open)
	}
	rest := open[i+7:]
	j := strings.IndexByte(rest, '"')
	if j < 0 {
		return "", fmt.Errorf("testutil: bad open packet: %q", open)
	}
	return rest[:j], nil
}
