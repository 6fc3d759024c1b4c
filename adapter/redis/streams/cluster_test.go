package streams

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter/redis/internal/redistest"
)

// TestOnRedisCluster runs two Go nodes on a 3-master Redis Cluster
// (go-redis ClusterClient; the stream lives on one shard, read on a
// connection to its master), with classic and with sharded pub/sub for
// the requests: broadcasts with rooms, fetchSockets, serverSideEmit with
// acks, and Close ending the blocked XREAD on the stream's master.
func TestOnRedisCluster(t *testing.T) {
	rc, err := redistest.StartCluster(tmpDir, 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rc.Stop)
	for _, sharded := range []bool{false, true} {
		key := testKey()
		start := func() (*socketio.Server, string) {
			rdb := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: rc.Addrs()})
			cl := New(rdb, &Options{StreamName: key, ChannelPrefix: key, UseShardedPubSub: sharded, RequestsTimeout: 2 * time.Second, BlockTime: time.Minute})
			srv := socketio.NewServer(&socketio.Options{Adapter: cl.Adapter})
			srv.OnConnection(func(s *socketio.Socket) { s.Join(s.Handshake().Query.Get("room")) })
			srv.OnServerSideEmit("ping", func(ack func(string)) { ack("pong") })
			hs := httptest.NewServer(srv)
			t.Cleanup(func() {
				srv.Close()
				hs.Close()
				done := make(chan struct{})
				go func() { cl.Close(); close(done) }()
				select {
				case <-done:
				case <-time.After(20 * time.Second): // BlockTime is a minute: UNBLOCK must end the read
					t.Error("Close did not end the blocked read")
					<-done
				}
				rdb.Close()
			})
			return srv, hs.URL
		}
		a, aURL := start()
		b, bURL := start()
		redistest.WaitFor(t, "2 servers", func() bool { n, _ := a.Of("/").Adapter().ServerCount(context.Background()); return n == 2 })
		ca := redistest.Connect(t, aURL, "/", "room=x")
		cb := redistest.Connect(t, bURL, "/", "room=y")
		b.To("x").Emit("to-x", 1)
		ca.Rec.Expect(t, "to-x:1")
		a.Emit("all", 2)
		cb.Rec.Expect(t, "all:2")
		socks, err := b.FetchSockets(context.Background())
		if err != nil || len(socks) != 2 {
			t.Fatalf("sharded %v: fetchSockets %d %v", sharded, len(socks), err)
		}
		replies, err := a.ServerSideEmitWithAck(context.Background(), "ping")
		if err != nil || len(replies) != 1 {
			t.Fatalf("sharded %v: serverSideEmitWithAck %v %v", sharded, replies, err)
		}
		cb.Rec.None(t, 50*time.Millisecond)
	}
}
