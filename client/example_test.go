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

// A Dialer shares one connection among the namespaces of a server, as
// io(url) does; each socket has its own auth.
func ExampleDialer() {
	io := socketio.NewServer(nil)
	for _, name := range []string{"/", "/chat"} {
		io.Of(name).OnConnection(func(s *socketio.Socket) {
			s.On("who", func(ack func(string, any)) { ack(s.Namespace().Name(), s.Handshake().Auth["user"]) })
		})
	}
	srv := httptest.NewServer(io)
	defer srv.Close()
	defer io.Close()

	var d client.Dialer
	defer d.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	root, _ := d.Connect(ctx, srv.URL+"/", &client.Options{Auth: map[string]any{"user": "ann"}})
	chat, _ := d.Connect(ctx, srv.URL+"/chat", &client.Options{Auth: map[string]any{"user": "bob"}})
	fmt.Println("one connection:", root.Manager() == chat.Manager())
	for _, s := range []*client.Socket{root, chat} {
		reply, _ := s.EmitWithAck(ctx, "who")
		fmt.Println(reply.Values()...)
	}
	// Output:
	// one connection: true
	// / ann
	// /chat bob
}

// At-least-once delivery: with Retries, emits wait in a queue and are
// sent one at a time until the server acknowledges each, across
// reconnections; AckTimeout bounds each try.
func ExampleSocketOptions_retries() {
	io := socketio.NewServer(nil)
	io.OnConnection(func(s *socketio.Socket) {
		s.On("order", func(id int, ack func(string)) { ack(fmt.Sprint("order ", id, " stored")) })
	})
	srv := httptest.NewServer(io)
	defer srv.Close()
	defer io.Close()

	m := client.NewManager(srv.URL, nil)
	s := m.Socket("/", &client.SocketOptions{Retries: 3, AckTimeout: time.Second})
	defer m.Close()
	// Emitted before the connection: sent once it is up, in order.
	done := make(chan string, 2)
	for id := 1; id <= 2; id++ {
		s.EmitWithAckFunc("order", func(reply client.Args, err error) {
			var msg string
			reply.Decode(0, &msg)
			done <- msg
		}, id)
	}
	s.Connect()
	fmt.Println(<-done)
	fmt.Println(<-done)
	// Output:
	// order 1 stored
	// order 2 stored
}
