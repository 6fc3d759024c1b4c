package redis

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosio/socketio/adapter/redis/internal/redistest"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/client"
)

// sharedRedis serves the tests that do not stop Redis; each test uses its
// own channel key.
var sharedRedis *redisServer

func TestMain(m *testing.M) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		fmt.Fprintln(os.Stderr, "redis-server is not installed: apt-get install -y redis-server (the tests need a real Redis)")
		os.Exit(1)
	}
	var err error
	sharedRedis, err = startRedis(0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting redis-server:", err)
		os.Exit(1)
	}
	code := m.Run()
	sharedRedis.stop()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

var keySeq atomic.Int64

// testKey returns a channel prefix no other test uses.
func testKey() string { return "t" + strconv.FormatInt(keySeq.Add(1), 10) + "-" + uid(4) }

// redisServer is a redis-server process on a loopback port.
type redisServer struct {
	port int
	cmd  *exec.Cmd
}

func (r *redisServer) addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startRedis starts redis-server on port (a free one if 0) and waits until
// it answers PING.
func startRedis(port int) (*redisServer, error) {
	if port == 0 {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		port = p
	}
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "no")
	cmd.Stdout = io.Discard
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &redisServer{port: port, cmd: cmd}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", r.addr(), 200*time.Millisecond)
		if err == nil {
			fmt.Fprint(c, "PING\r\n")
			c.SetReadDeadline(time.Now().Add(time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if line == "+PONG\r\n" {
				return r, nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.stop()
	return nil, fmt.Errorf("redis-server on port %d did not answer", port)
}

// stop kills the server and waits for it.
func (r *redisServer) stop() {
	if r == nil || r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// proxy is the tests' TCP proxy (Stop cuts every connection and refuses
// new ones until Start).
type proxy = redistest.Proxy

func newProxy(t *testing.T, target string) *proxy { return redistest.NewProxy(t, target) }

// node is one Go Socket.IO server with the Redis adapter.
type node struct {
	srv *socketio.Server
	hs  *httptest.Server
	cl  *Cluster
	rdb *goredis.Client
	url string
}

type nodeOpts struct {
	key   string
	addr  string // redis address (default the shared server)
	opts  Options
	setup func(*socketio.Server)
}

func newNode(t *testing.T, o nodeOpts) *node { return newNodeTB(t, o) }

func newNodeTB(t testing.TB, o nodeOpts) *node {
	t.Helper()
	addr := o.addr
	if addr == "" {
		addr = sharedRedis.addr()
	}
	rdb := goredis.NewClient(&goredis.Options{Addr: addr, DialTimeout: time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second, MaxRetries: 1})
	opts := o.opts
	opts.Key = o.key
	cl := New(rdb, &opts)
	srv := socketio.NewServer(&socketio.Options{Adapter: cl.Adapter})
	srv.OnConnection(func(s *socketio.Socket) {
		// clients choose rooms and data through the handshake query
		q := s.Handshake().Query
		for _, r := range q["room"] {
			s.Join(r)
		}
		if d := q.Get("data"); d != "" {
			s.SetData(map[string]any{"name": d})
		}
	})
	if o.setup != nil {
		o.setup(srv)
	}
	hs := httptest.NewServer(srv)
	n := &node{srv: srv, hs: hs, cl: cl, rdb: rdb, url: hs.URL}
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
		cl.Close()
		rdb.Close()
	})
	return n
}

// waitServers waits until the namespace sees want nodes.
func waitServers(t *testing.T, n *node, nsp string, want int) {
	t.Helper()
	a := n.srv.Of(nsp).Adapter()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := a.ServerCount(context.Background())
		if err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server count: got %d (%v), want %d", got, err, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// recorder collects the events a Go client receives.
type recorder struct {
	mu     sync.Mutex
	events []string
	ch     chan string
}

func newRecorder() *recorder { return &recorder{ch: make(chan string, 1000)} }

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.events = append(r.events, s)
	r.mu.Unlock()
	select {
	case r.ch <- s:
	default:
	}
}

// seen reports whether an event was received.
func (r *recorder) seen(s string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e == s {
			return true
		}
	}
	return false
}

// expect waits for the event s.
func (r *recorder) expect(t *testing.T, s string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case got := <-r.ch:
			if got == s {
				return
			}
		case <-timeout:
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("did not receive %q; got %q", s, r.events)
		}
	}
}

// none checks that nothing arrives for a while.
func (r *recorder) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case got := <-r.ch:
		t.Fatalf("unexpected event %q", got)
	case <-time.After(d):
	}
}

type goClient struct {
	s   *client.Socket
	rec *recorder
}

// connect connects a Go client to n with query parameters; it records
// every event as "name:arg0" and acknowledges with "ack-"+name.
func connect(t *testing.T, n *node, query string) *goClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	q, _ := parseQuery(query)
	s, err := client.Connect(ctx, n.url, &client.Options{Transports: []string{"websocket"}, Query: q, NoReconnection: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	s.OnAny(func(e *client.Event) {
		v := ""
		if e.Len() > 0 {
			var x any
			_ = e.Decode(0, &x)
			switch x := x.(type) {
			case []byte:
				v = "bin:" + string(x)
			default:
				v = fmt.Sprint(x)
			}
		}
		rec.add(e.Name + ":" + v)
		if e.HasAck() {
			_ = e.Ack("ack-" + e.Name)
		}
	})
	s.OnDisconnect(func(reason client.Reason, _ error) { rec.add("disconnect:" + string(reason)) })
	t.Cleanup(s.Disconnect)
	return &goClient{s: s, rec: rec}
}

func parseQuery(q string) (map[string][]string, error) {
	out := map[string][]string{}
	if q == "" {
		return out, nil
	}
	v, err := url.ParseQuery(q)
	return v, err
}
