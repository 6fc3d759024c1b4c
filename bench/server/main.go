// Command server is gosio's implementation of the bench server contract
// used by cmd/sio bench and bench/runner (see docs/performance.md):
//
//   - serve /socket.io/ on 127.0.0.1:$PORT (or -addr);
//   - on "echo", ack back the same arguments (emit "echo" back if the
//     client asked for no ack);
//   - on "broadcast", emit "msg" with the same arguments to every socket.
//
// PING_INTERVAL_MS sets the Engine.IO ping interval (default 25000), as in
// the peers. -cpuprofile and -memprofile write pprof profiles on SIGINT or
// SIGTERM.
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

	"github.com/gosio/socketio"
	"github.com/gosio/socketio/bench/contract"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	addr := flag.String("addr", net.JoinHostPort("127.0.0.1", port), "listen address (loopback)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	memProfile := flag.String("memprofile", "", "write a heap profile to this file on exit")
	heapProfile := flag.String("heapprofile", "", "write a heap profile of the live connections to this file on SIGUSR1")
	memRate := flag.Int("memprofilerate", 0, "runtime.MemProfileRate (0: the default)")
	flag.Parse()

	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatal(err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		log.Fatalf("refusing non-loopback address %q", *addr)
	}

	if *memRate > 0 {
		runtime.MemProfileRate = *memRate
	}
	if *heapProfile != "" {
		go writeHeapOnSignal(*heapProfile)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer func() {
			pprof.StopCPUProfile()
			f.Close()
		}()
	}

	io := socketio.NewServer(contract.Options(nil))
	contract.Install(io)

	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	log.Printf("gosio bench server on %s (GOMAXPROCS %d)", ln.Addr(), runtime.GOMAXPROCS(0))

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	io.Close()
	srv.Shutdown(ctx)
	if *memProfile != "" {
		f, err := os.Create(*memProfile)
		if err != nil {
			log.Fatal(err)
		}
		runtime.GC()
		pprof.WriteHeapProfile(f)
		f.Close()
	}
}

// writeHeapOnSignal writes a heap profile (after a GC) to path each time the
// process gets SIGUSR1, so a profile shows the connections while they are
// held. It runs for the life of the process.
func writeHeapOnSignal(path string) {
	usr1 := make(chan os.Signal, 1)
	signal.Notify(usr1, syscall.SIGUSR1)
	for range usr1 {
		runtime.GC()
		f, err := os.Create(path)
		if err != nil {
			log.Print(err)
			continue
		}
		if err := pprof.WriteHeapProfile(f); err != nil {
			log.Print(err)
		}
		f.Close()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		log.Printf("heap profile written to %s: heap in use %d KB, stacks %d KB, goroutines %d, sys %d KB",
			path, ms.HeapInuse>>10, ms.StackInuse>>10, runtime.NumGoroutine(), ms.Sys>>10)
	}
}
