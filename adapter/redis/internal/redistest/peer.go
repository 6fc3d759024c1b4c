package redistest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Peer is a Node.js process running testdata/node/peer.js: a socket.io
// 4.8 server with an npm Redis adapter, and official socket.io-client
// sockets, driven over stdin/stdout.
type Peer struct {
	t       testing.TB
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	URL     string // the server's base URL ("" for SERVE=0)
	mu      sync.Mutex
	seq     int
	waiting map[int]chan map[string]any
	clients map[string]*Recorder
	sse     chan string
	done    chan struct{}
	stopped bool
}

// NodeDir is testdata/node seen from a package directory of the module.
func NodeDir(fromPkg string) string { return filepath.Join(fromPkg, "testdata", "node") }

// StartPeer starts peer.js in dir with env ("K=V", see peer.js), waits
// until it is ready and stops it when the test ends.
func StartPeer(t testing.TB, dir string, env ...string) *Peer {
	t.Helper()
	for _, pkg := range []string{"socket.io", "socket.io-client", "@socket.io/redis-adapter", "@socket.io/redis-streams-adapter", "@socket.io/redis-emitter", "ioredis", "redis"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			t.Fatalf("%s is not installed in %s/node_modules: run `npm ci --prefix adapter/redis/testdata/node`", pkg, dir)
		}
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not on PATH; the mixed-cluster tests need Node.js 20")
	}
	cmd := exec.Command("node", "peer.js")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "TZ=UTC"), env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Peer{t: t, cmd: cmd, stdin: stdin, waiting: map[int]chan map[string]any{},
		clients: map[string]*Recorder{}, sse: make(chan string, 100), done: make(chan struct{})}
	ready := make(chan int, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				continue
			}
			switch {
			case m["ready"] != nil:
				ready <- int(m["ready"].(float64))
			case m["id"] != nil:
				p.mu.Lock()
				ch := p.waiting[int(m["id"].(float64))]
				p.mu.Unlock()
				if ch != nil {
					ch <- m
				}
			case m["client"] != nil:
				p.Recorder(m["client"].(string)).Add(fmt.Sprint(m["event"]) + ":" + fmt.Sprint(m["arg"]))
			case m["sse"] != nil:
				p.sse <- fmt.Sprint(m["sse"]) + ":" + fmt.Sprint(m["arg"])
			}
		}
	}()
	t.Cleanup(p.Stop)
	select {
	case port := <-ready:
		if port > 0 {
			p.URL = "http://127.0.0.1:" + strconv.Itoa(port)
		}
	case <-p.done:
		t.Fatal("node peer exited before it was ready")
	case <-time.After(20 * time.Second):
		t.Fatal("node peer not ready in 20s")
	}
	return p
}

// Recorder returns the recorder of the client called name.
func (p *Peer) Recorder(name string) *Recorder {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.clients[name]
	if r == nil {
		r = NewRecorder()
		p.clients[name] = r
	}
	return r
}

// Call runs a command of peer.js and returns its result.
func (p *Peer) Call(cmd string, args map[string]any) (any, error) {
	p.mu.Lock()
	p.seq++
	id := p.seq
	ch := make(chan map[string]any, 1)
	p.waiting[id] = ch
	p.mu.Unlock()
	if args == nil {
		args = map[string]any{}
	}
	args["id"], args["cmd"] = id, cmd
	b, _ := json.Marshal(args)
	if _, err := p.stdin.Write(append(b, '\n')); err != nil {
		return nil, err
	}
	select {
	case m := <-ch:
		if e, ok := m["error"]; ok {
			return m["responses"], fmt.Errorf("%v", e)
		}
		return m["result"], nil
	case <-p.done:
		return nil, fmt.Errorf("node peer: exited during %s", cmd)
	case <-time.After(15 * time.Second):
		return nil, fmt.Errorf("node peer: %s timed out", cmd)
	}
}

// Must is Call failing the test on error.
func (p *Peer) Must(cmd string, args map[string]any) any {
	p.t.Helper()
	r, err := p.Call(cmd, args)
	if err != nil {
		p.t.Fatalf("node %s: %v", cmd, err)
	}
	return r
}

// ExpectSSE waits for the server-side event "event:arg".
func (p *Peer) ExpectSSE(t testing.TB, want string) {
	t.Helper()
	select {
	case got := <-p.sse:
		if got != want {
			t.Fatalf("server-side event %q, want %q", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("node did not receive server-side event %q", want)
	}
}

// Stop asks the process to quit, kills it if it does not, and waits.
func (p *Peer) Stop() {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.stopped = true
	p.mu.Unlock()
	select {
	case <-p.done:
	default:
		_, _ = p.Call("quit", nil)
	}
	p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	_ = p.cmd.Wait()
}
