package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
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
	output    string
	progress  bool
}

// benchConn is one connected Socket.IO client.
type benchConn interface {
	echo(ctx context.Context, p *payload) error
	emit(event, arg string) error
	close()
	dropped() bool
	pings() int
}

// payload is an echo argument in the forms the clients need.
type payload struct {
	str  string // the Go string
	req  []byte // `["echo","<str>"]`
	want []byte // `["<str>"]`
}

func newPayload(size int) *payload {
	s := strings.Repeat("x", size)
	return &payload{str: s, req: []byte(`["echo","` + s + `"]`), want: []byte(`["` + s + `"]`)}
}

// result is one measurement; it is printed as a table row and as a JSON
// line.
type result struct {
	Scenario    string  `json:"scenario"`
	Server      string  `json:"server"`
	Client      string  `json:"client"`
	Transport   string  `json:"transport"`
	N           int     `json:"n"`
	M           int     `json:"m,omitempty"`
	K           int     `json:"k,omitempty"`
	Size        int     `json:"size,omitempty"`
	Concurrency int     `json:"concurrency,omitempty"`
	HoldS       float64 `json:"hold_s,omitempty"`
	Ops         int64   `json:"ops"`
	OpName      string  `json:"op"`
	Errors      int64   `json:"errors"`
	Lost        int64   `json:"lost"`
	Dropped     int64   `json:"dropped"`
	ElapsedS    float64 `json:"elapsed_s"`
	OpsPerS     float64 `json:"ops_per_s"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	MinPings    int     `json:"min_pings,omitempty"`

	ServerCPUS       float64 `json:"server_cpu_s,omitempty"`
	ServerCPUUsPerOp float64 `json:"server_cpu_us_per_op,omitempty"`
	ServerRSSKB      int64   `json:"server_rss_kb,omitempty"`
	ServerRSSBaseKB  int64   `json:"server_rss_base_kb,omitempty"`
	RSSPerConnKB     float64 `json:"server_rss_per_conn_kb,omitempty"`

	LoadCPUPct     float64 `json:"load_cpu_pct"`
	LoadRSSKB      int64   `json:"load_rss_kb"`
	LoadBottleneck bool    `json:"load_bottleneck"`
	Error          string  `json:"error,omitempty"`
}

func runBench(args []string, stdout, stderr io.Writer) int {
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
	fs.DurationVar(&cfg.hold, "hold", 10*time.Second, "how long idle connections are held")
	fs.DurationVar(&cfg.opTimeout, "op-timeout", 10*time.Second, "bound of each connection attempt, round trip or broadcast")
	fs.DurationVar(&cfg.timeout, "timeout", 5*time.Minute, "bound of the whole run")
	fs.DurationVar(&cfg.settle, "settle", 300*time.Millisecond, "wait after the last operation before reading the server's CPU time")
	fs.IntVar(&cfg.pid, "pid", 0, "server process id, to report its CPU time and RSS from /proc")
	fs.StringVar(&cfg.label, "label", "", "server name in the results")
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
	type defaults struct{ n, m, k, conc, warmup int }
	d, ok := map[string]defaults{
		"connect":   {n: 2000, conc: 50, warmup: 200},
		"echo":      {n: 50, m: 2000, conc: 50, warmup: 50},
		"broadcast": {n: 2000, k: 50, conc: 50, warmup: 5},
		"idle":      {n: 5000, conc: 100, warmup: 50},
		"polling":   {n: 20, m: 200, conc: 20, warmup: 20},
	}[c.scenario]
	if !ok {
		return fmt.Errorf("scenario %q: want connect, echo, broadcast, idle or polling (sio bench -h)", c.scenario)
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

// bench runs one scenario.
type bench struct {
	cfg    benchConfig
	stderr io.Writer
	hc     *http.Client

	phase    atomic.Value // string
	done     atomic.Int64
	total    atomic.Int64
	errCount atomic.Int64
	firstErr atomic.Value // string
}

func (b *bench) noteErr(err error) {
	if err == nil {
		return
	}
	b.errCount.Add(1)
	b.firstErr.CompareAndSwap(nil, err.Error())
}

func (b *bench) setPhase(name string, total int) {
	b.phase.Store(name)
	b.done.Store(0)
	b.total.Store(int64(total))
}

// dial connects one client over the scenario's transport.
func (b *bench) dial(ctx context.Context, onMsg func(int)) (benchConn, error) {
	transport := "websocket"
	if b.cfg.scenario == "polling" {
		transport = "polling"
	}
	if b.cfg.client == "gosio" {
		return dialGosio(ctx, b.cfg.base, b.cfg.path, transport, b.cfg.opTimeout, onMsg)
	}
	if transport == "polling" {
		return dialRawPolling(ctx, b.hc, b.cfg.base, b.cfg.path)
	}
	return dialRawWS(ctx, b.cfg.base, b.cfg.path, b.cfg.opTimeout, onMsg)
}

// dialMany opens n connections, conc at a time; failures are counted as
// errors and leave nil entries. lat, if not nil, gets each handshake time.
func (b *bench) dialMany(ctx context.Context, n, conc int, onMsg func(int), lat []time.Duration) []benchConn {
	conns := make([]benchConn, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(conc, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				c, err := b.dial(ctx, onMsg)
				if err != nil {
					b.noteErr(err)
					continue
				}
				if lat != nil {
					lat[i] = time.Since(t0)
				}
				conns[i] = c
				b.done.Add(1)
			}
		})
	}
	wg.Wait()
	return conns
}

func closeAll(conns []benchConn) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 200)
	for _, c := range conns {
		if c == nil {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			c.close()
			<-sem
		})
	}
	wg.Wait()
}

func (b *bench) showProgress(ctx context.Context) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	last, lastT := int64(0), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			d := b.done.Load()
			rate := float64(d-last) / now.Sub(lastT).Seconds()
			if d < last {
				rate = 0
			}
			last, lastT = d, now
			phase, _ := b.phase.Load().(string)
			fmt.Fprintf(b.stderr, "sio bench %s: %s %d/%d (%.0f/s), errors %d\n",
				b.cfg.scenario, phase, d, b.total.Load(), rate, b.errCount.Load())
		}
	}
}

func (b *bench) run(ctx context.Context) *result {
	cfg := &b.cfg
	res := &result{
		Scenario: cfg.scenario, Server: cfg.label, Client: cfg.client, Transport: "websocket",
		N: cfg.n, Concurrency: cfg.conc,
	}
	b.phase.Store("starting")
	if cfg.progress {
		pctx, stop := context.WithCancel(ctx)
		defer stop()
		go b.showProgress(pctx)
	}
	if cfg.scenario == "polling" {
		res.Transport = "polling"
		b.hc = &http.Client{
			Timeout: cfg.opTimeout,
			Transport: &http.Transport{
				MaxIdleConns:        2 * cfg.n,
				MaxIdleConnsPerHost: 2 * cfg.n,
				DisableCompression:  true,
				IdleConnTimeout:     30 * time.Second,
			},
		}
		defer b.hc.CloseIdleConnections()
	}
	var err error
	switch cfg.scenario {
	case "connect":
		err = b.connect(ctx, res)
	case "echo", "polling":
		err = b.echo(ctx, res)
	case "broadcast":
		err = b.broadcast(ctx, res)
	case "idle":
		err = b.idle(ctx, res)
	}
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("run stopped by -timeout %v", cfg.timeout)
	}
	if err != nil {
		res.Error = err.Error()
	}
	res.Errors = b.errCount.Load()
	if s, ok := b.firstErr.Load().(string); ok && res.Error == "" {
		res.Error = "first error: " + s
	}
	if rss, err := procRSS(0); err == nil {
		res.LoadRSSKB = rss
	}
	return res
}

// measure fills the CPU figures of res from m, for ops operations ended at
// end (before the settle wait).
func (b *bench) measure(res *result, m *cpuMeter, start, end time.Time, ops int64) {
	time.Sleep(b.cfg.settle)
	m.stop()
	wall := end.Sub(start)
	res.Ops = ops
	res.ElapsedS = wall.Seconds()
	if wall > 0 {
		res.OpsPerS = float64(ops) / wall.Seconds()
		res.LoadCPUPct = 100 * float64(m.dSelf) / float64(wall)
	}
	// One core for the load tool: near 100% means it, not the server,
	// set the pace.
	res.LoadBottleneck = res.LoadCPUPct >= 90
	if b.cfg.pid > 0 && m.serverErr == nil {
		res.ServerCPUS = m.dSrv.Seconds()
		if ops > 0 {
			res.ServerCPUUsPerOp = float64(m.dSrv) / float64(time.Microsecond) / float64(ops)
		}
		if rss, err := procRSS(b.cfg.pid); err == nil {
			res.ServerRSSKB = rss
		}
	}
}

func setLatency(res *result, lat []time.Duration) {
	s := summarize(lat)
	res.P50Ms, res.P99Ms, res.MaxMs = ms(s.P50), ms(s.P99), ms(s.Max)
}

// connect: handshakes, conc in flight; each connection is closed at once.
func (b *bench) connect(ctx context.Context, res *result) error {
	cfg := &b.cfg
	res.OpName = "handshake"
	if cfg.warmup > 0 {
		b.setPhase("warm-up", cfg.warmup)
		closeAll(b.dialMany(ctx, cfg.warmup, cfg.conc, nil, nil))
		time.Sleep(cfg.settle)
	}
	b.setPhase("connect", cfg.n)
	var okCount atomic.Int64
	var next atomic.Int64
	var mu sync.Mutex
	var samples []time.Duration
	m := startMeter(cfg.pid)
	start := time.Now()
	var wg sync.WaitGroup
	for range min(cfg.conc, cfg.n) {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil {
				if int(next.Add(1)) > cfg.n {
					break
				}
				t0 := time.Now()
				c, err := b.dial(ctx, nil)
				if err != nil {
					b.noteErr(err)
					continue
				}
				mine = append(mine, time.Since(t0))
				okCount.Add(1)
				b.done.Add(1)
				c.close()
			}
			mu.Lock()
			samples = append(samples, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	end := time.Now()
	b.measure(res, m, start, end, okCount.Load())
	setLatency(res, samples)
	return nil
}

// echo: n clients, each m sequential acked round trips.
func (b *bench) echo(ctx context.Context, res *result) error {
	cfg := &b.cfg
	res.M, res.Size, res.OpName = cfg.m, cfg.size, "round trip"
	p := newPayload(cfg.size)
	b.setPhase("connecting", cfg.n)
	conns := b.dialMany(ctx, cfg.n, cfg.conc, nil, nil)
	defer closeAll(conns)
	if b.errCount.Load() > 0 {
		return errors.New("not every client connected")
	}
	// Warm-up, then all clients start together.
	b.setPhase("warm-up", cfg.n*cfg.warmup)
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			for range cfg.warmup {
				if ctx.Err() != nil {
					return
				}
				if err := c.echo(ctx, p); err != nil {
					b.noteErr(err)
					return
				}
				b.done.Add(1)
			}
		})
	}
	wg.Wait()
	b.setPhase("round trips", cfg.n*cfg.m)
	lats := make([][]time.Duration, len(conns))
	var okCount atomic.Int64
	m := startMeter(cfg.pid)
	start := time.Now()
	for i, c := range conns {
		wg.Go(func() {
			lat := make([]time.Duration, 0, cfg.m)
			defer func() { lats[i] = lat }()
			for range cfg.m {
				if ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				if err := c.echo(ctx, p); err != nil {
					b.noteErr(err)
					if errors.Is(err, errClosed) {
						return
					}
					continue
				}
				lat = append(lat, time.Since(t0))
				okCount.Add(1)
				b.done.Add(1)
			}
		})
	}
	wg.Wait()
	end := time.Now()
	b.measure(res, m, start, end, okCount.Load())
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	setLatency(res, all)
	res.Lost = int64(cfg.n*cfg.m) - okCount.Load()
	return nil
}

// broadcast: one emitter, n receivers, k broadcasts; each broadcast waits
// until every receiver has it (or -op-timeout).
func (b *bench) broadcast(ctx context.Context, res *result) error {
	cfg := &b.cfg
	res.K, res.Size, res.OpName = cfg.k, cfg.size, "delivery"
	total := cfg.warmup + cfg.k
	var t0 = time.Now()
	sentAt := make([]atomic.Int64, total) // ns since t0
	got := make([]atomic.Int64, total)    // deliveries per broadcast
	var dup atomic.Int64
	lats := make([][]time.Duration, cfg.n)
	seen := make([][]bool, cfg.n)
	var idx atomic.Int64
	// Each receiver's handler runs on its reader goroutine only, so its
	// own slices need no lock.
	onMsgFor := func() func(int) {
		i := int(idx.Add(1)) - 1
		seen[i] = make([]bool, total)
		lats[i] = make([]time.Duration, 0, cfg.k)
		return func(seq int) {
			if seq < 0 || seq >= total {
				return
			}
			if seen[i][seq] {
				dup.Add(1)
				return
			}
			seen[i][seq] = true
			if seq >= cfg.warmup {
				lats[i] = append(lats[i], time.Since(t0)-time.Duration(sentAt[seq].Load()))
			}
			got[seq].Add(1)
		}
	}
	b.setPhase("connecting receivers", cfg.n)
	receivers := make([]benchConn, cfg.n)
	{
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(cfg.conc, cfg.n) {
			wg.Go(func() {
				for ctx.Err() == nil {
					i := int(next.Add(1)) - 1
					if i >= cfg.n {
						return
					}
					c, err := b.dial(ctx, onMsgFor())
					if err != nil {
						b.noteErr(err)
						continue
					}
					receivers[i] = c
					b.done.Add(1)
				}
			})
		}
		wg.Wait()
	}
	defer closeAll(receivers)
	if b.errCount.Load() > 0 {
		return errors.New("not every receiver connected")
	}
	emitter, err := b.dial(ctx, nil)
	if err != nil {
		return fmt.Errorf("emitter: %w", err)
	}
	defer emitter.close()
	pad := strings.Repeat("x", max(0, cfg.size-12))
	send := func(seq int) bool {
		sentAt[seq].Store(int64(time.Since(t0)))
		if err := emitter.emit("broadcast", fmt.Sprintf("%010d:%s", seq, pad)); err != nil {
			b.noteErr(err)
			return false
		}
		deadline := time.Now().Add(cfg.opTimeout)
		for got[seq].Load() < int64(cfg.n) {
			if time.Now().After(deadline) || ctx.Err() != nil {
				b.noteErr(fmt.Errorf("broadcast %d: %d of %d receivers after %v", seq, got[seq].Load(), cfg.n, cfg.opTimeout))
				return false
			}
			time.Sleep(200 * time.Microsecond)
		}
		b.done.Add(int64(cfg.n))
		return true
	}
	b.setPhase("warm-up", cfg.warmup*cfg.n)
	for seq := range cfg.warmup {
		if !send(seq) {
			return errors.New("warm-up broadcast not delivered")
		}
	}
	b.setPhase("deliveries", cfg.k*cfg.n)
	m := startMeter(cfg.pid)
	start := time.Now()
	for seq := cfg.warmup; seq < total && ctx.Err() == nil; seq++ {
		if !send(seq) {
			break
		}
	}
	end := time.Now()
	var delivered int64
	for seq := cfg.warmup; seq < total; seq++ {
		delivered += got[seq].Load()
	}
	b.measure(res, m, start, end, delivered)
	// Late deliveries are counted once settled; lost is what never came.
	delivered = 0
	for seq := cfg.warmup; seq < total; seq++ {
		delivered += got[seq].Load()
	}
	res.Lost = int64(cfg.n*cfg.k) - delivered
	res.Errors += dup.Load()
	var all []time.Duration
	for _, c := range receivers {
		if c == nil {
			continue
		}
		if c.dropped() {
			res.Dropped++
		}
	}
	for _, l := range lats {
		all = append(all, l...)
	}
	setLatency(res, all)
	return nil
}

// idle: n connections held for -hold, answering pings.
func (b *bench) idle(ctx context.Context, res *result) error {
	cfg := &b.cfg
	res.HoldS, res.OpName = cfg.hold.Seconds(), "connection"
	if cfg.warmup > 0 {
		b.setPhase("warm-up", cfg.warmup)
		closeAll(b.dialMany(ctx, cfg.warmup, cfg.conc, nil, nil))
	}
	time.Sleep(time.Second) // let the server settle before the baseline
	if cfg.pid > 0 {
		if rss, err := procRSS(cfg.pid); err == nil {
			res.ServerRSSBaseKB = rss
		}
	}
	b.setPhase("connecting", cfg.n)
	lat := make([]time.Duration, cfg.n)
	m := startMeter(cfg.pid)
	start := time.Now()
	conns := b.dialMany(ctx, cfg.n, cfg.conc, nil, lat)
	defer closeAll(conns)
	connected := 0
	for _, c := range conns {
		if c != nil {
			connected++
		}
	}
	b.setPhase("holding (seconds)", int(cfg.hold.Seconds()))
	holdStart := time.Now()
	for time.Since(holdStart) < cfg.hold && ctx.Err() == nil {
		time.Sleep(min(time.Second, cfg.hold-time.Since(holdStart)))
		b.done.Store(int64(time.Since(holdStart).Seconds()))
	}
	end := time.Now()
	b.measure(res, m, start, end, int64(connected))
	minPings := -1
	for _, c := range conns {
		if c == nil {
			continue
		}
		if c.dropped() {
			res.Dropped++
		}
		if p := c.pings(); minPings < 0 || p < minPings {
			minPings = p
		}
	}
	res.MinPings = max(minPings, 0)
	res.OpsPerS = 0
	if res.ServerRSSKB > 0 && res.ServerRSSBaseKB > 0 && connected > 0 {
		res.RSSPerConnKB = float64(res.ServerRSSKB-res.ServerRSSBaseKB) / float64(connected)
	}
	var hs []time.Duration
	for i, c := range conns {
		if c != nil {
			hs = append(hs, lat[i])
		}
	}
	setLatency(res, hs)
	return nil
}

func printResult(w io.Writer, format string, r *result) error {
	if format == "table" || format == "both" {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "scenario\tserver\tclient\top\tops\tops/s\tp50 ms\tp99 ms\terrors\tlost\tdropped\tsrv µs/op\tsrv RSS MB\tload CPU\t")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%.0f\t%.2f\t%.2f\t%d\t%d\t%d\t%.1f\t%.1f\t%.0f%%\t\n",
			r.Scenario, r.Server, r.Client, r.OpName, r.Ops, r.OpsPerS, r.P50Ms, r.P99Ms,
			r.Errors, r.Lost, r.Dropped, r.ServerCPUUsPerOp, float64(r.ServerRSSKB)/1024, r.LoadCPUPct)
		if err := tw.Flush(); err != nil {
			return err
		}
		if r.RSSPerConnKB != 0 {
			fmt.Fprintf(w, "server RSS per connection: %.1f KiB (base %.1f MB); fewest pings seen by a connection: %d\n",
				r.RSSPerConnKB, float64(r.ServerRSSBaseKB)/1024, r.MinPings)
		}
		if r.LoadBottleneck {
			fmt.Fprintln(w, "warning: the load tool used at least 90% of its core: it may have set the pace")
		}
		if r.Error != "" {
			fmt.Fprintln(w, "error:", r.Error)
		}
	}
	if format == "json" || format == "both" {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	return nil
}
