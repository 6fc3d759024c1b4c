// The receiver process of the cluster scenario (hidden sub-mode
// "sio bench cluster-recv"): it holds the connections to one node, prints
// "ready" once they are all connected, "done <seq>" each time broadcast
// seq has reached every one of them, and, when its standard input closes
// (or at -timeout), its receiverReport as one JSON line. The parent
// (scenario_cluster.go) starts one per node: one process could not hold
// 40,000 descriptors here.

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

type recvConfig struct {
	url, base, path string
	n, total, conc  int
	warmup          int
	epochNs         int64
	opTimeout       time.Duration
	timeout         time.Duration
}

func runClusterRecv(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var c recvConfig
	fs := flag.NewFlagSet("sio bench cluster-recv", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.url, "url", "", "node URL (loopback)")
	fs.IntVar(&c.n, "n", 0, "connections")
	fs.IntVar(&c.total, "total", 0, "broadcasts, warm-up included")
	fs.IntVar(&c.warmup, "warmup", 0, "warm-up broadcasts (not in the latencies)")
	fs.IntVar(&c.conc, "c", 50, "connection attempts in flight")
	fs.Int64Var(&c.epochNs, "epoch", 0, "wall clock base of the timestamps (Unix ns)")
	fs.DurationVar(&c.opTimeout, "op-timeout", 10*time.Second, "bound of each connection attempt")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Minute, "bound of the whole run")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	base, path, err := nodeBase(c.url, "/socket.io/")
	if err != nil || c.n < 1 || c.n > 100000 || c.total < 1 || c.total > 1<<16 || c.warmup < 0 ||
		c.warmup > c.total || c.epochNs <= 0 || c.conc < 1 {
		fmt.Fprintf(stderr, "sio bench cluster-recv: bad arguments (%v)\n", err)
		return 2
	}
	c.base, c.path = base, path
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	rep := c.run(ctx, stdin, stdout)
	rep.URL = c.url
	b, err := json.Marshal(rep)
	if err != nil {
		fmt.Fprintf(stderr, "sio bench cluster-recv: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s\n", b)
	if rep.Error != "" {
		return 1
	}
	return 0
}

func (c *recvConfig) run(ctx context.Context, stdin io.Reader, stdout io.Writer) receiverReport {
	var outMu sync.Mutex
	say := func(format string, a ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(stdout, format, a...)
	}
	book := newReceiptBook(c.n, c.total, c.epochNs, func(seq int) { say("done %d\n", seq) })

	var errCount atomic.Int64
	var firstErr atomic.Value
	conns := make([]*rawWS, c.n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(c.conc, c.n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= c.n {
					return
				}
				conn, err := dialRawWS(ctx, c.base, c.path, c.opTimeout, func(seq int) {
					book.record(i, seq, time.Now().UnixNano())
				})
				if err != nil {
					errCount.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				conns[i] = conn
			}
		})
	}
	wg.Wait()
	var rep receiverReport
	for _, conn := range conns {
		if conn != nil {
			rep.Conns++
		}
	}
	if rep.Conns == c.n {
		say("ready\n")
		// Wait for the parent to close our standard input.
		stop := make(chan struct{})
		go func() {
			io.Copy(io.Discard, stdin)
			close(stop)
		}()
		select {
		case <-stop:
		case <-ctx.Done():
			rep.Error = "stopped by -timeout"
		}
	} else if s, ok := firstErr.Load().(string); ok {
		rep.Error = fmt.Sprintf("%d of %d connected; first error: %s", rep.Conns, c.n, s)
	} else {
		rep.Error = "stopped before every connection was made"
	}
	for _, conn := range conns {
		if conn != nil && conn.dropped() {
			rep.Dropped++
		}
	}
	closeAll(rawConns(conns))
	full := book.report(c.warmup)
	full.Conns, full.Dropped, full.Error, full.Errors = rep.Conns, rep.Dropped, rep.Error, errCount.Load()
	return full
}

func rawConns(cs []*rawWS) []benchConn {
	out := make([]benchConn, 0, len(cs))
	for _, c := range cs {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}

// readLines calls fn with each line of r (without the newline), lines up
// to max bytes.
func readLines(r io.Reader, max int, fn func([]byte)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), max)
	for sc.Scan() {
		fn(sc.Bytes())
	}
	return sc.Err()
}
