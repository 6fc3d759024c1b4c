package engineio

import (
	"bufio"
	"bytes"
	"net"
	"testing"
	"time"
)

// discardConn is a net.Conn whose writes vanish (control-frame replies).
type discardConn struct{ net.Conn }

func (discardConn) Write(p []byte) (int, error)      { return len(p), nil }
func (discardConn) Close() error                     { return nil }
func (discardConn) SetWriteDeadline(time.Time) error { return nil }
func (discardConn) SetReadDeadline(time.Time) error  { return nil }
func (discardConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (discardConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }

// FuzzWSReadMessage feeds arbitrary bytes to the WebSocket frame reader as
// a client's stream: it must never panic, never return a message over
// the limit, and stop at the first error.
func FuzzWSReadMessage(f *testing.F) {
	mask := []byte{1, 2, 3, 4}
	masked := func(hdr []byte, payload string) []byte {
		b := append(append([]byte{}, hdr...), mask...)
		for i := 0; i < len(payload); i++ {
			b = append(b, payload[i]^mask[i%4])
		}
		return b
	}
	f.Add(masked([]byte{0x81, 0x86}, "4hello"), 0)
	f.Add(masked([]byte{0x01, 0x81}, "4"), 0)                                                                     // fragment, then EOF
	f.Add(append(masked([]byte{0x01, 0x81}, "4"), 0x80, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 0) // continuation with a huge length
	f.Add([]byte{0x81, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0}, 0)                                                       // 64-bit length, top bit set
	f.Add(masked([]byte{0x89, 0x80}, ""), 0)                                                                      // ping
	f.Add(masked([]byte{0x88, 0x82}, "\x03\xe7"), 0)                                                              // close 999
	f.Add(masked([]byte{0xc1, 0x85}, "abcde"), 1)                                                                 // RSV1 with deflate
	f.Fuzz(func(t *testing.T, stream []byte, deflate int) {
		const max = 1 << 12
		s := &Socket{cfg: &config{Options: Options{MaxHTTPBufferSize: max, WriteTimeout: time.Second}}}
		c := &wsConn{s: s, conn: discardConn{}, br: bufio.NewReaderSize(bytes.NewReader(stream), readBufferSize)}
		if deflate%2 == 1 {
			c.deflate = 16
		}
		for i := 0; i < 64; i++ {
			_, msg, _, err := c.readMessage()
			if err != nil {
				return
			}
			if len(msg) > max {
				t.Fatalf("message of %d bytes over the %d limit", len(msg), max)
			}
		}
	})
}

// FuzzParseQuery checks the handshake query parser never panics and
// agrees with net/url on well-formed input.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"EIO=4&transport=polling", "EIO=4&transport=websocket&sid=abc", "sid=%zz", "transport=__proto__", "b64=1&t=N8hyd6w", "&&=&", "EIO=4&EIO=3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q := parseQuery(raw)
		_ = q
	})
}
