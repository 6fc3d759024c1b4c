package client

import (
	"context"
	"testing"

	"github.com/gosio/socketio"
)

func benchServer(b *testing.B) string {
	b.Helper()
	io := socketio.NewServer(nil)
	io.OnConnection(func(s *socketio.Socket) {
		s.On("echo", func(e *socketio.Event) { e.Ack(e.Values()...) })
		s.On("burst", func(n int) {
			for i := 0; i < n; i++ {
				s.Emit("item", i)
			}
		})
	})
	return serveForBench(b, io)
}

// Round trips of EmitWithAck over WebSocket.
func BenchmarkEmitWithAck(b *testing.B) {
	url := benchServer(b)
	s := connectBench(b, url)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.EmitWithAck(ctx, "echo", "x"); err != nil {
			b.Fatal(err)
		}
	}
}

// Server-to-client events delivered to a handler.
func BenchmarkEventDelivery(b *testing.B) {
	url := benchServer(b)
	s := connectBench(b, url)
	got := make(chan struct{}, 1)
	n := 0
	s.On("item", func(int) {
		n++
		if n == b.N {
			got <- struct{}{}
		}
	})
	b.ReportAllocs()
	b.ResetTimer()
	s.Emit("burst", b.N)
	<-got
}
