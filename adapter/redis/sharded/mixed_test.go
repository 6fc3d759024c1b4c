package sharded

import (
	"testing"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter/redis/internal/redistest"
)

// TestMixedCluster runs a Go node and a Node.js node (createShardedAdapter
// of @socket.io/redis-adapter 8.3 over node-redis 4) on a 3-master Redis
// Cluster, with official socket.io-client 4.8.4 clients on each, and every
// cluster operation in both directions (redistest.RunMixed), in the
// dynamic and dynamic-private modes, with either node started first; and
// once on a single Redis 7.
func TestMixedCluster(t *testing.T) {
	cases := []struct {
		name     string
		mode     Mode
		nodeMode string
		goFirst  bool
		onSingle bool
	}{
		{"dynamic, go first", Dynamic, "dynamic", true, false},
		{"dynamic, node first", Dynamic, "dynamic", false, false},
		{"dynamic-private", DynamicPrivate, "dynamic-private", true, false},
		{"static", Static, "static", false, false},
		{"single redis", Dynamic, "dynamic", true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := testKey()
			sse := make(chan string, 10)
			start := func() *node {
				return newNode(t, key, c.onSingle, Options{SubscriptionMode: c.mode}, func(srv *socketio.Server) { redistest.SetupGo(srv, sse) })
			}
			var g *node
			var n *redistest.Peer
			if c.goFirst {
				g, n = start(), startPeer(t, key, c.onSingle, c.nodeMode)
			} else {
				n = startPeer(t, key, c.onSingle, c.nodeMode)
				g = start()
			}
			redistest.RunMixed(t, redistest.GoNode{Srv: g.srv, URL: g.url, WaitServers: func(t testing.TB, nsp string, k int) { waitServers(t, g, nsp, k) }}, n, sse)
		})
	}
}
