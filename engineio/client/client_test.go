package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gosio/socketio/engineio"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// recorder is a Handler that records what it receives.
type recorder struct {
	mu     sync.Mutex
	msgs   []string
	bins   [][]byte
	got    chan struct{}
	closed chan string
}

func newRecorder() *recorder {
	return &recorder{got: make(chan struct{}, 1024), closed: make(chan string, 1)}
}

func (r *recorder) OnMessage(data []byte, binary bool) {
	r.mu.Lock()
	if binary {
		r.bins = append(r.bins, data)
	} else {
		r.msgs = append(r.msgs, string(data))
	}
	r.mu.Unlock()
	r.got <- struct{}{}
}

func (r *recorder) OnClose(reason string, _ error) { r.closed <- reason }

func (r *recorder) wait(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-r.got:
		case <-time.After(3 * time.Second):
			t.Fatalf("got %d of %d messages", i, n)
		}
	}
}

func (r *recorder) waitClose(t *testing.T) string {
	t.Helper()
	select {
	case reason := <-r.closed:
		return reason
	case <-time.After(3 * time.Second):
		t.Fatal("no close")
	}
	return ""
}

type echo struct{ s *engineio.Socket }

func (e echo) OnMessage(d []byte, b bool) { e.s.Send(d, b) }
func (e echo) OnClose(string, error)      {}

// server starts our Engine.IO server with short timers and echo.
func server(t *testing.T, mod func(*engineio.Options)) (*engineio.Server, string, chan *engineio.Socket) {
	t.Helper()
	conns := make(chan *engineio.Socket, 16)
	o := &engineio.Options{
		PingInterval:   200 * time.Millisecond,
		PingTimeout:    300 * time.Millisecond,
		UpgradeTimeout: time.Second,
		OnConnection: func(s *engineio.Socket) {
			s.SetHandler(echo{s})
			conns <- s
		},
	}
	if mod != nil {
		mod(o)
	}
	srv := engineio.NewServer(o)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); hs.CloseClientConnections(); hs.Close() })
	return srv, hs.URL, conns
}

func dial(t *testing.T, url string, o *Options, h Handler) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	c, err := Dial(ctx, url, o, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestTransports(t *testing.T) {
	for _, tc := range []struct {
		name     string
		opts     Options
		final    string
		upgraded bool
	}{
		{"polling", Options{Transports: []string{Polling}}, Polling, false},
		{"websocket", Options{Transports: []string{WebSocket}}, WebSocket, false},
		{"upgrade", Options{}, WebSocket, true},
		{"no-upgrade", Options{DisableUpgrade: true}, Polling, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, url, conns := server(t, nil)
			r := newRecorder()
			c := dial(t, url, &tc.opts, r)
			s := <-conns
			if s.ID() != c.ID() {
				t.Fatalf("sid %s vs %s", s.ID(), c.ID())
			}
			if tc.upgraded {
				deadline := time.Now().Add(3 * time.Second)
				for !c.Upgraded() && time.Now().Before(deadline) {
					time.Sleep(5 * time.Millisecond)
				}
			}
			// Several heartbeats pass: the client answers pings.
			for i := 0; i < 50; i++ {
				c.Send([]byte("msg"), false)
				c.Send([]byte{byte(i), 0, 255}, true)
			}
			r.wait(t, 100)
			time.Sleep(600 * time.Millisecond)
			if got := c.Transport(); got != tc.final || c.Upgraded() != tc.upgraded {
				t.Fatalf("transport %s upgraded %v", got, c.Upgraded())
			}
			r.mu.Lock()
			defer r.mu.Unlock()
			for i, b := range r.bins {
				if len(b) != 3 || b[0] != byte(i) || b[2] != 255 {
					t.Fatalf("binary %d = %v", i, b)
				}
			}
			if len(r.msgs) != 50 {
				t.Fatalf("%d text messages", len(r.msgs))
			}
		})
	}
}

func TestCloseReasons(t *testing.T) {
	for _, tr := range []string{Polling, WebSocket} {
		t.Run("server close/"+tr, func(t *testing.T) {
			_, url, conns := server(t, nil)
			r := newRecorder()
			dial(t, url, &Options{Transports: []string{tr}}, r)
			(<-conns).Close()
			if got := r.waitClose(t); got != ReasonTransportClose {
				t.Fatalf("reason %q", got)
			}
		})
		t.Run("client close/"+tr, func(t *testing.T) {
			_, url, conns := server(t, func(o *engineio.Options) {
				user := o.OnConnection
				o.OnConnection = func(s *engineio.Socket) { user(s) }
			})
			r := newRecorder()
			c := dial(t, url, &Options{Transports: []string{tr}}, r)
			s := <-conns
			c.Close()
			if got := r.waitClose(t); got != ReasonForcedClose {
				t.Fatalf("client reason %q", got)
			}
			select {
			case <-s.Done():
			case <-time.After(2 * time.Second):
				t.Fatal("server session still open")
			}
		})
	}
}

// A server that stops pinging: the client closes with "ping timeout".
func TestClientPingTimeout(t *testing.T) {
	// The fake server completes the polling handshake, then holds every
	// poll without ever sending a ping.
	release := make(chan struct{})
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("sid") == "" {
			w.Write([]byte(`0{"sid":"AAAAAAAAAAAAAAAAAAAA","upgrades":[],"pingInterval":100,"pingTimeout":100,"maxPayload":1000000}`))
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer fake.Close()
	defer close(release)
	r := newRecorder()
	dial(t, fake.URL, &Options{Transports: []string{Polling}}, r)
	if got := r.waitClose(t); got != ReasonPingTimeout {
		t.Fatalf("reason %q", got)
	}
}

// Hostile servers get clear errors and leak nothing.
func TestHostileServers(t *testing.T) {
	cases := map[string]http.HandlerFunc{
		"garbage handshake": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("garbage")) },
		"not open":          func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("4hello")) },
		"bad open json":     func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("0{nope")) },
		"no sid":            func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`0{"pingInterval":1,"pingTimeout":1}`)) },
		"refused": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(400)
			w.Write([]byte(`{"code":5,"message":"Unsupported protocol version"}`))
		},
		"oversized": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("0"))
			w.Write([]byte(strings.Repeat("x", 2<<20)))
		},
		"never answers": func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			fake := httptest.NewServer(h)
			defer fake.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := Dial(ctx, fake.URL, &Options{Transports: []string{Polling}, MaxMessageSize: 1 << 20}, newRecorder())
			if err == nil {
				t.Fatal("Dial succeeded")
			}
			var he *HandshakeError
			if name == "refused" && (!errors.As(err, &he) || he.Code != 5 || he.Message != "Unsupported protocol version") {
				t.Fatalf("refused: %v", err)
			}
		})
	}
}

// A server that sends garbage after the handshake: "parse error".
func TestParseErrorAfterHandshake(t *testing.T) {
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("sid") == "" {
			w.Write([]byte(`0{"sid":"AAAAAAAAAAAAAAAAAAAA","upgrades":[],"pingInterval":1000,"pingTimeout":1000,"maxPayload":1000000}`))
			return
		}
		w.Write([]byte("x!garbage"))
	}))
	defer fake.Close()
	r := newRecorder()
	dial(t, fake.URL, &Options{Transports: []string{Polling}}, r)
	if got := r.waitClose(t); got != ReasonParseError {
		t.Fatalf("reason %q", got)
	}
}

// A wrong sid (the server forgot the session): transport error.
func TestUnknownSession(t *testing.T) {
	srv, url, conns := server(t, nil)
	r := newRecorder()
	c := dial(t, url, &Options{Transports: []string{Polling}}, r)
	<-conns
	srv.Close() // every session gone; the next poll gets 400
	if got := r.waitClose(t); got != ReasonTransportClose && got != ReasonTransportError {
		t.Fatalf("reason %q", got)
	}
	_ = c
}

// A server that never reads: the client's queue is bounded, the
// connection closes with "transport error" and Send reports it.
func TestWriteBufferBounded(t *testing.T) {
	release := make(chan struct{})
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("sid") == "" {
			w.Write([]byte(`0{"sid":"AAAAAAAAAAAAAAAAAAAA","upgrades":[],"pingInterval":10000,"pingTimeout":10000,"maxPayload":1000000}`))
			return
		}
		select { // hold every request: nothing is ever written
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer fake.Close()
	defer close(release)
	r := newRecorder()
	c := dial(t, fake.URL, &Options{Transports: []string{Polling}, MaxBufferedBytes: 1 << 16}, r)
	chunk := make([]byte, 1<<12)
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		err = c.Send(chunk, true)
	}
	if !errors.Is(err, ErrWriteBufferFull) && !errors.Is(err, ErrClosed) {
		t.Fatalf("Send err %v", err)
	}
	if got := r.waitClose(t); got != ReasonTransportError {
		t.Fatalf("reason %q", got)
	}
}
