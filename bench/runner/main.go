// Command runner measures gosio's bench server against the peers (Node's
// socket.io 4.8.4 and zishang520/socket.io v3.0.6) with cmd/sio bench, and
// prints the medians, the ratios to Node and the performance targets as
// Markdown (see docs/performance.md).
//
//	go run ./bench/runner                      # the full comparison
//	go run ./bench/runner -scenarios idle15k -servers gosio -rounds 1
//	go run ./bench/runner -scenarios cluster2,cluster4 -servers gosio,node  # cluster.go
//
// Method: each server runs pinned to core 0 (taskset -c 0) and the load
// tool to core 1 (taskset -c 1); every measurement starts a fresh server on
// a fresh 127.0.0.1 port; rounds are interleaved (round, scenario, server)
// with the server order rotated each round; figures are medians over the
// rounds. The load tool reads the server's utime+stime from /proc/PID/stat
// around the measured phase and its VmRSS from /proc/PID/status, and
// reports its own CPU use, so a run where the load tool saturated its core
// is flagged. Binaries go to -bin (default /tmp/siobench); every process
// started is stopped by its PID.
package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// scenario is one measured workload.
type scenario struct {
	id      string        // name in the tables
	bench   string        // sio bench scenario
	args    []string      // its flags
	env     []string      // server environment
	metric  string        // the target metric: "cpu" per op or "mem" per connection
	target  float64       // ratio to Node to meet (0: none)
	nodes   int           // > 0: a cluster of this many nodes on one Redis (cluster.go)
	timeout time.Duration // sio bench -timeout (0: 4m)
}

func scenarios(size string) []scenario {
	return []scenario{
		{id: "echo", bench: "echo", args: []string{"-n", "50", "-m", "2000", "-size", size}, metric: "cpu", target: 0.40},
		{id: "broadcast", bench: "broadcast", args: []string{"-n", "2000", "-k", "50", "-size", size}, metric: "cpu", target: 0.25},
		{id: "connect", bench: "connect", args: []string{"-n", "4000", "-c", "50"}, metric: "cpu", target: 0.18},
		{id: "polling", bench: "polling", args: []string{"-n", "20", "-m", "500", "-size", size}, metric: "cpu", target: 0.25},
		// Issue 17's idle measurement: 5000 held 30 s with the default ping
		// interval (25 s), RSS read after the hold.
		{id: "idle", bench: "idle", args: []string{"-n", "5000", "-hold", "30s", "-c", "100"}, metric: "mem", target: 0.50},
		{id: "idle15k", bench: "idle", args: []string{"-n", "15000", "-hold", "30s", "-c", "100"}, env: []string{"PING_INTERVAL_MS=5000"}, metric: "mem"},
		// single-node reference for the cluster scenarios: one node's share
		{id: "broadcast10k", bench: "broadcast", args: []string{"-n", "10000", "-k", "30", "-size", size}, metric: "cpu"},
		{id: "cluster2", bench: "cluster", args: []string{"-n", "10000", "-k", "30", "-size", size}, metric: "cpu", nodes: 2},
		{id: "cluster4", bench: "cluster", args: []string{"-n", "10000", "-k", "30", "-size", size}, metric: "cpu", nodes: 4},
		soak15k(size),
	}
}

type server struct {
	name string
	dir  string // working directory
	argv []string
}

type runner struct {
	repo, bin string
	client    string
	logw      io.Writer
	out       *os.File

	profileDir string // cluster scenarios: gosio nodes' CPU profiles go here
}

// row is one result line of sio bench, plus the runner's fields.
type row struct {
	Round    int      `json:"round"`
	ID       string   `json:"id"`
	Scenario string   `json:"scenario"`
	Server   string   `json:"server"`
	Ops      int64    `json:"ops"`
	Errors   int64    `json:"errors"`
	Lost     int64    `json:"lost"`
	Dropped  int64    `json:"dropped"`
	OpsPerS  float64  `json:"ops_per_s"`
	P50Ms    float64  `json:"p50_ms"`
	P99Ms    float64  `json:"p99_ms"`
	MaxMs    float64  `json:"max_ms"`
	MinPings int      `json:"min_pings"`
	CPUUs    float64  `json:"server_cpu_us_per_op"`
	RSSKB    int64    `json:"server_rss_kb"`
	PerConn  float64  `json:"server_rss_per_conn_kb"`
	LoadCPU  float64  `json:"load_cpu_pct"`
	LoadRSS  int64    `json:"load_rss_kb"`
	Bottle   bool     `json:"load_bottleneck"`
	Error    string   `json:"error"`
	Soak     *soakRow `json:"soak"`
	// cluster scenarios only
	Nodes     int     `json:"nodes"`
	Dup       int64   `json:"dup"`
	RedisUs   float64 `json:"redis_cpu_us_per_broadcast"`
	RedisIdle float64 `json:"redis_idle_us_per_s"`
	PublishUs float64 `json:"redis_publish_us_per_call"`
}

func main() {
	rounds := flag.Int("rounds", 3, "rounds (at least 3 for a median worth the name)")
	only := flag.String("scenarios", "echo,broadcast,connect,polling,idle", "comma-separated scenarios (echo, broadcast, connect, polling, idle, idle15k, soak15k, broadcast10k, cluster2, cluster4)")
	servers := flag.String("servers", "gosio,node,zishang", "comma-separated servers (gosio, node, zishang)")
	bin := flag.String("bin", "/tmp/siobench", "directory for binaries, logs and results")
	build := flag.Bool("build", true, "build the binaries and install the Node peer first")
	size := flag.String("size", "64", "payload bytes")
	client := flag.String("client", "raw", "sio bench -client (raw or gosio)")
	profile := flag.String("cluster-profile", "", "cluster scenarios: write a CPU profile of each gosio node's measured phase into this directory")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("runner: ")

	repo, err := repoRoot()
	if err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(*bin, 0o755); err != nil {
		log.Fatal(err)
	}
	raiseNoFile()
	r := &runner{repo: repo, bin: *bin, client: *client, profileDir: *profile}
	logf, err := os.Create(filepath.Join(*bin, "runner.log"))
	if err != nil {
		log.Fatal(err)
	}
	defer logf.Close()
	r.logw = logf
	if *build {
		if err := r.build(); err != nil {
			log.Fatal(err)
		}
	}
	all := map[string]server{
		"gosio":   {name: "gosio", dir: repo, argv: []string{filepath.Join(*bin, "gosio-server")}},
		"node":    {name: "node", dir: filepath.Join(repo, "bench/peers/node"), argv: []string{"node", "server.js"}},
		"zishang": {name: "zishang", dir: repo, argv: []string{filepath.Join(*bin, "zishang-server")}},
	}
	var srvs []server
	for name := range strings.SplitSeq(*servers, ",") {
		s, ok := all[name]
		if !ok {
			log.Fatalf("unknown server %q", name)
		}
		srvs = append(srvs, s)
	}
	var scs []scenario
	for id := range strings.SplitSeq(*only, ",") {
		i := slices.IndexFunc(scenarios(*size), func(s scenario) bool { return s.id == id })
		if i < 0 {
			log.Fatalf("unknown scenario %q", id)
		}
		scs = append(scs, scenarios(*size)[i])
	}
	if *rounds < 1 || *rounds > 20 {
		log.Fatal("-rounds must be 1 to 20")
	}

	resultsPath := filepath.Join(*bin, "results.jsonl")
	r.out, err = os.Create(resultsPath)
	if err != nil {
		log.Fatal(err)
	}
	defer r.out.Close()

	fmt.Fprintf(os.Stderr, "load average at start: %s\n", loadavg())
	started := time.Now()
	var rows []row
	total, n := *rounds*len(scs)*len(srvs), 0
	for round := 1; round <= *rounds; round++ {
		for _, sc := range scs {
			for i := range srvs {
				s := srvs[(i+round-1)%len(srvs)]
				if sc.nodes > 0 && clusterNode(s) == nil {
					continue // no cluster node for this server
				}
				n++
				t0 := time.Now()
				var rw row
				var err error
				if sc.nodes > 0 {
					rw, err = r.measureCluster(round, sc, s)
				} else {
					rw, err = r.measure(round, sc, s)
				}
				if err != nil {
					rw = row{Round: round, ID: sc.id, Server: s.name, Error: err.Error()}
				}
				rows = append(rows, rw)
				fmt.Fprintf(os.Stderr, "[%d/%d %s] round %d %-9s %-7s %s (%.1fs)\n", n, total,
					time.Since(started).Round(time.Second), round, sc.id, s.name, brief(rw), time.Since(t0).Seconds())
			}
		}
	}
	fmt.Fprintf(os.Stderr, "load average at end: %s; results in %s\n", loadavg(), resultsPath)
	report(os.Stdout, rows, scs, srvs, *rounds)
	reportCluster(os.Stdout, rows, scs, srvs)
}

func brief(r row) string {
	if r.Error != "" && r.Ops == 0 {
		return "ERROR " + r.Error
	}
	if r.Soak != nil {
		return soakBrief(r)
	}
	s := fmt.Sprintf("%.0f ops/s, p50 %.2f ms, p99 %.2f ms, server %.1f µs/op", r.OpsPerS, r.P50Ms, r.P99Ms, r.CPUUs)
	if r.PerConn != 0 {
		s = fmt.Sprintf("%d conns, %.1f KiB/conn, RSS %.1f MB, min pings %d, server %.1f µs/conn", r.Ops, r.PerConn, float64(r.RSSKB)/1024, r.MinPings, r.CPUUs)
	}
	s += fmt.Sprintf(", load CPU %.0f%%", r.LoadCPU)
	if r.Errors+r.Lost+r.Dropped > 0 || r.Error != "" {
		s += fmt.Sprintf(" [errors %d lost %d dropped %d %s]", r.Errors, r.Lost, r.Dropped, r.Error)
	}
	if r.Bottle {
		s += " [LOAD TOOL BOUND]"
	}
	return s
}

func repoRoot() (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("go list -m: %w (run from inside the gosio module)", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// raiseNoFile raises the soft descriptor limit to the hard one, for the
// servers and the load tool started from here (each holds one descriptor
// per connection).
func raiseNoFile() {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		log.Printf("cannot raise RLIMIT_NOFILE: %v", err)
	}
	if l.Cur < 16000 {
		log.Printf("warning: descriptor limit %d is below the 15k scenario's needs", l.Cur)
	}
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func (r *runner) run(dir string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = r.logw, r.logw
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w (see %s)", name, strings.Join(args, " "), err, filepath.Join(r.bin, "runner.log"))
	}
	return nil
}

func (r *runner) build() error {
	fmt.Fprintln(os.Stderr, "building into", r.bin)
	if err := r.run(r.repo, "go", "build", "-o", filepath.Join(r.bin, "sio"), "./cmd/sio"); err != nil {
		return err
	}
	if err := r.run(r.repo, "go", "build", "-o", filepath.Join(r.bin, "gosio-server"), "./bench/server"); err != nil {
		return err
	}
	if err := r.run(filepath.Join(r.repo, "bench/cluster"), "go", "build", "-o", filepath.Join(r.bin, "gosio-cluster"), "."); err != nil {
		return err
	}
	if err := r.run(filepath.Join(r.repo, "bench/peers/zishang"), "go", "build", "-o", filepath.Join(r.bin, "zishang-server"), "."); err != nil {
		return err
	}
	node := filepath.Join(r.repo, "bench/peers/node")
	if _, err := os.Stat(filepath.Join(node, "node_modules/@socket.io/redis-adapter")); err != nil {
		if err := r.run(node, "npm", "ci", "--no-audit", "--no-fund"); err != nil {
			return err
		}
	}
	return nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts s pinned to core 0 and waits until it accepts TCP
// connections (no Engine.IO session is opened by the check).
func (r *runner) startServer(s server, env []string) (*exec.Cmd, int, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command("taskset", append([]string{"-c", "0"}, s.argv...)...)
	cmd.Dir = s.dir
	cmd.Env = append(append(os.Environ(), "PORT="+strconv.Itoa(port)), env...)
	cmd.Stdout, cmd.Stderr = r.logw, r.logw
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			time.Sleep(300 * time.Millisecond) // let it finish starting up
			return cmd, port, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopServer(cmd)
	return nil, 0, fmt.Errorf("%s did not listen on %s within 15s", s.name, addr)
}

// stopServer stops the process it started, by PID: SIGTERM, then SIGKILL
// after 5 s.
func stopServer(cmd *exec.Cmd) {
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func (r *runner) measure(round int, sc scenario, s server) (row, error) {
	cmd, port, err := r.startServer(s, sc.env)
	if err != nil {
		return row{}, err
	}
	defer stopServer(cmd)
	pid := cmd.Process.Pid // taskset execs the server: same PID
	args := append([]string{"-c", "1", filepath.Join(r.bin, "sio"), "bench", sc.bench},
		"-url", "http://127.0.0.1:"+strconv.Itoa(port), "-pid", strconv.Itoa(pid),
		"-label", s.name, "-client", r.client, "-o", "json", "-progress=false")
	timeout := cmp.Or(sc.timeout, 4*time.Minute)
	args = append(args, "-timeout", timeout.String())
	args = append(args, sc.args...)
	if sc.bench == "soak" {
		args = append(args, "-series", r.seriesPath(sc, s, round))
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout+time.Minute)
	defer cancel()
	tool := exec.CommandContext(ctx, "taskset", args...)
	var stdout bytes.Buffer
	tool.Stdout, tool.Stderr = &stdout, r.logw
	runErr := tool.Run()
	var line []byte
	sc2 := bufio.NewScanner(&stdout)
	sc2.Buffer(nil, 1<<20)
	for sc2.Scan() {
		if b := sc2.Bytes(); len(b) > 0 && b[0] == '{' {
			line = bytes.Clone(b)
		}
	}
	if line == nil {
		return row{}, fmt.Errorf("sio bench gave no result: %v", runErr)
	}
	var rw row
	if err := json.Unmarshal(line, &rw); err != nil {
		return row{}, err
	}
	rw.Round, rw.ID, rw.Server = round, sc.id, s.name
	// Keep the full line, with the runner's fields in front.
	var full map[string]any
	json.Unmarshal(line, &full)
	full["round"], full["id"], full["date"] = round, sc.id, time.Now().UTC().Format(time.RFC3339)
	b, _ := json.Marshal(full)
	fmt.Fprintf(r.out, "%s\n", b)
	return rw, nil
}

// agg is the median of a scenario's rounds for one server.
type agg struct {
	n                        int
	opsPerS, p50, p99, cpu   float64
	perConn, rssMB, loadCPU  float64
	errors, lost, dropped    int64
	minPings, bottle, failed int
	loadRSSMB                float64
}

func aggregate(rows []row, id, srv string) agg {
	var a agg
	var ops, p50, p99, cpu, per, rss, load, lrss []float64
	a.minPings = -1
	for _, r := range rows {
		if r.ID != id || r.Server != srv {
			continue
		}
		a.n++
		if r.Ops == 0 {
			a.failed++
			continue
		}
		ops, p50, p99 = append(ops, r.OpsPerS), append(p50, r.P50Ms), append(p99, r.P99Ms)
		cpu, per, rss = append(cpu, r.CPUUs), append(per, r.PerConn), append(rss, float64(r.RSSKB)/1024)
		load, lrss = append(load, r.LoadCPU), append(lrss, float64(r.LoadRSS)/1024)
		a.errors += r.Errors
		a.lost += r.Lost
		a.dropped += r.Dropped
		if a.minPings < 0 || r.MinPings < a.minPings {
			a.minPings = r.MinPings
		}
		if r.Bottle {
			a.bottle++
		}
	}
	a.opsPerS, a.p50, a.p99, a.cpu = median(ops), median(p50), median(p99), median(cpu)
	a.perConn, a.rssMB, a.loadCPU, a.loadRSSMB = median(per), median(rss), median(load), median(lrss)
	return a
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func report(w io.Writer, rows []row, scs []scenario, srvs []server, rounds int) {
	fmt.Fprintf(w, "\n## Results (%s, %d rounds, medians)\n\n", time.Now().Format("2006-01-02"), rounds)
	fmt.Fprintln(w, "| scenario | server | ops/s | p50 ms | p99 ms | server CPU µs/op | vs Node | server RSS MB | RSS KiB/conn | vs Node | errors / lost / dropped | load CPU | load-bound rounds |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
	for _, sc := range scs {
		if sc.bench == "soak" {
			continue // its own table, below
		}
		node := aggregate(rows, sc.id, "node")
		for _, s := range srvs {
			a := aggregate(rows, sc.id, s.name)
			if a.n == 0 {
				continue
			}
			cpuRatio, memRatio := "", ""
			if node.n > 0 && s.name != "node" {
				cpuRatio = fmt.Sprintf("%.2fx", a.cpu/node.cpu)
				if sc.metric == "mem" {
					memRatio = fmt.Sprintf("%.2fx", a.perConn/node.perConn)
				}
			}
			per := ""
			if sc.metric == "mem" {
				per = fmt.Sprintf("%.1f", a.perConn)
			}
			extra := ""
			if sc.bench == "idle" {
				extra = fmt.Sprintf(", min pings %d", a.minPings)
			}
			if a.failed > 0 {
				extra += fmt.Sprintf(", %d failed rounds", a.failed)
			}
			fmt.Fprintf(w, "| %s | %s | %.0f | %.2f | %.2f | %.1f | %s | %.1f | %s | %s | %d / %d / %d%s | %.0f%% | %d/%d |\n",
				sc.id, s.name, a.opsPerS, a.p50, a.p99, a.cpu, cpuRatio, a.rssMB, per, memRatio,
				a.errors, a.lost, a.dropped, extra, a.loadCPU, a.bottle, a.n)
		}
	}
	soakReport(w, rows, scs, srvs)
	fmt.Fprintln(w, "\n## Targets (gosio vs Node)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | measured | met |")
	fmt.Fprintln(w, "|---|---:|---|")
	for _, sc := range scs {
		g, node := aggregate(rows, sc.id, "gosio"), aggregate(rows, sc.id, "node")
		if g.n == 0 {
			continue
		}
		if sc.bench == "soak" {
			soakTarget(w, rows, sc)
			continue
		}
		if sc.target > 0 && node.n > 0 {
			v, what := g.cpu/node.cpu, "server CPU per op"
			if sc.metric == "mem" {
				v, what = g.perConn/node.perConn, "RSS per connection"
			}
			fmt.Fprintf(w, "| %s %s <= %.2fx Node | %.2fx | %s |\n", sc.id, what, sc.target, v, yes(v <= sc.target))
		}
		fmt.Fprintf(w, "| %s: zero errors, lost, dropped | %d / %d / %d | %s |\n", sc.id, g.errors, g.lost, g.dropped,
			yes(g.errors+g.lost+g.dropped == 0 && g.failed == 0))
		if sc.id == "idle15k" {
			fmt.Fprintf(w, "| 15,000 held through several ping rounds | fewest pings per connection %d, dropped %d | %s |\n",
				g.minPings, g.dropped, yes(g.minPings >= 3 && g.dropped == 0 && g.failed == 0))
		}
	}
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "**no**"
}
