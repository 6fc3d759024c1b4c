// Command zishang is the bench server contract (see bench/README in
// docs/performance.md) implemented with github.com/zishang520/socket.io
// v3.0.6, a Go port of Node's socket.io, for side-by-side measurements.
//
// It serves /socket.io/ on 127.0.0.1:$PORT. On "echo" it acks back the same
// arguments; on "broadcast" it emits "msg" with the arguments to every
// socket. PING_INTERVAL_MS sets the Engine.IO ping interval (default 25000).
package main

import (
	"context"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/zishang520/socket.io/servers/socket/v3"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	opts := socket.DefaultServerOptions()
	opts.SetServeClient(false)
	if ms, err := strconv.Atoi(os.Getenv("PING_INTERVAL_MS")); err == nil && ms > 0 {
		opts.SetPingInterval(time.Duration(ms) * time.Millisecond)
	}
	io := socket.NewServer(nil, opts)
	io.On("connection", func(args ...any) {
		s := args[0].(*socket.Socket)
		s.On("echo", func(a ...any) {
			if len(a) > 0 {
				if ack, ok := a[len(a)-1].(socket.Ack); ok {
					ack(a[:len(a)-1], nil)
					return
				}
			}
			s.Emit("echo", a...)
		})
		s.On("broadcast", func(a ...any) {
			if len(a) > 0 {
				if _, ok := a[len(a)-1].(socket.Ack); ok {
					a = a[:len(a)-1]
				}
			}
			io.Emit("msg", a...)
		})
	})
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io.ServeHandler(nil))
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	log.Printf("zishang bench server on %s", ln.Addr())

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	io.Close(nil)
	srv.Shutdown(ctx)
}
