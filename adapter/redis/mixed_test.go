package redis

import (
	"bufio"
	"context"
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

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter/redis/emitter"
)

const npmHint = "run `npm ci --prefix adapter/redis/testdata/node` (make test does)"

// nodePeer is the Node.js node of a mixed cluster (testdata/node/peer.js).
type nodePeer struct {
	t       *testing.T
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	url     string
	mu      sync.Mutex
	seq     int
	waiting map[int]chan map[string]any
	clients map[string]*recorder
	sse     chan string
	done    chan struct{}
}

func startNodePeer(t *testing.T, redisPort int, key string) *nodePeer {
	t.Helper()
	dir := filepath.Join("testdata", "node")
	for _, pkg := range []string{"socket.io", "socket.io-client", "@socket.io/redis-adapter", "@socket.io/redis-emitter", "ioredis"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
			t.Fatalf("%s is not installed in testdata/node/node_modules: %s", pkg, npmHint)
		}
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node is not on PATH; the mixed-cluster tests need Node.js 20")
	}
	cmd := exec.Command("node", "peer.js")
	cmd.Dir = dir
	// TZ=UTC: Node prints handshake times in its local zone, and the tests
	// compare them with the UTC form gosio sends.
	cmd.Env = append(os.Environ(), "REDIS_PORT="+strconv.Itoa(redisPort), "KEY="+key, "TZ=UTC")
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
	p := &nodePeer{t: t, cmd: cmd, stdin: stdin, waiting: map[int]chan map[string]any{},
		clients: map[string]*recorder{}, sse: make(chan string, 100), done: make(chan struct{})}
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
				p.recorder(m["client"].(string)).add(fmt.Sprint(m["event"]) + ":" + fmt.Sprint(m["arg"]))
			case m["sse"] != nil:
				p.sse <- fmt.Sprint(m["sse"]) + ":" + fmt.Sprint(m["arg"])
			}
		}
	}()
	t.Cleanup(p.stop)
	select {
	case port := <-ready:
		p.url = "http://127.0.0.1:" + strconv.Itoa(port)
	case <-p.done:
		t.Fatal("node peer exited before it was ready")
	case <-time.After(15 * time.Second):
		t.Fatal("node peer not ready in 15s")
	}
	return p
}

func (p *nodePeer) recorder(name string) *recorder {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.clients[name]
	if r == nil {
		r = newRecorder()
		p.clients[name] = r
	}
	return r
}

// call runs a command and returns its result (fails the test on error
// unless allowErr).
func (p *nodePeer) call(cmd string, args map[string]any) (any, error) {
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
	case <-time.After(10 * time.Second):
		return nil, fmt.Errorf("node peer: %s timed out", cmd)
	}
}

func (p *nodePeer) must(cmd string, args map[string]any) any {
	p.t.Helper()
	r, err := p.call(cmd, args)
	if err != nil {
		p.t.Fatalf("node %s: %v", cmd, err)
	}
	return r
}

func (p *nodePeer) stop() {
	p.call("quit", nil)
	p.stdin.Close()
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
	p.cmd.Wait()
}

func (p *nodePeer) expectSSE(t *testing.T, want string) {
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

// TestMixedCluster runs one Go node and one Node.js node on one Redis,
// official JavaScript clients on each, and every cluster operation in
// both directions.
func TestMixedCluster(t *testing.T) {
	key := testKey()
	sse := make(chan string, 10)
	g := newNode(t, nodeOpts{key: key, opts: Options{RequestsTimeout: 2 * time.Second}, setup: func(srv *socketio.Server) {
		srv.OnServerSideEmit("ping", func(s string, ack func(string)) {
			sse <- "ping:" + s
			ack("pong-go-" + s)
		})
		srv.OnServerSideEmit("fire", func(s string) { sse <- "fire:" + s })
	}})
	n := startNodePeer(t, sharedRedis.port, key)
	waitServers(t, g, "/", 2)
	if c := n.must("serverCount", nil); c.(float64) != 2 {
		t.Fatalf("node server count %v", c)
	}
	// official clients: gA, gB on the Go node; nA, nB on the Node node
	n.must("connect", map[string]any{"name": "gA", "url": g.url, "query": map[string]any{"room": "r1", "data": "ga"}})
	gB := n.must("connect", map[string]any{"name": "gB", "url": g.url, "query": map[string]any{"room": "r2"}}).(string)
	n.must("connect", map[string]any{"name": "nA", "url": n.url, "query": map[string]any{"room": "r1", "data": "na"}})
	nB := n.must("connect", map[string]any{"name": "nB", "url": n.url, "query": map[string]any{"room": "r2"}}).(string)
	gA, gBr, nA, nBr := n.recorder("gA"), n.recorder("gB"), n.recorder("nA"), n.recorder("nB")
	all := []*recorder{gA, gBr, nA, nBr}
	expectAll := func(t *testing.T, ev string, rs ...*recorder) {
		t.Helper()
		for _, r := range rs {
			r.expect(t, ev)
		}
	}
	ctx := context.Background()

	t.Run("broadcast from Go", func(t *testing.T) {
		g.srv.Emit("e1", "all")
		expectAll(t, "e1:all", all...)
		g.srv.To("r1").Emit("e2", "r1")
		expectAll(t, "e2:r1", gA, nA)
		g.srv.Except("r1").Emit("e3", "x")
		expectAll(t, "e3:x", gBr, nBr)
		g.srv.To(nB).Emit("e4", "direct")
		nBr.expect(t, "e4:direct")
		g.srv.To("r2").Emit("e5", []byte("bytes"))
		expectAll(t, "e5:bin:bytes", gBr, nBr)
		g.srv.Emit("e6", map[string]any{"n": 1.5, "i": 3, "s": "é", "l": []any{true, nil}})
		expectAll(t, `e6:{"i":3,"l":[true,null],"n":1.5,"s":"é"}`, all...)
		for _, r := range all {
			r.none(t, 50*time.Millisecond)
		}
	})
	t.Run("broadcast from Node", func(t *testing.T) {
		n.must("emit", map[string]any{"event": "f1", "arg": "all"})
		expectAll(t, "f1:all", all...)
		n.must("emit", map[string]any{"event": "f2", "arg": "r1", "rooms": []string{"r1"}})
		expectAll(t, "f2:r1", gA, nA)
		n.must("emit", map[string]any{"event": "f3", "arg": "x", "except": []string{"r1"}})
		expectAll(t, "f3:x", gBr, nBr)
		n.must("emit", map[string]any{"event": "f4", "arg": "direct", "rooms": []string{gB}})
		gBr.expect(t, "f4:direct")
		n.must("emit", map[string]any{"event": "f5", "arg": "bytes", "binary": true, "rooms": []string{"r2"}})
		expectAll(t, "f5:bin:bytes", gBr, nBr)
		for _, r := range all {
			r.none(t, 50*time.Millisecond)
		}
	})
	t.Run("fetchSockets from Go", func(t *testing.T) {
		socks, err := g.srv.In("r1").FetchSockets(ctx)
		if err != nil || len(socks) != 2 {
			t.Fatalf("%d sockets, %v", len(socks), err)
		}
		var remote *socketio.RemoteSocket
		for _, s := range socks {
			if s.Local() == nil {
				remote = s
			}
		}
		if remote == nil {
			t.Fatal("no remote socket")
		}
		if d, _ := remote.Data().(map[string]any); d["name"] != "na" {
			t.Fatalf("data %#v", remote.Data())
		}
		hs := remote.Handshake()
		if hs.Query.Get("data") != "na" || hs.Headers.Get("Host") == "" || hs.Time.IsZero() || hs.Address == "" {
			t.Fatalf("handshake %+v", hs)
		}
		if len(remote.Rooms()) != 2 {
			t.Fatalf("rooms %v", remote.Rooms())
		}
		all, err := g.srv.Of("/").FetchSockets(ctx)
		if err != nil || len(all) != 4 {
			t.Fatalf("all: %d %v", len(all), err)
		}
		rooms, err := g.srv.Of("/").Adapter().(*Adapter).AllRooms(ctx)
		if err != nil || len(rooms) != 6 {
			t.Fatalf("allRooms %v %v", rooms, err)
		}
	})
	t.Run("fetchSockets from Node", func(t *testing.T) {
		res := n.must("fetchSockets", map[string]any{"rooms": []string{"r1"}}).([]any)
		if len(res) != 2 {
			t.Fatalf("node fetched %v", res)
		}
		found := false
		for _, r := range res {
			m := r.(map[string]any)
			if d, _ := m["data"].(map[string]any); d["name"] == "ga" {
				found = true
				q := m["query"].(map[string]any)
				if q["data"] != "ga" || m["hasHeaders"] != true || m["issued"].(float64) <= 0 || len(m["rooms"].([]any)) != 2 {
					t.Fatalf("Go socket seen from Node: %v", m)
				}
			}
		}
		if !found {
			t.Fatalf("Go socket not fetched: %v", res)
		}
		res = n.must("fetchSockets", map[string]any{"except": []string{"r1"}}).([]any)
		if len(res) != 2 {
			t.Fatalf("except: %v", res)
		}
	})
	t.Run("socketsJoin and socketsLeave from Go", func(t *testing.T) {
		g.srv.In("r2").SocketsJoin("j1")
		waitFor(t, func() bool { return len(n.must("fetchSockets", map[string]any{"rooms": []string{"j1"}}).([]any)) == 2 })
		n.must("emit", map[string]any{"event": "j1", "arg": "x", "rooms": []string{"j1"}})
		expectAll(t, "j1:x", gBr, nBr)
		g.srv.In("j1").SocketsLeave("j1")
		waitFor(t, func() bool { return len(n.must("fetchSockets", map[string]any{"rooms": []string{"j1"}}).([]any)) == 0 })
	})
	t.Run("socketsJoin and socketsLeave from Node", func(t *testing.T) {
		n.must("socketsJoin", map[string]any{"rooms": []string{"r1"}, "join": "j2"})
		waitFor(t, func() bool { s, _ := g.srv.In("j2").FetchSockets(ctx); return len(s) == 2 })
		g.srv.To("j2").Emit("j2", "y")
		expectAll(t, "j2:y", gA, nA)
		n.must("socketsLeave", map[string]any{"join": "j2"})
		waitFor(t, func() bool { s, _ := g.srv.In("j2").FetchSockets(ctx); return len(s) == 0 })
	})
	t.Run("serverSideEmit with acks", func(t *testing.T) {
		g.srv.Of("/").ServerSideEmit(ctx, "fire", "from-go")
		n.expectSSE(t, "fire:from-go")
		replies, err := g.srv.Of("/").ServerSideEmitWithAck(ctx, "ping", "g")
		if err != nil || len(replies) != 1 {
			t.Fatalf("replies %v %v", replies, err)
		}
		var s string
		if replies[0].Decode(0, &s); s != "pong-node-g" {
			t.Fatalf("reply %q", s)
		}
		n.expectSSE(t, "ping:g")
		n.must("serverSideEmit", map[string]any{"event": "fire", "arg": "from-node"})
		if got := <-sse; got != "fire:from-node" {
			t.Fatal(got)
		}
		res := n.must("serverSideEmitWithAck", map[string]any{"event": "ping", "arg": "n"}).([]any)
		if len(res) != 1 || res[0] != "pong-go-n" {
			t.Fatalf("node got %v", res)
		}
		if got := <-sse; got != "ping:n" {
			t.Fatal(got)
		}
	})
	t.Run("broadcast with acks", func(t *testing.T) {
		replies, err := g.srv.Timeout(3*time.Second).EmitWithAck(ctx, "a1", "q")
		if err != nil || len(replies) != 4 {
			t.Fatalf("Go emitWithAck: %d %v", len(replies), err)
		}
		got := map[string]bool{}
		for _, r := range replies {
			var s string
			r.Decode(0, &s)
			got[s] = true
		}
		for _, c := range []string{"gA", "gB", "nA", "nB"} {
			if !got["ack-a1-"+c] {
				t.Fatalf("missing ack of %s: %v", c, got)
			}
		}
		res := n.must("emitWithAck", map[string]any{"event": "a2", "arg": "q", "timeout": 3000}).([]any)
		if len(res) != 4 {
			t.Fatalf("Node emitWithAck: %v", res)
		}
		res = n.must("emitWithAck", map[string]any{"event": "a3", "arg": "q", "rooms": []string{"r2"}, "timeout": 3000}).([]any)
		if len(res) != 2 {
			t.Fatalf("Node emitWithAck r2: %v", res)
		}
		for _, r := range all {
			for len(r.ch) > 0 {
				<-r.ch
			}
		}
	})
	t.Run("our emitter reaches both", func(t *testing.T) {
		e := emitter.New(g.rdb, &emitter.Options{Key: key})
		if err := e.Emit(ctx, "m1", "hi"); err != nil {
			t.Fatal(err)
		}
		expectAll(t, "m1:hi", all...)
		e.To("r1").Emit(ctx, "m2", []byte("b"))
		expectAll(t, "m2:bin:b", gA, nA)
		e.Except("r1").Emit(ctx, "m3", 7)
		expectAll(t, "m3:7", gBr, nBr)
		e.In("r1").SocketsJoin(ctx, "ej")
		waitFor(t, func() bool { s, _ := g.srv.In("ej").FetchSockets(ctx); return len(s) == 2 })
		e.SocketsLeave(ctx, "ej")
		waitFor(t, func() bool { s, _ := g.srv.In("ej").FetchSockets(ctx); return len(s) == 0 })
		e.ServerSideEmit(ctx, "fire", "from-go-emitter")
		n.expectSSE(t, "fire:from-go-emitter")
		if got := <-sse; got != "fire:from-go-emitter" {
			t.Fatal(got)
		}
		if err := e.Emit(ctx, "disconnect"); err == nil {
			t.Fatal("reserved name accepted")
		}
	})
	t.Run("Node emitter reaches both", func(t *testing.T) {
		n.must("emitter", map[string]any{"op": "emit", "event": "k1", "arg": "hi"})
		expectAll(t, "k1:hi", all...)
		n.must("emitter", map[string]any{"op": "emit", "event": "k2", "arg": "b", "binary": true, "rooms": []string{"r2"}})
		expectAll(t, "k2:bin:b", gBr, nBr)
		n.must("emitter", map[string]any{"op": "emit", "event": "k3", "arg": "x", "except": []string{"r2"}})
		expectAll(t, "k3:x", gA, nA)
		n.must("emitter", map[string]any{"op": "socketsJoin", "rooms": []string{"r2"}, "join": "kj"})
		waitFor(t, func() bool { s, _ := g.srv.In("kj").FetchSockets(ctx); return len(s) == 2 })
		n.must("emitter", map[string]any{"op": "socketsLeave", "join": "kj"})
		waitFor(t, func() bool { s, _ := g.srv.In("kj").FetchSockets(ctx); return len(s) == 0 })
		n.must("emitter", map[string]any{"op": "serverSideEmit", "event": "fire", "arg": "from-node-emitter"})
		if got := <-sse; got != "fire:from-node-emitter" {
			t.Fatal(got)
		}
		n.expectSSE(t, "fire:from-node-emitter")
	})
	// disconnects last: they remove clients
	t.Run("disconnectSockets", func(t *testing.T) {
		g.srv.In(nB).DisconnectSockets(true) // Go disconnects a Node socket
		nBr.expect(t, "disconnect:io server disconnect")
		n.must("disconnectSockets", map[string]any{"rooms": []string{gB}}) // Node disconnects a Go socket
		gBr.expect(t, "disconnect:io server disconnect")
		e := emitter.New(g.rdb, &emitter.Options{Key: key})
		n.must("emitter", map[string]any{"op": "disconnectSockets", "rooms": []string{"r1"}, "except": []string{"nothing"}})
		gA.expect(t, "disconnect:io server disconnect")
		nA.expect(t, "disconnect:io server disconnect")
		waitFor(t, func() bool { s, _ := g.srv.Of("/").FetchSockets(ctx); return len(s) == 0 })
		_ = e.DisconnectSockets(ctx, true)
	})
}
