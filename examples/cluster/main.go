// Command cluster is one node of a Socket.IO cluster joined through Redis.
// Run a Redis and two nodes, then connect clients to either node: an event
// a client sends reaches the clients of both nodes.
//
//	redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no &
//	go run . -addr 127.0.0.1:3001 &
//	go run . -addr 127.0.0.1:3002 &
//
// Clients may connect with polling only if the load balancer in front of
// the nodes has sticky sessions; WebSocket-only clients need none (see
// adapter/redis/README.md). GET /health reports the node's link to Redis.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	goredis "github.com/redis/go-redis/v9"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter/redis"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:3001", "listen address of this node")
	redisAddr := flag.String("redis", "127.0.0.1:6379", "Redis address")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil)).With("node", *addr)

	rdb := goredis.NewClient(&goredis.Options{Addr: *redisAddr})
	defer rdb.Close()
	cl := redis.New(rdb, &redis.Options{Logger: logger})
	defer cl.Close()

	srv := socketio.NewServer(&socketio.Options{Adapter: cl.Adapter, Logger: logger})
	srv.OnConnection(func(s *socketio.Socket) {
		s.Join("lobby")
		s.Emit("welcome", "connected to node "+*addr)
		// a message from any client goes to every client of every node
		s.On("chat", func(text string) {
			srv.To("lobby").Emit("chat", map[string]any{"from": s.ID(), "node": *addr, "text": text})
		})
		// how many clients the whole cluster has
		s.On("count", func(ack func(int)) {
			ctx, cancel := context.WithTimeout(s.Context(), 3*time.Second)
			defer cancel()
			socks, err := srv.Of("/").FetchSockets(ctx)
			if err != nil {
				logger.Warn("fetchSockets", "err", err)
			}
			ack(len(socks))
		})
	})
	// other nodes can ask this one for its name
	srv.OnServerSideEmit("whoami", func(ack func(string)) { ack(*addr) })

	mux := http.NewServeMux()
	mux.Handle("/socket.io/", srv)
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		st := cl.Stats()
		if !cl.Healthy() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(st)
	})
	hs := &http.Server{Addr: *addr, Handler: mux}
	go func() {
		logger.Info("listening", "addr", *addr, "redis", *redisAddr)
		if err := hs.ListenAndServe(); err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	<-stop
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hs.Shutdown(ctx)
	srv.Close()
}
