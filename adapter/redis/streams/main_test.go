package streams

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter/redis/internal/redistest"
)

// shared serves the tests that do not stop Redis; each test uses its own
// stream and channel prefix.
var (
	shared *redistest.Server
	tmpDir string
)

func TestMain(m *testing.M) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		fmt.Fprintln(os.Stderr, "redis-server is not installed: apt-get install -y redis-server (the tests need a real Redis)")
		os.Exit(1)
	}
	var err error
	if tmpDir, err = os.MkdirTemp("", "streams-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared, err = redistest.Start(tmpDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting redis-server:", err)
		os.Exit(1)
	}
	code := m.Run()
	shared.Kill()
	os.RemoveAll(tmpDir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

var keySeq atomic.Int64

// testKey returns a stream name and channel prefix no other test uses.
func testKey() string {
	return "s" + strconv.FormatInt(keySeq.Add(1), 10) + "-" + strconv.Itoa(rand.IntN(1e6))
}

const nodeDir = "../testdata/node"

// node is one Go Socket.IO server with the streams adapter.
type node struct {
	srv *socketio.Server
	hs  *httptest.Server
	cl  *Cluster
	rdb *goredis.Client
	url string
}

type nodeOpts struct {
	key      string
	addr     string        // Redis (default the shared server)
	recovery time.Duration // connection state recovery window (0: off)
	opts     Options
	setup    func(*socketio.Server)
	noJoin   bool // setup installs the connection handler
}

type socketioServer = socketio.Server

func newNode(t testing.TB, o nodeOpts) *node {
	t.Helper()
	addr := o.addr
	if addr == "" {
		addr = shared.Addr()
	}
	rdb := goredis.NewClient(&goredis.Options{Addr: addr, DialTimeout: time.Second, ReadTimeout: 2 * time.Second, WriteTimeout: 2 * time.Second, MaxRetries: 1})
	opts := o.opts
	opts.StreamName, opts.ChannelPrefix = o.key, o.key
	if opts.RequestsTimeout == 0 {
		opts.RequestsTimeout = 2 * time.Second
	}
	so := &socketio.Options{}
	if o.recovery > 0 {
		opts.Recovery = &Recovery{MaxDisconnectionDuration: o.recovery}
		so.ConnectionStateRecovery = &socketio.RecoveryOptions{MaxDisconnectionDuration: o.recovery}
	}
	cl := New(rdb, &opts)
	so.Adapter = cl.Adapter
	srv := socketio.NewServer(so)
	srv.OnConnection(func(s *socketio.Socket) {
		if s.Recovered() || o.noJoin {
			return
		}
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
	t.Cleanup(n.close)
	return n
}

// close stops the node as a shutdown does: the server first (its sockets'
// sessions are persisted), then the adapter (which writes them).
func (n *node) close() {
	if n.srv == nil {
		return
	}
	n.srv.Close()
	n.hs.Close()
	n.cl.Close()
	n.rdb.Close()
	n.srv = nil
}

// waitServers waits until the namespace counts want nodes.
func waitServers(t testing.TB, n *node, nsp string, want int) {
	t.Helper()
	a := n.srv.Of(nsp).Adapter()
	redistest.WaitFor(t, fmt.Sprintf("%d servers", want), func() bool {
		got, err := a.ServerCount(context.Background())
		return err == nil && got == want
	})
}

// startPeer starts a Node.js node with the streams adapter on the same
// stream and channels.
func startPeer(t testing.TB, key string, env ...string) *redistest.Peer {
	return redistest.StartPeer(t, nodeDir, append([]string{"ADAPTER=streams", "KEY=" + key, "REDIS_PORT=" + strconv.Itoa(shared.Port)}, env...)...)
}
