package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"

	"go.uber.org/goleak"

	"github.com/gosio/socketio"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// goServer runs our socketio server on addr ("127.0.0.1:0" for any port)
// and returns it with its address.
func goServer(t *testing.T, addr string, setup func(*socketio.Server)) (*socketio.Server, string, func()) {
	t.Helper()
	io := socketio.NewServer(&socketio.Options{Engine: engineio.Options{PingInterval: 300 * time.Millisecond, PingTimeout: 300 * time.Millisecond}})
	if setup != nil {
		setup(io)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: io}
	go hs.Serve(ln)
	var once sync.Once
	stop := func() {
		once.Do(func() {
			io.Close()
			hs.Close()
		})
	}
	t.Cleanup(stop)
	return io, "http://" + ln.Addr().String(), stop
}

func fast() *Options {
	return &Options{ReconnectionDelay: 50 * time.Millisecond, ReconnectionDelayMax: 200 * time.Millisecond, Timeout: 2 * time.Second}
}

func connect(t *testing.T, url string, o *Options) *Socket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	s, err := Connect(ctx, url, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Disconnect)
	return s
}

type Msg struct {
	Text string `json:"text"`
	N    int    `json:"n"`
}

func TestEmitAndAckBothWays(t *testing.T) {
	for _, tr := range [][]string{{"polling"}, {"websocket"}, nil} {
		name := "upgrade"
		if tr != nil {
			name = tr[0]
		}
		t.Run(name, func(t *testing.T) {
			got := make(chan string, 4)
			_, url, _ := goServer(t, "127.0.0.1:0", func(io *socketio.Server) {
				io.OnConnection(func(s *socketio.Socket) {
					s.On("echo", func(m Msg, bin []byte, ack func(Msg, []byte)) {
						ack(Msg{Text: m.Text + "!", N: m.N + 1}, append(bin, 9))
					})
					s.On("ask", func() {
						go func() {
							reply, err := s.EmitWithAck(context.Background(), "question", "ping", []byte{1, 2})
							if err != nil {
								got <- err.Error()
								return
							}
							var str string
							var b []byte
							reply.Decode(0, &str)
							reply.Decode(1, &b)
							got <- str + string(rune('0'+len(b)))
						}()
					})
				})
			})
			o := fast()
			o.Transports = tr
			s := connect(t, url, o)
			s.On("question", func(q string, b []byte, ack func(...any)) { ack(q+"-pong", append(b, 3)) })
			reply, err := s.EmitWithAck(context.Background(), "echo", Msg{Text: "hi", N: 1}, []byte{7, 8})
			if err != nil {
				t.Fatal(err)
			}
			var m Msg
			var b []byte
			reply.Decode(0, &m)
			reply.Decode(1, &b)
			if m.Text != "hi!" || m.N != 2 || string(b) != "\x07\x08\x09" {
				t.Fatalf("ack %+v %v", m, b)
			}
			s.Emit("ask")
			select {
			case v := <-got:
				if v != "ping-pong3" {
					t.Fatalf("server ack %q", v)
				}
			case <-time.After(3 * time.Second):
				t.Fatal("no server ack")
			}
		})
	}
}

func TestNamespacesOverOneConnection(t *testing.T) {
	var auths sync.Map
	_, url, _ := goServer(t, "127.0.0.1:0", func(io *socketio.Server) {
		io.OnConnection(func(s *socketio.Socket) { auths.Store("/", s.Handshake().Auth["token"]) })
		io.Of("/admin").OnConnection(func(s *socketio.Socket) { auths.Store("/admin", s.Handshake().Auth["token"]) })
	})
	o := fast()
	o.Auth = map[string]any{"token": "abc"}
	m := NewManager(url, o)
	a, b := m.Socket("/", nil), m.Socket("/admin", nil)
	done := make(chan struct{}, 2)
	a.OnConnect(func() { done <- struct{}{} })
	b.OnConnect(func() { done <- struct{}{} })
	a.Connect()
	b.Connect()
	<-done
	<-done
	if a.m.Engine() == nil || a.Manager() != b.Manager() {
		t.Fatal("not multiplexed")
	}
	for _, nsp := range []string{"/", "/admin"} {
		if v, _ := auths.Load(nsp); v != "abc" {
			t.Fatalf("%s auth %v", nsp, v)
		}
	}
	a.Disconnect()
	b.Disconnect()
}

func TestMiddlewareRejection(t *testing.T) {
	_, url, _ := goServer(t, "127.0.0.1:0", func(io *socketio.Server) {
		io.Use(func(s *socketio.Socket) error {
			return &socketio.ConnectError{Message: "not authorized", Data: map[string]any{"content": "retry later"}}
		})
	})
	_, err := Connect(context.Background(), url, fast())
	var ce *ConnectError
	if !errors.As(err, &ce) || ce.Message != "not authorized" || ce.Data.(map[string]any)["content"] != "retry later" {
		t.Fatalf("err %#v", err)
	}
	_, err = Connect(context.Background(), url+"/nowhere", fast())
	if !errors.As(err, &ce) || ce.Message != "Invalid namespace" {
		t.Fatalf("err %#v", err)
	}
}

func TestServerDisconnectDoesNotReconnect(t *testing.T) {
	_, url, _ := goServer(t, "127.0.0.1:0", func(io *socketio.Server) {
		io.OnConnection(func(s *socketio.Socket) { s.On("kick", func() { s.Disconnect(false) }) })
	})
	s := connect(t, url, fast())
	reasons := make(chan string, 2)
	s.OnDisconnect(func(r Reason, _ error) { reasons <- string(r) })
	s.Emit("kick")
	if r := <-reasons; r != "io server disconnect" {
		t.Fatalf("reason %q", r)
	}
	time.Sleep(300 * time.Millisecond)
	if s.Connected() || s.Active() {
		t.Fatal("reconnected after io server disconnect")
	}
}

// The server dies and comes back on the same port: the client reconnects,
// and what it emitted meanwhile is delivered once.
func TestReconnectAndBufferedEmits(t *testing.T) {
	received := make(chan int, 100)
	setup := func(io *socketio.Server) {
		io.OnConnection(func(s *socketio.Socket) { s.On("n", func(n int) { received <- n }) })
	}
	_, url, stop := goServer(t, "127.0.0.1:0", setup)
	s := connect(t, url, fast())
	reasons := make(chan string, 4)
	reconnected := make(chan int, 4)
	s.OnDisconnect(func(r Reason, _ error) { reasons <- string(r) })
	s.Manager().OnReconnect(func(n int) { reconnected <- n })
	s.Emit("n", 0)
	if n := <-received; n != 0 {
		t.Fatal(n)
	}
	stop()
	if r := <-reasons; r != "transport close" && r != "transport error" {
		t.Fatalf("reason %q", r)
	}
	for i := 1; i <= 5; i++ {
		if err := s.Emit("n", i); err != nil {
			t.Fatal(err)
		}
	}
	goServer(t, url[len("http://"):], setup)
	select {
	case <-reconnected:
	case <-time.After(5 * time.Second):
		t.Fatal("did not reconnect")
	}
	for i := 1; i <= 5; i++ {
		select {
		case n := <-received:
			if n != i {
				t.Fatalf("got %d, want %d", n, i)
			}
		case <-time.After(3 * time.Second):
			t.Fatalf("buffered emit %d not delivered", i)
		}
	}
	select {
	case n := <-received:
		t.Fatalf("duplicate delivery %d", n)
	case <-time.After(200 * time.Millisecond):
	}
}

func TestReconnectFailed(t *testing.T) {
	_, url, stop := goServer(t, "127.0.0.1:0", nil)
	o := fast()
	o.ReconnectionAttempts = 2
	s := connect(t, url, o)
	failed := make(chan struct{})
	attempts := make(chan int, 8)
	s.Manager().OnReconnectAttempt(func(n int) { attempts <- n })
	s.Manager().OnReconnectFailed(func() { close(failed) })
	stop()
	select {
	case <-failed:
	case <-time.After(5 * time.Second):
		t.Fatal("no reconnect_failed")
	}
	if len(attempts) != 2 {
		t.Fatalf("%d attempts", len(attempts))
	}
}

func TestBackoffMatchesReference(t *testing.T) {
	b := newBackoff(time.Second, 5*time.Second, 0.5)
	seq := []float64{0.1, 0.75, 0.0, 0.99}
	i := 0
	b.rand = func() float64 { r := seq[i%len(seq)]; i++; return r }
	// attempt 0: 1000, r=0.1 -> dev=50, floor(1)=1 odd -> 1050
	// attempt 1: 2000, r=0.75 -> dev=750, floor(7.5)=7 odd -> 2750
	// attempt 2: 4000, r=0 -> dev 0 -> 4000
	// attempt 3: 8000, r=0.99 -> dev=3960, floor(9.9)=9 odd -> 11960 -> capped 5000
	want := []time.Duration{1050, 2750, 4000, 5000}
	for j, w := range want {
		if d := b.duration(); d != w*time.Millisecond {
			t.Fatalf("attempt %d: %v, want %v", j, d, w*time.Millisecond)
		}
	}
}

// Closing the Manager aborts a connection attempt in flight, as the
// reference's engine.close() does, rather than leaving it to run until
// Options.Timeout.
func TestCloseAbortsConnectionAttempt(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c // never answered
		}
	}()
	defer func() {
		for len(accepted) > 0 {
			(<-accepted).Close()
		}
	}()
	o := fast()
	o.Timeout = 10 * time.Second
	s := NewManager("http://"+ln.Addr().String(), o).Socket("/", nil)
	s.Connect()
	select {
	case c := <-accepted:
		accepted <- c
	case <-time.After(3 * time.Second):
		t.Fatal("no connection attempt")
	}
	s.Disconnect()
	deadline := time.Now().Add(2 * time.Second)
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if !strings.Contains(string(buf[:n]), "client.(*Manager).open.func") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the connection attempt still runs after Disconnect")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
