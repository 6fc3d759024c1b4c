// The cluster scenarios (cluster2, cluster4): a redis-server and N nodes
// of one server kind on it, all pinned to core 0, and sio bench cluster
// (with its receiver processes) pinned to core 1.

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clusterNode is the cluster-node form of s, or nil if it has none.
func clusterNode(s server) *server {
	switch s.name {
	case "gosio":
		n := s
		n.argv = []string{filepath.Join(filepath.Dir(s.argv[0]), "gosio-cluster")}
		return &n
	case "node":
		return &s // server.js joins Redis when REDIS_URL is set
	}
	return nil
}

// startRedis starts a redis-server on a free loopback port pinned to core
// 0, without persistence, and waits until it answers PING.
func (r *runner) startRedis() (*exec.Cmd, int, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command("taskset", "-c", "0", "redis-server", "--port", strconv.Itoa(port),
		"--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	cmd.Stdout, cmd.Stderr = r.logw, r.logw
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.SetDeadline(time.Now().Add(time.Second))
			fmt.Fprint(c, "PING\r\n")
			line, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if strings.HasPrefix(line, "+PONG") {
				return cmd, port, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopServer(cmd)
	return nil, 0, fmt.Errorf("redis-server did not answer on %s within 10s", addr)
}

func (r *runner) measureCluster(round int, sc scenario, s server) (row, error) {
	node := clusterNode(s)
	if node == nil {
		return row{}, fmt.Errorf("no cluster node for %s", s.name)
	}
	redis, rport, err := r.startRedis()
	if err != nil {
		return row{}, err
	}
	defer stopServer(redis)
	env := append([]string{
		"REDIS_ADDR=127.0.0.1:" + strconv.Itoa(rport),
		"REDIS_URL=redis://127.0.0.1:" + strconv.Itoa(rport),
	}, sc.env...)
	var urls, pids []string
	profile := r.profileDir != "" && s.name == "gosio"
	for i := range sc.nodes {
		n := *node
		if profile {
			prof := filepath.Join(r.profileDir, fmt.Sprintf("%s-r%d-node%d.pprof", sc.id, round, i))
			n.argv = append(append([]string(nil), n.argv...), "-cpuprofile", prof, "-profile-signals")
		}
		cmd, port, err := r.startServer(n, env)
		if err != nil {
			return row{}, err
		}
		defer stopServer(cmd)
		urls = append(urls, "http://127.0.0.1:"+strconv.Itoa(port))
		pids = append(pids, strconv.Itoa(cmd.Process.Pid)) // taskset execs: same PID
	}
	args := append([]string{"-c", "1", filepath.Join(r.bin, "sio"), "bench", "cluster",
		"-urls", strings.Join(urls, ","), "-pids", strings.Join(pids, ","),
		"-redis-pid", strconv.Itoa(redis.Process.Pid), "-label", s.name,
		"-o", "json", "-progress=false", "-timeout", "4m"}, sc.args...)
	if profile {
		args = append(args, "-profile-signals")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tool := exec.CommandContext(ctx, "taskset", args...)
	var stdout bytes.Buffer
	tool.Stdout, tool.Stderr = &stdout, r.logw
	runErr := tool.Run()
	publishUs, publishCalls, infoErr := redisPublishStats(rport)
	line := lastJSONLine(&stdout)
	if line == nil {
		return row{}, fmt.Errorf("sio bench cluster gave no result: %v", runErr)
	}
	var rw row
	if err := json.Unmarshal(line, &rw); err != nil {
		return row{}, err
	}
	rw.Round, rw.ID, rw.Server = round, sc.id, s.name
	rw.PublishUs = publishUs
	var full map[string]any
	json.Unmarshal(line, &full)
	full["round"], full["id"], full["date"] = round, sc.id, time.Now().UTC().Format(time.RFC3339)
	if infoErr == nil {
		full["redis_publish_us_per_call"], full["redis_publish_calls"] = publishUs, publishCalls
	}
	b, _ := json.Marshal(full)
	fmt.Fprintf(r.out, "%s\n", b)
	return rw, nil
}

// redisPublishStats asks the Redis on port for its own accounting of
// PUBLISH (INFO commandstats): microseconds per call (the command, its
// pattern matching and the copies queued to subscribers; not the socket
// writes that follow) and the number of calls. /proc cannot resolve a few
// microseconds per broadcast against Redis's idle timers.
func redisPublishStats(port int) (usPerCall float64, calls int64, err error) {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := fmt.Fprint(c, "INFO commandstats\r\n"); err != nil {
		return 0, 0, err
	}
	br := bufio.NewReader(c)
	head, err := br.ReadString('\n')
	if err != nil {
		return 0, 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(head, "$")))
	if err != nil || n < 0 || n > 1<<20 {
		return 0, 0, fmt.Errorf("INFO: unexpected reply %q", head)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(br, body); err != nil {
		return 0, 0, err
	}
	return parsePublishStats(string(body))
}

// parsePublishStats reads "cmdstat_publish:calls=N,usec=U,usec_per_call=F,..."
// from an INFO commandstats reply.
func parsePublishStats(info string) (usPerCall float64, calls int64, err error) {
	for line := range strings.SplitSeq(info, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_publish:")
		if !ok {
			continue
		}
		for kv := range strings.SplitSeq(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "calls":
				calls, _ = strconv.ParseInt(v, 10, 64)
			case "usec_per_call":
				usPerCall, _ = strconv.ParseFloat(v, 64)
			}
		}
		return usPerCall, calls, nil
	}
	return 0, 0, fmt.Errorf("no cmdstat_publish in INFO commandstats")
}

func lastJSONLine(r io.Reader) []byte {
	var line []byte
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if b := sc.Bytes(); len(b) > 0 && b[0] == '{' {
			line = bytes.Clone(b)
		}
	}
	return line
}

// reportCluster prints the cluster scenarios' own table: medians over the
// rounds, the ratio to Node's deliveries/s and CPU per delivery.
func reportCluster(w io.Writer, rows []row, scs []scenario, srvs []server) {
	var any bool
	for _, sc := range scs {
		any = any || sc.nodes > 0
	}
	if !any {
		return
	}
	fmt.Fprintln(w, "\n## Cluster broadcast (medians)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| nodes | server | connections | deliveries/s | vs Node | p50 ms | p99 ms | node CPU µs/delivery | vs Node | Redis CPU µs/broadcast | Redis PUBLISH µs/call | errors / lost / dup / dropped | load CPU | rounds |")
	fmt.Fprintln(w, "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|")
	for _, sc := range scs {
		if sc.nodes == 0 {
			continue
		}
		nodeRate, nodeCPU := clusterMedians(rows, sc.id, "node")
		for _, s := range srvs {
			var ops, p50, p99, cpu, redis, pub, load []float64
			var errs, lost, dup, dropped int64
			n := 0
			for _, r := range rows {
				if r.ID != sc.id || r.Server != s.name {
					continue
				}
				n++
				errs, lost, dup, dropped = errs+r.Errors, lost+r.Lost, dup+r.Dup, dropped+r.Dropped
				if r.Ops == 0 {
					continue
				}
				ops, p50, p99 = append(ops, r.OpsPerS), append(p50, r.P50Ms), append(p99, r.P99Ms)
				cpu, redis, load = append(cpu, r.CPUUs), append(redis, r.RedisUs), append(load, r.LoadCPU)
				pub = append(pub, r.PublishUs)
			}
			if n == 0 {
				continue
			}
			rateRatio, cpuRatio := "", ""
			if s.name != "node" && !math.IsNaN(nodeRate) {
				rateRatio = fmt.Sprintf("%.2fx", median(ops)/nodeRate)
				cpuRatio = fmt.Sprintf("%.2fx", median(cpu)/nodeCPU)
			}
			fmt.Fprintf(w, "| %d | %s | %d x %s | %.0f | %s | %.1f | %.1f | %.2f | %s | %.0f | %.1f | %d / %d / %d / %d | %.0f%% | %d/%d |\n",
				sc.nodes, s.name, sc.nodes, argOf(sc.args, "-n"), median(ops), rateRatio, median(p50), median(p99),
				median(cpu), cpuRatio, median(redis), median(pub), errs, lost, dup, dropped, median(load), len(ops), n)
		}
	}
}

func clusterMedians(rows []row, id, srv string) (rate, cpu float64) {
	var ops, cpus []float64
	for _, r := range rows {
		if r.ID == id && r.Server == srv && r.Ops > 0 {
			ops, cpus = append(ops, r.OpsPerS), append(cpus, r.CPUUs)
		}
	}
	return median(ops), median(cpus)
}

func argOf(args []string, name string) string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == name {
			return args[i+1]
		}
	}
	return "?"
}
