package socketio

import (
	"context"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// benchConn is a raw WebSocket Socket.IO client for benchmarks.
type benchConn struct {
	rw struct {
		io.Reader
		io.Writer
	}
}

func benchDial(b *testing.B, url string) *benchConn {
	conn, br, _, err := ws.Dial(context.Background(), "ws"+strings.TrimPrefix(url, "http")+"/socket.io/?EIO=4&transport=websocket")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	c := &benchConn{}
	c.rw.Reader, c.rw.Writer = conn, conn
	if br != nil {
		c.rw.Reader = io.MultiReader(br, conn)
	}
	c.read(b) // open
	c.write(b, "40")
	c.read(b) // connect reply
	return c
}

func (c *benchConn) write(b *testing.B, s string) {
	if err := wsutil.WriteClientText(c.rw.Writer, []byte(s)); err != nil {
		b.Fatal(err)
	}
}

func (c *benchConn) read(b *testing.B) string {
	msg, err := wsutil.ReadServerText(c.rw)
	if err != nil {
		b.Fatal(err)
	}
	return string(msg)
}

func benchServer(b *testing.B) (*Server, string) {
	io := NewServer(&Options{Engine: engineio.Options{PingInterval: time.Minute, PingTimeout: time.Minute}})
	io.OnConnection(func(s *Socket) {
		s.On("echo", func(e *Event) { e.Ack(e.Values()...) })
		s.On("typed", func(msg string, ack func(string)) { ack(msg) })
	})
	hs := httptest.NewServer(io)
	b.Cleanup(func() { io.Close(); hs.CloseClientConnections(); hs.Close() })
	return io, hs.URL
}

// BenchmarkEchoAck is an acked round trip of a 64-byte string over
// WebSocket through a raw handler, client included.
func BenchmarkEchoAck(b *testing.B) {
	_, url := benchServer(b)
	c := benchDial(b, url)
	payload := strings.Repeat("x", 64)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := strconv.Itoa(i)
		c.write(b, "42"+id+`["echo","`+payload+`"]`)
		if got := c.read(b); !strings.HasPrefix(got, "43"+id+"[") {
			b.Fatalf("got %q", got)
		}
		i++
	}
}

// BenchmarkEchoAckTyped is BenchmarkEchoAck through a typed handler.
func BenchmarkEchoAckTyped(b *testing.B) {
	_, url := benchServer(b)
	c := benchDial(b, url)
	payload := strings.Repeat("x", 64)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := strconv.Itoa(i)
		c.write(b, "42"+id+`["typed","`+payload+`"]`)
		if got := c.read(b); !strings.HasPrefix(got, "43"+id+"[") {
			b.Fatalf("got %q", got)
		}
		i++
	}
}

// BenchmarkBroadcast100 broadcasts to 100 WebSocket clients and waits
// until each received it; allocations per op include every recipient.
func BenchmarkBroadcast100(b *testing.B) {
	io, url := benchServer(b)
	conns := make([]*benchConn, 100)
	for i := range conns {
		conns[i] = benchDial(b, url)
	}
	b.ReportAllocs()
	for b.Loop() {
		io.Emit("msg", "hello everyone")
		for _, c := range conns {
			c.read(b)
		}
	}
}
