package main

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/gosio/socketio"
)

// TestClusterRecvProcess is the receiver process of TestClusterRun: the
// test binary run again with SIO_CLUSTER_RECV=1 and the receiver's
// arguments after "--".
func TestClusterRecvProcess(t *testing.T) {
	if os.Getenv("SIO_CLUSTER_RECV") != "1" {
		t.Skip("only as TestClusterRun's receiver process")
	}
	i := slices.Index(os.Args, "--")
	os.Exit(run(os.Args[i+1:], streams{os.Stdin, os.Stdout, os.Stderr}))
}

// TestClusterRun drives the whole scenario (parent, receiver processes,
// reports, merge) against two in-process servers that share their
// broadcasts as a Redis adapter would: each "broadcast" is emitted on both.
func TestClusterRun(t *testing.T) {
	t.Setenv("SIO_CLUSTER_RECV", "1")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	old := receiverCommand
	receiverCommand = func() (string, []string, error) {
		return exe, []string{"-test.run=^TestClusterRecvProcess$", "--"}, nil
	}
	defer func() { receiverCommand = old }()

	var nodes []*socketio.Server
	var urls string
	for range 2 {
		io := socketio.NewServer(nil)
		nodes = append(nodes, io)
		io.OnConnection(func(s *socketio.Socket) {
			s.On("broadcast", func(e *socketio.Event) {
				for _, n := range nodes {
					n.Emit("msg", e.Values()...)
				}
			})
		})
		srv := httptest.NewServer(io)
		defer srv.Close()
		defer io.Close()
		if urls != "" {
			urls += ","
		}
		urls += srv.URL
	}
	pid := strconv.Itoa(os.Getpid())
	var out, errOut bytes.Buffer
	rc := runBench([]string{"cluster", "-urls", urls, "-n", "20", "-k", "5", "-warmup", "1", "-c", "10",
		"-pids", pid + "," + pid, "-redis-pid", pid, "-o", "json", "-progress=false", "-timeout", "1m"}, &out, &errOut)
	var res clusterResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("rc %d, output %q, stderr %q: %v", rc, out.String(), errOut.String(), err)
	}
	if rc != 0 || res.Error != "" || res.Ops != 2*20*5 || res.Lost != 0 || res.Dup != 0 || res.Errors != 0 {
		t.Fatalf("rc %d: %+v\nstderr: %s", rc, res, errOut.String())
	}
	if res.P50Ms <= 0 || len(res.NodeCPUMsPerBroadcast) != 2 {
		t.Fatalf("no latency or CPU figures: %+v", res)
	}
}
