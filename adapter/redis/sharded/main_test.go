package sharded

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter/redis/internal/redistest"
)

// rc is a Redis Cluster of three masters on loopback; single is one
// Redis 7. Each test uses its own channel prefix.
var (
	rc     *redistest.Cluster
	single *redistest.Server
)

func TestMain(m *testing.M) {
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			fmt.Fprintln(os.Stderr, bin, "is not installed: apt-get install -y redis-server (the tests need a real Redis)")
			os.Exit(1)
		}
	}
	dir, err := os.MkdirTemp("", "sharded-test-")
	if err == nil {
		rc, err = redistest.StartCluster(dir, 3)
	}
	if err == nil {
		single, err = redistest.Start(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting Redis:", err)
		if rc != nil {
			rc.Stop()
		}
		os.Exit(1)
	}
	code := m.Run()
	rc.Stop()
	single.Kill()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

var keySeq atomic.Int64

func testKey() string {
	return "h" + strconv.FormatInt(keySeq.Add(1), 10) + "-" + strconv.Itoa(rand.IntN(1e6))
}

const nodeDir = "../testdata/node"

// node is one Go Socket.IO server with the sharded adapter.
type node struct {
	srv *socketio.Server
	hs  *httptest.Server
	cl  *Cluster
	rdb goredis.UniversalClient
	url string
}

// newNode starts a Go node on the Redis Cluster (onSingle: the single
// Redis) with the channel prefix key.
func newNode(t testing.TB, key string, onSingle bool, opts Options, setup func(*socketio.Server)) *node {
	t.Helper()
	var rdb goredis.UniversalClient
	if onSingle {
		rdb = goredis.NewClient(&goredis.Options{Addr: single.Addr(), MaxRetries: 1})
	} else {
		rdb = goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: rc.Addrs(), MaxRetries: 1})
	}
	opts.ChannelPrefix = key
	if opts.RequestsTimeout == 0 {
		opts.RequestsTimeout = 2 * time.Second
	}
	cl := New(rdb, &opts)
	srv := socketio.NewServer(&socketio.Options{Adapter: cl.Adapter})
	if setup != nil {
		setup(srv)
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

func waitServers(t testing.TB, n *node, nsp string, want int) {
	t.Helper()
	a := n.srv.Of(nsp).Adapter()
	redistest.WaitFor(t, fmt.Sprintf("%d servers", want), func() bool {
		got, err := a.ServerCount(context.Background())
		return err == nil && got == want
	})
}

// startPeer starts a Node.js node with createShardedAdapter (node-redis 4)
// on the cluster (or the single Redis).
func startPeer(t testing.TB, key string, onSingle bool, mode string) *redistest.Peer {
	env := []string{"ADAPTER=sharded", "KEY=" + key, "REDIS_PORT=" + strconv.Itoa(single.Port),
		`ADAPTER_OPTS={"subscriptionMode":"` + mode + `"}`}
	if !onSingle {
		env = append(env, "REDIS_CLUSTER="+strings.Join(rc.Addrs(), ","))
	}
	return redistest.StartPeer(t, nodeDir, env...)
}
