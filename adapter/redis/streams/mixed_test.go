package streams

import (
	"testing"

	"github.com/gosio/socketio/adapter/redis/internal/redistest"
)

// TestMixedCluster runs a Go node and a Node.js node
// (@socket.io/redis-streams-adapter 0.3.1) on one stream, with official
// socket.io-client 4.8.4 clients on each, and every cluster operation in
// both directions (redistest.RunMixed); once with the Go node started
// first, once the other way round.
func TestMixedCluster(t *testing.T) {
	for _, goFirst := range []bool{true, false} {
		name := "node first"
		if goFirst {
			name = "go first"
		}
		t.Run(name, func(t *testing.T) {
			key := testKey()
			sse := make(chan string, 10)
			start := func() *node {
				return newNode(t, nodeOpts{key: key, noJoin: true, setup: func(srv *socketioServer) { redistest.SetupGo(srv, sse) }})
			}
			var g *node
			var n *redistest.Peer
			if goFirst {
				g, n = start(), startPeer(t, key)
			} else {
				n = startPeer(t, key)
				g = start()
			}
			redistest.RunMixed(t, redistest.GoNode{Srv: g.srv, URL: g.url, WaitServers: func(t testing.TB, nsp string, k int) { waitServers(t, g, nsp, k) }}, n, sse)
		})
	}
}
