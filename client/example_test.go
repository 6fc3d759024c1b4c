package client_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"time"

	"github.com/gosio/socketio"
	"github.com/gosio/socketio/client"
)

// A client connecting to a server, emitting with an acknowledgement and
// receiving an event.
func ExampleConnect() {
	io := socketio.NewServer(nil)
	io.OnConnection(func(s *socketio.Socket) {
		s.On("hello", func(name string, ack func(string)) {
			ack("hello, " + name)
			s.Emit("news", "the server says hi")
		})
	})
	srv := httptest.NewServer(io)
	defer srv.Close()
	defer io.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := client.Connect(ctx, srv.URL, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Disconnect()

	news := make(chan string, 1)
	s.On("news", func(msg string) { news <- msg })

	reply, err := s.EmitWithAck(ctx, "hello", "gopher")
	if err != nil {
		fmt.Println(err)
		return
	}
	var greeting string
	reply.Decode(0, &greeting)
	fmt.Println(greeting)
	fmt.Println(<-news)
	// Output:
	// hello, gopher
	// the server says hi
}

// A Manager multiplexes namespaces over one connection and reconnects
// with backoff; events emitted while offline are sent on reconnection.
func ExampleManager() {
	io := socketio.NewServer(nil)
	io.Of("/admin").OnConnection(func(s *socketio.Socket) {
		s.On("ping", func(ack func(string)) { ack("pong from " + s.Namespace().Name()) })
	})
	srv := httptest.NewServer(io)
	defer srv.Close()
	defer io.Close()

	m := client.NewManager(srv.URL, &client.Options{
		Auth:                 map[string]any{"token": "secret"},
		ReconnectionDelay:    500 * time.Millisecond,
		ReconnectionAttempts: 10,
	})
	admin := m.Socket("/admin", nil)
	connected := make(chan struct{})
	admin.OnConnect(func() { close(connected) })
	admin.Connect()
	<-connected
	defer admin.Disconnect()

	reply, _ := admin.Timeout(2*time.Second).EmitWithAck(context.Background(), "ping")
	fmt.Println(reply.Values()...)
	// Output: pong from /admin
}
