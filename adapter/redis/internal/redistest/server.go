// Package redistest starts the real things the adapter tests need: a
// redis-server on a free loopback port (alone, or three as a Redis
// Cluster), and a Node.js node of a mixed cluster (testdata/node/peer.js),
// each stopped by PID. It is for tests only.
package redistest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Server is a redis-server process on a loopback port.
type Server struct {
	Port int
	Dir  string // its working directory (AOF and RDB files)
	args []string
	cmd  *exec.Cmd
}

// Addr is "127.0.0.1:<port>".
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// FreePort returns a loopback port nobody listens on (now).
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// Start starts redis-server on a free port with no persistence unless
// args say otherwise (they are appended: "--appendonly", "yes"), in a
// fresh directory under dir, and waits until it answers PING.
func Start(dir string, args ...string) (*Server, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	d, err := os.MkdirTemp(dir, "redis-")
	if err != nil {
		return nil, err
	}
	s := &Server{Port: port, Dir: d, args: args}
	return s, s.start()
}

func (s *Server) start() error {
	args := append([]string{"--port", strconv.Itoa(s.Port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--protected-mode", "no", "--dir", s.Dir}, s.args...)
	cmd := exec.Command("redis-server", args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if reply(s.Addr(), "PING") == "+PONG" {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Kill()
	return fmt.Errorf("redis-server on port %d did not answer", s.Port)
}

// reply sends one inline command and returns the first line of the reply
// ("" on error).
func reply(addr, cmd string) string {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return ""
	}
	defer c.Close()
	fmt.Fprint(c, cmd+"\r\n")
	c.SetReadDeadline(time.Now().Add(time.Second))
	line, _ := bufio.NewReader(c).ReadString('\n')
	return strings.TrimRight(line, "\r\n")
}

// Kill kills the server (SIGKILL: nothing is saved) and waits for it.
func (s *Server) Kill() {
	if s == nil || s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// Shutdown stops the server as a restart does (SIGTERM: it writes its
// append-only file, if on, and exits) and waits for it, at most 10s.
func (s *Server) Shutdown() {
	if s == nil || s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
	s.cmd = nil
}

// Restart starts the server again on the same port and directory (what it
// persisted is loaded).
func (s *Server) Restart() error {
	if s.cmd != nil {
		s.Shutdown()
	}
	return s.start()
}

// Cluster is a Redis Cluster of masters without replicas on loopback.
type Cluster struct {
	Nodes []*Server
}

// Addrs lists the nodes' addresses.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr()
	}
	return out
}

// StartCluster starts n redis-server processes in cluster mode, joins
// them with redis-cli --cluster create (slots split evenly, no replicas)
// and waits for cluster_state:ok on every node. A cluster of one node
// gets every slot with CLUSTER ADDSLOTSRANGE.
func StartCluster(dir string, n int) (*Cluster, error) {
	c := &Cluster{}
	for i := 0; i < n; i++ {
		s, err := Start(dir, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000")
		if err != nil {
			c.Stop()
			return nil, err
		}
		c.Nodes = append(c.Nodes, s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if n < 3 {
		// redis-cli wants 3 masters: one node takes every slot itself
		args = []string{"-p", strconv.Itoa(c.Nodes[0].Port), "CLUSTER", "ADDSLOTSRANGE", "0", "16383"}
	}
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		c.Stop()
		return nil, fmt.Errorf("redis-cli --cluster create: %v: %s", err, out)
	}
	for _, s := range c.Nodes {
		for !clusterOK(s.Addr()) {
			if ctx.Err() != nil {
				c.Stop()
				return nil, fmt.Errorf("cluster not ok on %s", s.Addr())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return c, nil
}

func clusterOK(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	fmt.Fprint(c, "CLUSTER INFO\r\n")
	c.SetReadDeadline(time.Now().Add(time.Second))
	rd := bufio.NewReader(c)
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return false
		}
		if strings.HasPrefix(line, "cluster_state:") {
			return strings.TrimSpace(line) == "cluster_state:ok"
		}
	}
}

// Stop kills every node.
func (c *Cluster) Stop() {
	for _, s := range c.Nodes {
		s.Kill()
	}
}

// CPU returns the CPU time the server has used (utime+stime of
// /proc/<pid>/stat, in clock ticks of 10ms), 0 if it cannot be read.
func (s *Server) CPU() time.Duration {
	if s == nil || s.cmd == nil {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(s.cmd.Process.Pid) + "/stat")
	if err != nil {
		return 0
	}
	// the fields after the command name, which is in parentheses
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// CPU is the CPU time of every node.
func (c *Cluster) CPU() time.Duration {
	var d time.Duration
	for _, n := range c.Nodes {
		d += n.CPU()
	}
	return d
}
