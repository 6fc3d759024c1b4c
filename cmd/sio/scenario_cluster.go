// Scenario cluster: several server nodes joined through one Redis, n
// connections on each node, one emitter on the first node; every
// "broadcast" must reach the connections of every node. One receiver
// process per node holds that node's connections (scenario_cluster_recv.go);
// the broadcast payload carries the sequence number, and each receiver
// stamps every receipt with the wall clock, which the parent compares with
// its own send time (one machine, one clock).

package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"
)

const clusterUsage = `usage: sio bench cluster -urls URL1,URL2,... [flags]

Each URL is one node of a cluster (loopback) that implements the bench
contract with its "broadcast" reaching every node's sockets (bench/cluster,
bench/peers/node with REDIS_URL). One receiver process per node opens -n
connections to it; an emitter on the first node sends -k broadcasts of
-size bytes, each waiting until every connection of every node has it:
deliveries/s, send-to-receipt latency, lost and duplicate deliveries.
With -pids (the nodes' process ids, in -urls order) and -redis-pid, the
CPU time of each (/proc/PID/task/*/schedstat) over the measured phase.

flags:
`

type clusterConfig struct {
	urls           []string
	path           string
	n, k, warmup   int
	size, conc     int
	opTimeout      time.Duration
	timeout        time.Duration
	settle         time.Duration
	pids           []int
	redisPID       int
	label, output  string
	progress       bool
	profileSignals bool
}

// clusterResult is one run of the cluster scenario; the field names the
// runner reads are those of result.
type clusterResult struct {
	Scenario string `json:"scenario"`
	Server   string `json:"server"`
	Nodes    int    `json:"nodes"`
	N        int    `json:"n"` // connections per node
	Conns    int    `json:"conns"`
	K        int    `json:"k"`
	Size     int    `json:"size"`
	Ops      int64  `json:"ops"`
	OpName   string `json:"op"`
	Errors   int64  `json:"errors"`
	Lost     int64  `json:"lost"`
	Dup      int64  `json:"dup"`
	Dropped  int64  `json:"dropped"`

	ElapsedS float64 `json:"elapsed_s"`
	OpsPerS  float64 `json:"ops_per_s"`
	P50Ms    float64 `json:"p50_ms"`
	P99Ms    float64 `json:"p99_ms"`
	MaxMs    float64 `json:"max_ms"`

	ServerCPUS             float64   `json:"server_cpu_s,omitempty"`         // all nodes
	ServerCPUUsPerOp       float64   `json:"server_cpu_us_per_op,omitempty"` // all nodes, per delivery
	NodeCPUMsPerBroadcast  []float64 `json:"node_cpu_ms_per_broadcast,omitempty"`
	ServerRSSKB            int64     `json:"server_rss_kb,omitempty"`              // all nodes
	RedisCPUUsPerBroadcast float64   `json:"redis_cpu_us_per_broadcast,omitempty"` // its timers included: an upper bound
	RedisIdleUsPerS        float64   `json:"redis_idle_us_per_s,omitempty"`

	LoadCPUPct     float64 `json:"load_cpu_pct"` // this process and the receivers
	LoadRSSKB      int64   `json:"load_rss_kb"`
	LoadBottleneck bool    `json:"load_bottleneck"`
	Error          string  `json:"error,omitempty"`
}

func runCluster(args []string, stdout, stderr io.Writer) int {
	var c clusterConfig
	var urls, pids string
	fs := flag.NewFlagSet("sio bench cluster", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, clusterUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&urls, "urls", "", "comma-separated node URLs (loopback); the emitter is on the first")
	fs.StringVar(&c.path, "path", "/socket.io/", "Engine.IO path")
	fs.IntVar(&c.n, "n", 10000, "connections per node")
	fs.IntVar(&c.k, "k", 30, "measured broadcasts")
	fs.IntVar(&c.warmup, "warmup", 3, "warm-up broadcasts")
	fs.IntVar(&c.size, "size", 64, "payload bytes")
	fs.IntVar(&c.conc, "c", 50, "connection attempts in flight per node")
	fs.DurationVar(&c.opTimeout, "op-timeout", 10*time.Second, "bound of each connection attempt and broadcast")
	fs.DurationVar(&c.timeout, "timeout", 5*time.Minute, "bound of the whole run")
	fs.DurationVar(&c.settle, "settle", 300*time.Millisecond, "wait after the last broadcast before reading CPU times and counting")
	fs.StringVar(&pids, "pids", "", "comma-separated node process ids, in -urls order")
	fs.IntVar(&c.redisPID, "redis-pid", 0, "Redis process id")
	fs.StringVar(&c.label, "label", "cluster", "server name in the results")
	fs.StringVar(&c.output, "o", "table", "output: table, json or both")
	fs.BoolVar(&c.progress, "progress", true, "show progress on stderr every 2 s")
	fs.BoolVar(&c.profileSignals, "profile-signals", false, "send SIGUSR1 to the -pids before the measured phase and SIGUSR2 after (bench/cluster -profile-signals)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := c.finish(urls, pids); err != nil {
		fmt.Fprintf(stderr, "sio bench cluster: %v\n", err)
		return 2
	}
	if _, ok := stderr.(*os.File); !ok {
		// The receivers' stderr is copied in by one goroutine each.
		stderr = &syncWriter{w: stderr}
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	res := c.run(ctx, stderr)
	if err := printClusterResult(stdout, c.output, res); err != nil {
		fmt.Fprintf(stderr, "sio bench cluster: %v\n", err)
		return 1
	}
	if res.Error != "" || res.Errors+res.Lost+res.Dup+res.Dropped > 0 {
		return 1
	}
	return 0
}

func (c *clusterConfig) finish(urls, pids string) error {
	for u := range strings.SplitSeq(urls, ",") {
		if u = strings.TrimSpace(u); u != "" {
			if _, _, err := nodeBase(u, c.path); err != nil {
				return err
			}
			c.urls = append(c.urls, u)
		}
	}
	if len(c.urls) == 0 || len(c.urls) > 16 {
		return errors.New("-urls: want 1 to 16 node URLs")
	}
	if pids != "" {
		for p := range strings.SplitSeq(pids, ",") {
			pid, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil || pid <= 0 {
				return fmt.Errorf("-pids: bad process id %q", p)
			}
			c.pids = append(c.pids, pid)
		}
		if len(c.pids) != len(c.urls) {
			return errors.New("-pids: one per -urls entry")
		}
	}
	if c.n < 1 || c.n > 100000 || c.k < 1 || c.warmup < 0 || c.k+c.warmup > 1<<16 || c.n*c.k > 1<<24 {
		return errors.New("counts out of range (1 to 100000 connections per node, at most 2^16 broadcasts and 2^24 deliveries per node)")
	}
	if c.size < 12 || c.size > 1<<20 || c.conc < 1 || c.opTimeout <= 0 || c.timeout <= 0 {
		return errors.New("-size must be 12 to 1048576; -c, -op-timeout and -timeout positive")
	}
	switch c.output {
	case "table", "json", "both":
	default:
		return fmt.Errorf("-o %q: want table, json or both", c.output)
	}
	return nil
}

// syncWriter serialises the writes of several goroutines to w.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// nodeBase checks that raw is an http:// or ws:// loopback URL and returns
// its base (http://host:port) and Engine.IO path (its own, or path).
func nodeBase(raw, path string) (base, p string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", err
	}
	if u.Scheme != "http" && u.Scheme != "ws" {
		return "", "", fmt.Errorf("%q: want http:// or ws://", raw)
	}
	if err := checkLoopback(u.Hostname()); err != nil {
		return "", "", err
	}
	if u.Port() == "" {
		return "", "", fmt.Errorf("%q: want a port", raw)
	}
	p = path
	if u.Path != "" && u.Path != "/" {
		p = u.Path
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return "http://" + u.Host, p, nil
}

// receiverProc is one started receiver process.
type receiverProc struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	ready  chan struct{} // closed on "ready"
	exited chan struct{} // closed when its output has ended
	report *receiverReport
	outErr error
}

// receiverCommand is the program and leading arguments that run
// "sio bench cluster-recv": this executable (a test replaces it).
var receiverCommand = func() (string, []string, error) {
	exe, err := os.Executable()
	return exe, nil, err
}

func (c *clusterConfig) startReceivers(ctx context.Context, epochNs int64, complete []atomic.Int64, stderr io.Writer) ([]*receiverProc, error) {
	exe, lead, err := receiverCommand()
	if err != nil {
		return nil, err
	}
	var procs []*receiverProc
	for _, u := range c.urls {
		args := append(append([]string(nil), lead...), "bench", "cluster-recv", "-url", u, "-n", strconv.Itoa(c.n),
			"-total", strconv.Itoa(c.warmup+c.k), "-warmup", strconv.Itoa(c.warmup), "-c", strconv.Itoa(c.conc),
			"-epoch", strconv.FormatInt(epochNs, 10), "-op-timeout", c.opTimeout.String(), "-timeout", c.timeout.String())
		cmd := exec.CommandContext(ctx, exe, args...)
		cmd.Stderr = stderr
		cmd.WaitDelay = 5 * time.Second
		p := &receiverProc{cmd: cmd, ready: make(chan struct{}), exited: make(chan struct{})}
		if p.stdin, err = cmd.StdinPipe(); err == nil {
			var out io.ReadCloser
			if out, err = cmd.StdoutPipe(); err == nil {
				if err = cmd.Start(); err == nil {
					go p.readOutput(out, complete)
				}
			}
		}
		if err != nil {
			stopReceivers(procs)
			return nil, fmt.Errorf("starting receiver for %s: %w", u, err)
		}
		procs = append(procs, p)
	}
	return procs, nil
}

// readOutput follows a receiver's standard output until it ends.
func (p *receiverProc) readOutput(out io.Reader, complete []atomic.Int64) {
	defer close(p.exited)
	p.outErr = readLines(out, 512<<20, func(line []byte) {
		switch s := string(line[:min(len(line), 16)]); {
		case s == "ready":
			close(p.ready)
		case strings.HasPrefix(s, "done "):
			if seq, err := strconv.Atoi(string(line[5:])); err == nil && seq >= 0 && seq < len(complete) {
				complete[seq].Add(1)
			}
		case strings.HasPrefix(s, "{"):
			var r receiverReport
			if err := json.Unmarshal(line, &r); err == nil {
				p.report = &r
			}
		}
	})
}

// stopReceivers closes every receiver's input (its signal to report and
// exit) and waits for each; WaitDelay and the context bound the wait.
func stopReceivers(procs []*receiverProc) {
	for _, p := range procs {
		p.stdin.Close()
	}
	for _, p := range procs {
		<-p.exited
		p.cmd.Wait()
	}
}

func (c *clusterConfig) run(ctx context.Context, stderr io.Writer) *clusterResult {
	res := &clusterResult{Scenario: "cluster", Server: c.label, Nodes: len(c.urls), N: c.n,
		Conns: c.n * len(c.urls), K: c.k, Size: c.size, OpName: "delivery"}
	err := c.measure(ctx, res, stderr)
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("run stopped by -timeout %v", c.timeout)
	}
	if err != nil && res.Error == "" {
		res.Error = err.Error()
	}
	if rss, err := procRSS(0); err == nil {
		res.LoadRSSKB = rss
	}
	return res
}

func (c *clusterConfig) measure(ctx context.Context, res *clusterResult, stderr io.Writer) error {
	total := c.warmup + c.k
	epochNs := time.Now().UnixNano()
	complete := make([]atomic.Int64, total) // receivers that have broadcast seq everywhere
	sentNs := make([]int64, total)
	var progress atomic.Value
	progress.Store("connecting receivers")
	if c.progress {
		pctx, stop := context.WithCancel(ctx)
		defer stop()
		go func() {
			t := time.NewTicker(2 * time.Second)
			defer t.Stop()
			for {
				select {
				case <-pctx.Done():
					return
				case <-t.C:
					fmt.Fprintf(stderr, "sio bench cluster: %s\n", progress.Load())
				}
			}
		}()
	}
	procs, err := c.startReceivers(ctx, epochNs, complete, stderr)
	if err != nil {
		return err
	}
	stopped := false
	defer func() {
		if !stopped {
			stopReceivers(procs)
		}
	}()
	for i, p := range procs {
		select {
		case <-p.ready:
		case <-p.exited:
			return fmt.Errorf("receiver for %s ended before it was ready (%s)", c.urls[i], receiverErr(p))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	base, path, _ := nodeBase(c.urls[0], c.path)
	emitter, err := dialRawWS(ctx, base, path, c.opTimeout, nil)
	if err != nil {
		return fmt.Errorf("emitter: %w", err)
	}
	defer emitter.close()

	pad := strings.Repeat("x", c.size-11)
	want := int64(len(procs))
	send := func(seq int) error {
		sentNs[seq] = time.Now().UnixNano() - epochNs
		if err := emitter.emit("broadcast", fmt.Sprintf("%010d:%s", seq, pad)); err != nil {
			return err
		}
		deadline := time.Now().Add(c.opTimeout)
		for complete[seq].Load() < want {
			if time.Now().After(deadline) || ctx.Err() != nil {
				return fmt.Errorf("broadcast %d: complete on %d of %d nodes after %v", seq, complete[seq].Load(), want, c.opTimeout)
			}
			time.Sleep(200 * time.Microsecond)
		}
		progress.Store(fmt.Sprintf("broadcast %d/%d", seq+1, total))
		return nil
	}
	// Redis's own timers cost it about 1-4 ms of CPU per second here,
	// more than its work for tens of broadcasts: measure that idle rate
	// over one second, for the reader to compare (it is not subtracted,
	// being too noisy; Redis's CPU per broadcast is an upper bound).
	progress.Store("measuring idle Redis")
	idle0 := cpuTimes([]int{c.redisPID})
	idleStart := time.Now()
	time.Sleep(time.Second)
	if idle1 := cpuTimes([]int{c.redisPID}); idle0 != nil && idle1 != nil {
		res.RedisIdleUsPerS = float64(idle1[0]-idle0[0]) / float64(time.Microsecond) / time.Since(idleStart).Seconds()
	}
	for seq := range c.warmup {
		if err := send(seq); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	loadPIDs := []int{os.Getpid()}
	for _, p := range procs {
		loadPIDs = append(loadPIDs, p.cmd.Process.Pid)
	}
	c.signalNodes(syscall.SIGUSR1)
	nodes0, redis0, load0 := cpuTimes(c.pids), cpuTimes([]int{c.redisPID}), cpuTimes(loadPIDs)
	start := time.Now()
	var sendErr error
	for seq := c.warmup; seq < total && sendErr == nil; seq++ {
		sendErr = send(seq)
	}
	wall := time.Since(start)
	time.Sleep(c.settle)
	window := time.Since(start)
	nodes1, redis1, load1 := cpuTimes(c.pids), cpuTimes([]int{c.redisPID}), cpuTimes(loadPIDs)
	c.signalNodes(syscall.SIGUSR2)
	for _, pid := range c.pids {
		if rss, err := procRSS(pid); err == nil {
			res.ServerRSSKB += rss
		}
	}

	progress.Store("collecting reports")
	stopped = true
	stopReceivers(procs)
	var reports []receiverReport
	for i, p := range procs {
		if p.report == nil {
			return fmt.Errorf("receiver for %s gave no report (%s)", c.urls[i], receiverErr(p))
		}
		if p.report.Error != "" && res.Error == "" {
			res.Error = c.urls[i] + ": " + p.report.Error
		}
		reports = append(reports, *p.report)
	}
	t := mergeReports(reports, c.n, c.warmup, c.k, sentNs)
	res.Ops, res.Lost, res.Dup, res.Dropped, res.Errors = t.delivered, t.lost, t.dup, int64(t.dropped), t.errors
	if sendErr != nil {
		res.Errors++
		res.Error = sendErr.Error()
	}
	res.ElapsedS = wall.Seconds()
	res.OpsPerS = float64(t.delivered) / wall.Seconds()
	s := summarize(t.lat)
	res.P50Ms, res.P99Ms, res.MaxMs = ms(s.P50), ms(s.P99), ms(s.Max)
	broadcasts := float64(c.k)
	if nodes0 != nil && nodes1 != nil {
		var sum time.Duration
		for i := range nodes0 {
			d := nodes1[i] - nodes0[i]
			sum += d
			res.NodeCPUMsPerBroadcast = append(res.NodeCPUMsPerBroadcast, ms(d)/broadcasts)
		}
		res.ServerCPUS = sum.Seconds()
		if t.delivered > 0 {
			res.ServerCPUUsPerOp = float64(sum) / float64(time.Microsecond) / float64(t.delivered)
		}
	}
	if redis0 != nil && redis1 != nil {
		res.RedisCPUUsPerBroadcast = float64(redis1[0]-redis0[0]) / float64(time.Microsecond) / broadcasts
	}
	if load0 != nil && load1 != nil {
		var sum time.Duration
		for i := range load0 {
			sum += load1[i] - load0[i]
		}
		res.LoadCPUPct = 100 * float64(sum) / float64(window)
		res.LoadBottleneck = res.LoadCPUPct >= 90
	}
	return nil
}

func receiverErr(p *receiverProc) string {
	if p.report != nil && p.report.Error != "" {
		return p.report.Error
	}
	if p.outErr != nil {
		return p.outErr.Error()
	}
	return "see its stderr"
}

func (c *clusterConfig) signalNodes(sig syscall.Signal) {
	if !c.profileSignals {
		return
	}
	for _, pid := range c.pids {
		syscall.Kill(pid, sig)
	}
}

// cpuTimes returns the CPU time of each process, or nil if pids is empty,
// holds 0 or one cannot be read.
func cpuTimes(pids []int) []time.Duration {
	if len(pids) == 0 {
		return nil
	}
	out := make([]time.Duration, len(pids))
	for i, pid := range pids {
		if pid <= 0 {
			return nil
		}
		d, err := procRuntime(pid)
		if err != nil {
			return nil
		}
		out[i] = d
	}
	return out
}

// procRuntime is the time on CPU of pid's live threads, summed from
// /proc/PID/task/*/schedstat (nanoseconds, where /proc/PID/stat counts
// 10 ms ticks: a Redis spends microseconds per broadcast). Falls back to
// procCPU where schedstat is missing.
func procRuntime(pid int) (time.Duration, error) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var sum time.Duration
	for _, e := range ents {
		b, err := os.ReadFile(dir + "/" + e.Name() + "/schedstat")
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue // the thread ended
			}
			return procCPU(pid)
		}
		f := strings.Fields(string(b))
		if len(f) == 0 {
			return procCPU(pid)
		}
		ns, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return procCPU(pid)
		}
		sum += time.Duration(ns)
	}
	return sum, nil
}

func printClusterResult(w io.Writer, format string, r *clusterResult) error {
	if format == "table" || format == "both" {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "server\tnodes\tconns\tdeliveries\tdeliveries/s\tp50 ms\tp99 ms\terrors\tlost\tdup\tdropped\tnodes µs/delivery\tredis µs/broadcast\tload CPU\t")
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%.2f\t%.2f\t%d\t%d\t%d\t%d\t%.2f\t%.0f\t%.0f%%\t\n",
			r.Server, r.Nodes, r.Conns, r.Ops, r.OpsPerS, r.P50Ms, r.P99Ms, r.Errors, r.Lost, r.Dup, r.Dropped,
			r.ServerCPUUsPerOp, r.RedisCPUUsPerBroadcast, r.LoadCPUPct)
		if err := tw.Flush(); err != nil {
			return err
		}
		if r.RedisIdleUsPerS > 0 {
			fmt.Fprintf(w, "Redis idle: %.0f µs of CPU per second (included in its CPU per broadcast)\n", r.RedisIdleUsPerS)
		}
		if len(r.NodeCPUMsPerBroadcast) > 0 {
			fmt.Fprintf(w, "CPU ms per broadcast of each node: %.1f\n", r.NodeCPUMsPerBroadcast)
		}
		if r.LoadBottleneck {
			fmt.Fprintln(w, "warning: the load processes used at least 90% of a core: they may have set the pace")
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
