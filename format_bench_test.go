package socketio

// Benchmarks of the wire formats end to end: the echo and the broadcast
// of bench_test.go, with the JSON parser and with parser/msgpack. The
// client side encodes and decodes with the same format, so each pair
// compares the whole cost of a format (benchstat -col /format).

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/parser"
	"github.com/gosio/socketio/parser/msgpack"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

var benchFormats = []struct {
	name string
	f    parser.Parser
}{{"json", parser.JSON{}}, {"msgpack", msgpack.Parser{}}}

// formatConn is a raw WebSocket Socket.IO client speaking a format.
type formatConn struct {
	f   parser.Parser
	dec parser.MessageDecoder
	rw  struct {
		io.Reader
		io.Writer
	}
}

func formatDial(b *testing.B, url string, f parser.Parser) *formatConn {
	conn, br, _, err := ws.Dial(context.Background(), "ws"+strings.TrimPrefix(url, "http")+"/socket.io/?EIO=4&transport=websocket")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	c := &formatConn{f: f, dec: f.NewDecoder(parser.Limits{})}
	c.rw.Reader, c.rw.Writer = conn, conn
	if br != nil {
		c.rw.Reader = io.MultiReader(br, conn)
	}
	if msg, _, err := wsutil.ReadServerData(c.rw); err != nil || msg[0] != '0' {
		b.Fatalf("open: %q %v", msg, err)
	}
	c.write(b, &parser.Packet{Type: parser.Connect, Nsp: "/"})
	if p := c.read(b); p.Type != parser.Connect {
		b.Fatalf("connect reply %+v", p)
	}
	return c
}

// write encodes p and sends it, each message prefixed by the Engine.IO
// message type ("4") when it is text.
func (c *formatConn) write(b *testing.B, p *parser.Packet) {
	text, bins, err := c.f.Encode(p)
	if err != nil {
		b.Fatal(err)
	}
	if text != nil {
		if err := wsutil.WriteClientText(c.rw.Writer, append([]byte{'4'}, text...)); err != nil {
			b.Fatal(err)
		}
	}
	for _, m := range bins {
		if err := wsutil.WriteClientBinary(c.rw.Writer, m); err != nil {
			b.Fatal(err)
		}
	}
}

// read reads messages until a packet is complete.
func (c *formatConn) read(b *testing.B) *parser.Packet {
	for {
		msg, op, err := wsutil.ReadServerData(c.rw)
		if err != nil {
			b.Fatal(err)
		}
		binary := op == ws.OpBinary
		if !binary {
			if len(msg) == 0 || msg[0] != '4' {
				continue // not a message (ping)
			}
			msg = msg[1:]
		}
		p, err := c.dec.Add(msg, binary)
		if err != nil {
			b.Fatal(err)
		}
		if p != nil {
			return p
		}
	}
}

func formatServer(b *testing.B, f parser.Parser) (*Server, string) {
	io := NewServer(&Options{Parser: f, Engine: engineio.Options{PingInterval: time.Minute, PingTimeout: time.Minute}})
	io.OnConnection(func(s *Socket) {
		s.On("echo", func(e *Event) { e.Ack(e.Values()...) })
	})
	hs := httptest.NewServer(io)
	b.Cleanup(func() { io.Close(); hs.CloseClientConnections(); hs.Close() })
	return io, hs.URL
}

// BenchmarkFormatEchoAck is BenchmarkEchoAck (an acked round trip of a
// 64-byte string through a raw handler) in each format, and with a
// 1 KiB binary argument beside it.
func BenchmarkFormatEchoAck(b *testing.B) {
	payload := json.RawMessage(`"` + strings.Repeat("x", 64) + `"`)
	for _, fm := range benchFormats {
		for _, withBin := range []bool{false, true} {
			name := "args=string/format=" + fm.name
			if withBin {
				name = "args=string+binary/format=" + fm.name
			}
			b.Run(name, func(b *testing.B) {
				_, url := formatServer(b, fm.f)
				c := formatDial(b, url, fm.f)
				args := []any{payload}
				if withBin {
					args = append(args, make([]byte, 1024))
				}
				b.ReportAllocs()
				var id uint64
				for b.Loop() {
					p, err := parser.NewEvent("/", "echo", args)
					if err != nil {
						b.Fatal(err)
					}
					p.ID, p.HasID = id, true
					c.write(b, p)
					if r := c.read(b); r.ID != id || !r.HasID {
						b.Fatalf("got %+v", r)
					}
					id++
				}
			})
		}
	}
}

// BenchmarkFormatBroadcast2000 broadcasts an event to 2000 WebSocket
// clients and waits until each received it, in each format. The clients
// only read the frame (as BenchmarkBroadcast100 does): what is measured is
// the server's work and the wire, whose size per recipient is reported.
func BenchmarkFormatBroadcast2000(b *testing.B) {
	const n = 2000
	for _, fm := range benchFormats {
		b.Run("format="+fm.name, func(b *testing.B) {
			io, url := formatServer(b, fm.f)
			conns := make([]*formatConn, n)
			for i := range conns {
				conns[i] = formatDial(b, url, fm.f)
			}
			msg := map[string]any{"user": "someone", "text": "hello everyone", "n": 42, "ok": true}
			size := 0
			b.ReportAllocs()
			for b.Loop() {
				io.Emit("msg", msg)
				for _, c := range conns {
					m, _, err := wsutil.ReadServerData(c.rw)
					if err != nil {
						b.Fatal(err)
					}
					size = len(m)
				}
			}
			b.ReportMetric(float64(size), "wire-B")
		})
	}
}
