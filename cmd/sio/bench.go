// The bench command: its usage, flags and configuration checks.

package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

const benchUsage = `usage: sio bench <scenario> [flags]

Load tests a Socket.IO v4 server on a loopback address. The server must
implement the bench contract: on "echo" ack back the same arguments; on
"broadcast" emit "msg" with the arguments to every socket.

scenarios (defaults in brackets):
  connect    -n connections [2000], -c in flight [50]: handshakes/s and
             handshake latency (WebSocket open to CONNECT answer); each
             connection is closed once connected
  echo       -n clients [50] x -m acked round trips [2000] of -size bytes [64]
             over WebSocket: round trips/s and latency
  broadcast  -n receivers [2000], one emitter, -k broadcasts [50] of -size
             bytes; each waits until every receiver has it: deliveries/s,
             emit-to-receipt latency, lost deliveries
  idle       -n connections [5000] held -hold [10s] (pings answered): dropped
             connections, pings seen, server memory per connection
  polling    echo over HTTP long-polling [-n 20 -m 200]
  cluster    -urls of several nodes on one Redis, -n connections [10000]
             on each, one emitter, -k broadcasts [30] to all: deliveries/s,
             latency, lost and duplicates (sio bench cluster -h)
  soak       -n receivers [15000] held -hold [10m] through the server's ping
             rounds, one more connection broadcasting every second: dropped
             connections, lost and duplicate deliveries, delivery p50/p99,
             server RSS over the hold (start, end, max, slope); -series
             writes the per-second samples as CSV

With -pid, the server's CPU time (utime+stime from /proc/PID/stat) over
the measured phase and its RSS (/proc/PID/status) are reported. Every wait
is bounded by -op-timeout and the whole run by -timeout.

flags:
`

type benchConfig struct {
	scenario  string
	url       string
	base      string // scheme://host:port
	path      string
	client    string
	n, m, k   int
	size      int
	conc      int
	warmup    int
	hold      time.Duration
	opTimeout time.Duration
	timeout   time.Duration
	settle    time.Duration
	pid       int
	label     string
	series    string
	output    string
	progress  bool
}

func runBench(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "cluster" {
		return runCluster(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "cluster-recv" { // the cluster scenario's receiver processes
		return runClusterRecv(args[1:], os.Stdin, stdout, stderr)
	}
	var cfg benchConfig
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cfg.scenario, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("sio bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, benchUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.url, "url", "http://127.0.0.1:3000", "server URL (loopback only); its path, if any, replaces -path")
	fs.StringVar(&cfg.path, "path", "/socket.io/", "Engine.IO path")
	fs.StringVar(&cfg.client, "client", "raw", "client implementation: raw (lean wire-protocol client) or gosio (package client)")
	fs.IntVar(&cfg.n, "n", 0, "connections, clients or receivers (0: scenario default)")
	fs.IntVar(&cfg.m, "m", 0, "round trips per client (echo, polling)")
	fs.IntVar(&cfg.k, "k", 0, "broadcasts (broadcast)")
	fs.IntVar(&cfg.size, "size", 64, "payload bytes (echo, broadcast, polling)")
	fs.IntVar(&cfg.conc, "c", 0, "connection attempts in flight")
	fs.IntVar(&cfg.warmup, "warmup", -1, "warm-up operations before measuring (-1: scenario default)")
	fs.DurationVar(&cfg.hold, "hold", 0, "how long connections are held (idle, soak; 0: 10s for idle, 10m for soak)")
	fs.DurationVar(&cfg.opTimeout, "op-timeout", 10*time.Second, "bound of each connection attempt, round trip or broadcast")
	fs.DurationVar(&cfg.timeout, "timeout", 0, "bound of the whole run (0: 5m, or -hold + 5m for soak)")
	fs.DurationVar(&cfg.settle, "settle", 300*time.Millisecond, "wait after the last operation before reading the server's CPU time")
	fs.IntVar(&cfg.pid, "pid", 0, "server process id, to report its CPU time and RSS from /proc")
	fs.StringVar(&cfg.label, "label", "", "server name in the results")
	fs.StringVar(&cfg.series, "series", "", "soak: write the per-second samples to this CSV file")
	fs.StringVar(&cfg.output, "o", "table", "output: table, json (one JSON line) or both")
	fs.BoolVar(&cfg.progress, "progress", true, "show progress on stderr every 2 s")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if cfg.scenario == "" && fs.NArg() > 0 {
		cfg.scenario = fs.Arg(0)
	} else if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sio bench: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if err := cfg.finish(); err != nil {
		fmt.Fprintf(stderr, "sio bench: %v\n", err)
		return 2
	}

	ctx, cancel := context.WithTimeout(context.Background(), cfg.timeout)
	defer cancel()
	b := &bench{cfg: cfg, stderr: stderr}
	res := b.run(ctx)
	if err := printResult(stdout, cfg.output, res); err != nil {
		fmt.Fprintf(stderr, "sio bench: %v\n", err)
		return 1
	}
	if res.Error != "" || res.Errors > 0 || res.Lost > 0 || res.Dropped > 0 {
		return 1
	}
	return 0
}

// finish validates the configuration and fills in scenario defaults.
func (c *benchConfig) finish() error {
	type defaults struct {
		n, m, k, conc, warmup int
		hold                  time.Duration
	}
	d, ok := map[string]defaults{
		"connect":   {n: 2000, conc: 50, warmup: 200},
		"echo":      {n: 50, m: 2000, conc: 50, warmup: 50},
		"broadcast": {n: 2000, k: 50, conc: 50, warmup: 5},
		"idle":      {n: 5000, conc: 100, warmup: 50, hold: 10 * time.Second},
		"polling":   {n: 20, m: 200, conc: 20, warmup: 20},
		"soak":      {n: 15000, conc: 100, warmup: 50, hold: 10 * time.Minute},
	}[c.scenario]
	if !ok {
		return fmt.Errorf("scenario %q: want connect, echo, broadcast, idle, polling or soak (sio bench -h)", c.scenario)
	}
	if c.hold == 0 {
		c.hold = cmp.Or(d.hold, 10*time.Second)
	}
	if c.timeout == 0 {
		c.timeout = 5 * time.Minute
		if c.scenario == "soak" {
			c.timeout += c.hold
		}
	}
	set := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	set(&c.n, d.n)
	set(&c.m, d.m)
	set(&c.k, d.k)
	set(&c.conc, d.conc)
	if c.warmup < 0 {
		c.warmup = d.warmup
	}
	const maxCount = 1 << 24
	if c.n > 100000 || c.m > maxCount || c.k > maxCount || c.n*max(c.m, c.k) > 1<<26 {
		return errors.New("counts too large (at most 100000 connections and 2^26 operations)")
	}
	if c.size < 1 || c.size > 1<<20 {
		return errors.New("-size must be 1 to 1048576")
	}
	if c.hold <= 0 || c.hold > time.Hour || c.timeout <= 0 || c.opTimeout <= 0 {
		return errors.New("-hold, -timeout and -op-timeout must be positive (hold at most 1h)")
	}
	if c.scenario == "soak" && (c.hold < soakEvery || c.timeout <= c.hold) {
		return errors.New("soak: -hold must be at least 1s and -timeout longer than -hold")
	}
	if c.client != "raw" && c.client != "gosio" {
		return fmt.Errorf("-client %q: want raw or gosio", c.client)
	}
	switch c.output {
	case "table", "json", "both":
	default:
		return fmt.Errorf("-o %q: want table, json or both", c.output)
	}
	u, err := url.Parse(c.url)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "ws" {
		return fmt.Errorf("-url %q: want http:// or ws:// (no TLS on loopback)", c.url)
	}
	if err := checkLoopback(u.Hostname()); err != nil {
		return err
	}
	if u.Port() == "" {
		u.Host = net.JoinHostPort(u.Hostname(), "80")
	}
	c.base = "http://" + u.Host
	if u.Path != "" && u.Path != "/" {
		c.path = u.Path
	}
	if !strings.HasSuffix(c.path, "/") {
		c.path += "/"
	}
	if c.label == "" {
		c.label = u.Host
	}
	return nil
}

// checkLoopback refuses hosts that are not loopback addresses: the load
// tool is for servers on this machine only.
func checkLoopback(host string) error {
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("refusing host %q: only loopback addresses (127.0.0.0/8, ::1, localhost) may be load tested", host)
	}
	return nil
}
