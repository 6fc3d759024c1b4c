// Command cluster is gosio's bench server as one node of a cluster joined
// through Redis (adapter/redis, classic PUB/SUB): the bench contract of
// bench/server (see docs/performance.md), with "broadcast" reaching the
// sockets of every node.
//
//   - serve /socket.io/ on 127.0.0.1:$PORT (or -addr);
//   - join the Redis at $REDIS_ADDR (or -redis), default 127.0.0.1:6379;
//   - on "echo", ack back the same arguments;
//   - on "broadcast", emit "msg" with the same arguments to every socket of
//     the cluster.
//
// PING_INTERVAL_MS sets the Engine.IO ping interval. -cpuprofile writes a
// CPU profile: from start to SIGTERM, or, with -profile-signals, from
// SIGUSR1 to SIGUSR2 (sio bench cluster -profile-signals sends them around
// its measured phase).
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
	"time"

	goredis "github.com/redis/go-redis/v9"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter/redis"
	"github.com/gosio/socketio/bench/contract"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	redisAddr := os.Getenv("REDIS_ADDR")
	if redisAddr == "" {
		redisAddr = "127.0.0.1:6379"
	}
	addr := flag.String("addr", net.JoinHostPort("127.0.0.1", port), "listen address (loopback)")
	raddr := flag.String("redis", redisAddr, "Redis address (loopback)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	profSignals := flag.Bool("profile-signals", false, "with -cpuprofile: profile from SIGUSR1 to SIGUSR2 only")
	flag.Parse()
	for _, a := range []string{*addr, *raddr} {
		if err := checkLoopback(a); err != nil {
			log.Fatal(err)
		}
	}

	prof := &profiler{path: *cpuProfile}
	if prof.path != "" && !*profSignals {
		prof.start()
	}
	defer prof.stop()

	rdb := goredis.NewClient(&goredis.Options{Addr: *raddr})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	if err := rdb.Ping(ctx).Err(); err != nil {
		log.Fatalf("redis %s: %v", *raddr, err)
	}
	cancel()
	cl := redis.New(rdb, nil)
	defer cl.Close()

	io := socketio.NewServer(contract.Options(&socketio.Options{Adapter: cl.Adapter}))
	contract.Install(io)

	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	log.Printf("gosio cluster bench node on %s, Redis %s (GOMAXPROCS %d)", ln.Addr(), *raddr, runtime.GOMAXPROCS(0))

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2)
	for s := range sig {
		if s == syscall.SIGUSR1 {
			prof.start()
			continue
		}
		if s == syscall.SIGUSR2 {
			prof.stop()
			continue
		}
		break
	}
	sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer scancel()
	io.Close()
	srv.Shutdown(sctx)
}

// profiler writes one CPU profile; start and stop are called from main's
// goroutine only, and each acts once.
type profiler struct {
	path    string
	f       *os.File
	started bool
}

func (p *profiler) start() {
	if p.path == "" || p.started {
		return
	}
	p.started = true
	f, err := os.Create(p.path)
	if err != nil {
		log.Printf("cpuprofile: %v", err)
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		log.Printf("cpuprofile: %v", err)
		f.Close()
		return
	}
	p.f = f
}

func (p *profiler) stop() {
	if p.f == nil {
		return
	}
	pprof.StopCPUProfile()
	p.f.Close()
	p.f = nil
}

func checkLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return &net.AddrError{Err: "refusing non-loopback address", Addr: hostport}
	}
	return nil
}
