package sharded

import (
	"context"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis"
	"github.com/gosio/socketio/adapter/redis/internal/redistest"
	"github.com/gosio/socketio/client"
)

// BenchmarkCrossNode measures broadcasts from node A delivered through a
// Redis Cluster to the clients of node B, for the sharded adapter against
// the classic one (PUBLISH, which a cluster copies to every shard), with
// the number of shards (masters) as a variable. Workloads: "all", every
// broadcast to the whole namespace (one channel); "rooms", each broadcast
// to one of 64 rooms with one client each (the sharded adapter's room
// channels spread over the shards). All in one process on loopback;
// redis-µs/op is the CPU time all Redis nodes spent per broadcast.
func BenchmarkCrossNode(b *testing.B) {
	dir := b.TempDir()
	for _, shards := range []int{1, 3} {
		var c *redistest.Cluster
		if shards == 3 {
			c = rc
		} else {
			var err error
			if c, err = redistest.StartCluster(dir, shards); err != nil {
				b.Fatal(err)
			}
			defer c.Stop()
		}
		for _, impl := range []string{"classic", "sharded"} {
			for _, work := range []string{"all", "rooms"} {
				b.Run(strconv.Itoa(shards)+"shards/"+impl+"/"+work, func(b *testing.B) { benchCrossNode(b, c, impl, work) })
			}
		}
	}
}

type benchNode struct {
	srv *socketio.Server
	url string
}

func newBenchNode(b *testing.B, c *redistest.Cluster, impl, key string) *benchNode {
	rdb := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: c.Addrs()})
	var factory adapter.Factory
	var closeAdapter func()
	if impl == "classic" {
		cl := redis.New(rdb, &redis.Options{Key: key, PublishQueueSize: 1 << 16})
		factory, closeAdapter = cl.Adapter, func() { cl.Close() }
	} else {
		cl := New(rdb, &Options{ChannelPrefix: key, PublishQueueSize: 1 << 16})
		factory, closeAdapter = cl.Adapter, func() { cl.Close() }
	}
	srv := socketio.NewServer(&socketio.Options{Adapter: factory})
	srv.OnConnection(func(s *socketio.Socket) { s.Join(s.Handshake().Query.Get("room")) })
	hs := httptest.NewServer(srv)
	b.Cleanup(func() {
		srv.Close()
		hs.Close()
		closeAdapter()
		rdb.Close()
	})
	return &benchNode{srv: srv, url: hs.URL}
}

func benchCrossNode(b *testing.B, c *redistest.Cluster, impl, work string) {
	key := testKey()
	na := newBenchNode(b, c, impl, key)
	nb := newBenchNode(b, c, impl, key)
	const rooms = 64
	var got atomic.Int64
	for i := range rooms {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		s, err := client.Connect(ctx, nb.url, &client.Options{Transports: []string{"websocket"}, NoReconnection: true,
			Query: map[string][]string{"room": {"room" + strconv.Itoa(i)}}})
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		s.OnAny(func(*client.Event) { got.Add(1) })
		b.Cleanup(s.Disconnect)
	}
	redistest.WaitFor(b, "2 servers", func() bool {
		n, _ := na.srv.Of("/").Adapter().ServerCount(context.Background())
		return n == 2
	})
	time.Sleep(200 * time.Millisecond) // room channels subscribed
	perBroadcast := int64(1)
	if work == "all" {
		perBroadcast = rooms
	}
	payload := map[string]any{"user": "bench", "text": "hello, world", "n": 42}
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu0 := time.Now(), c.CPU()
	for i := 0; i < b.N; i++ {
		if work == "all" {
			na.srv.Emit("msg", payload)
		} else {
			na.srv.To("room"+strconv.Itoa(i%rooms)).Emit("msg", payload)
		}
		if i%512 == 511 {
			// keep at most ~1000 broadcasts in flight, so no queue drops
			for got.Load() < int64(i-1024)*perBroadcast {
				time.Sleep(100 * time.Microsecond)
			}
		}
	}
	want := int64(b.N) * perBroadcast
	deadline := time.Now().Add(30 * time.Second)
	for got.Load() < want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	el := time.Since(start)
	time.Sleep(50 * time.Millisecond)
	redisCPU := c.CPU() - cpu0
	b.StopTimer()
	if got.Load() < want {
		b.Fatalf("delivered %d of %d", got.Load(), want)
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "broadcasts/s")
	b.ReportMetric(float64(want)/el.Seconds(), "deliveries/s")
	b.ReportMetric(float64(redisCPU.Microseconds())/float64(b.N), "redis-µs/op")
}
