package redis

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosio/socketio/client"
)

// BenchmarkCrossNodeBroadcast measures broadcasts from node A delivered
// through Redis to the clients of node B (encode, publish, Redis, decode,
// local broadcast, WebSocket write, client parse).
func BenchmarkCrossNodeBroadcast(b *testing.B) {
	for _, clients := range []int{1, 100} {
		b.Run(map[int]string{1: "1client", 100: "100clients"}[clients], func(b *testing.B) {
			key := testKey()
			na := newBenchNode(b, key)
			nb := newBenchNode(b, key)
			var got atomic.Int64
			for range clients {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				s, err := client.Connect(ctx, nb.url, &client.Options{Transports: []string{"websocket"}, NoReconnection: true})
				cancel()
				if err != nil {
					b.Fatal(err)
				}
				s.OnAny(func(*client.Event) { got.Add(1) })
				b.Cleanup(s.Disconnect)
			}
			for {
				n, _ := na.srv.Of("/").Adapter().ServerCount(context.Background())
				if n == 2 {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			payload := map[string]any{"user": "bench", "text": "hello, world", "n": 42}
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				na.srv.Emit("msg", payload)
				if i%512 == 511 {
					// let the pipeline drain so the publish queue never drops
					for got.Load() < int64((i-1024)*clients) {
						time.Sleep(100 * time.Microsecond)
					}
				}
			}
			want := int64(b.N * clients)
			deadline := time.Now().Add(30 * time.Second)
			for got.Load() < want && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			el := time.Since(start)
			b.StopTimer()
			if d := na.cl.Stats().Dropped; d > 0 {
				b.Fatalf("%d dropped", d)
			}
			if got.Load() < want {
				b.Fatalf("delivered %d of %d", got.Load(), want)
			}
			b.ReportMetric(float64(b.N)/el.Seconds(), "broadcasts/s")
			b.ReportMetric(float64(want)/el.Seconds(), "deliveries/s")
		})
	}
}

func newBenchNode(b *testing.B, key string) *node {
	return newNodeTB(b, nodeOpts{key: key, opts: Options{PublishQueueSize: 1 << 16}})
}
