package client

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio"
)

// recordServer is a server that records the events it gets, acks "echo"
// and never acks "hold".
func recordServer(t *testing.T) (url string, events <-chan string) {
	ch := make(chan string, 64)
	_, url, _ = goServer(t, "127.0.0.1:0", func(io *socketio.Server) {
		io.OnConnection(func(s *socketio.Socket) {
			s.OnAny(func(e *socketio.Event) {
				var arg string
				e.Decode(0, &arg)
				ch <- e.Name + " " + arg
				if e.Name == "echo" {
					e.Ack(arg)
				}
			})
		})
	})
	return url, ch
}

func recv(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	case <-time.After(3 * time.Second):
		t.Fatalf("no %q", want)
	}
}

// EmitWithAck's context ends while its try waits (no ack timeout): the
// packet leaves the queue and the next one goes.
func TestRetryAbandoned(t *testing.T) {
	url, events := recordServer(t)
	o := fast()
	o.Retries = 3
	s := connect(t, url, o)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := s.EmitWithAck(ctx, "hold", "a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hold: %v", err)
	}
	recv(t, events, "hold a")
	reply, err := s.EmitWithAck(context.Background(), "echo", "b")
	var got string
	if err != nil || reply.Decode(0, &got) != nil || got != "b" {
		t.Fatalf("echo after an abandoned packet: %v %q", err, got)
	}
	recv(t, events, "echo b")
	s.mu.Lock()
	n, acks := len(s.queue), len(s.acks)
	s.mu.Unlock()
	if n != 0 || acks != 0 {
		t.Errorf("queue %d, acks %d after settling", n, acks)
	}
}

// The queue is bounded by MaxBufferedPackets while disconnected.
func TestRetryQueueBound(t *testing.T) {
	o := fast()
	o.Retries = 1
	o.MaxBufferedPackets = 3
	s := NewManager("http://127.0.0.1:1/", o).Socket("/", nil)
	for i := range 3 {
		if err := s.Emit("x", i); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Emit("x", 3); !errors.Is(err, ErrBufferFull) {
		t.Fatalf("fourth emit: %v, want ErrBufferFull", err)
	}
	if err := s.Volatile().Emit("x", 4); err != nil {
		t.Fatalf("volatile emit: %v", err)
	}
}

// An ack that times out while its packet is still buffered drops the
// packet, as socket.io-client does: the server never gets it. The ack
// callback runs once.
func TestAckTimeoutDropsBuffered(t *testing.T) {
	url, events := recordServer(t)
	o := fast()
	m := NewManager(url, o)
	s := m.Socket("/", nil)
	t.Cleanup(func() { s.Disconnect(); m.Close() })
	var mu sync.Mutex
	var outcomes []error
	done := make(chan struct{}, 2)
	err := s.Timeout(50*time.Millisecond).EmitWithAckFunc("echo", func(_ Args, err error) {
		mu.Lock()
		outcomes = append(outcomes, err)
		mu.Unlock()
		done <- struct{}{}
	}, "dropped")
	if err != nil {
		t.Fatal(err)
	}
	<-done
	connected := make(chan struct{})
	s.OnConnect(func() { close(connected) })
	s.Connect()
	<-connected
	if _, err := s.EmitWithAck(context.Background(), "echo", "kept"); err != nil {
		t.Fatal(err)
	}
	recv(t, events, "echo kept")
	mu.Lock()
	defer mu.Unlock()
	if len(outcomes) != 1 || !errors.Is(outcomes[0], ErrTimeout) {
		t.Fatalf("outcomes %v, want one ErrTimeout", outcomes)
	}
}

// EmitWithAckFunc keeps the order of successive calls and reports each
// reply.
func TestEmitWithAckFuncOrder(t *testing.T) {
	url, events := recordServer(t)
	s := connect(t, url, fast())
	replies := make(chan string, 8)
	for _, v := range []string{"1", "2", "3"} {
		if err := s.EmitWithAckFunc("echo", func(a Args, err error) {
			var got string
			a.Decode(0, &got)
			replies <- got
		}, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"1", "2", "3"} {
		recv(t, events, "echo "+v)
		recv(t, replies, v)
	}
}
