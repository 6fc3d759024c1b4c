package client

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/gosio/socketio"
)

func serveForBench(b *testing.B, io *socketio.Server) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: io}
	go hs.Serve(ln)
	b.Cleanup(func() { io.Close(); hs.Close() })
	return "http://" + ln.Addr().String()
}

func connectBench(b *testing.B, url string) *Socket {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	s, err := Connect(ctx, url+"/", &Options{Transports: []string{"websocket"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Disconnect)
	return s
}
