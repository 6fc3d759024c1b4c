package client

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"
)

type discardConn struct{ net.Conn }

func (discardConn) Write(p []byte) (int, error)      { return len(p), nil }
func (discardConn) Close() error                     { return nil }
func (discardConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzReadPacket feeds arbitrary bytes to the client's WebSocket reader as
// a server's stream: no panic, no message over the limit.
func FuzzReadPacket(f *testing.F) {
	f.Add([]byte{0x81, 0x06, '4', 'h', 'e', 'l', 'l', 'o'})
	f.Add([]byte{0x01, 0x01, '4', 0x80, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x89, 0x00, 0x88, 0x00})
	f.Fuzz(func(t *testing.T, stream []byte) {
		const max = 1 << 12
		tr := &wsTransport{conn: discardConn{}, r: io.Reader(bytes.NewReader(stream))}
		for i := 0; i < 64; i++ {
			p, err := tr.readPacket(max)
			if err != nil {
				return
			}
			if len(p.Data) > max {
				t.Fatalf("%d bytes over the %d limit", len(p.Data), max)
			}
		}
	})
}
