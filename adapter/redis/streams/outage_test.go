package streams

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosio/socketio/adapter/redis/internal/redistest"
)

// TestRedisRestartMidStream restarts Redis (SIGTERM, then started again
// on its append-only file) in the middle of a stream of 300 broadcasts
// from a Go node: the clients of that node, of another Go node and of a
// Node.js node (official clients and ours) each receive every event
// exactly once, in order. The broadcasts made while Redis is down wait in
// the publisher's queue; the readers resume from their last entry.
func TestRedisRestartMidStream(t *testing.T) {
	rs, err := redistest.Start(tmpDir, "--appendonly", "yes", "--appendfsync", "always")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rs.Kill)
	key := testKey()
	a := newNode(t, nodeOpts{key: key, addr: rs.Addr()})
	b := newNode(t, nodeOpts{key: key, addr: rs.Addr()})
	n := redistest.StartPeer(t, nodeDir, "ADAPTER=streams", "KEY="+key, "REDIS_PORT="+strconv.Itoa(rs.Port))
	waitServers(t, a, "/", 3)
	ga := redistest.Connect(t, a.url, "/", "")
	gb := redistest.Connect(t, b.url, "/", "")
	for name, url := range map[string]string{"onA": a.url, "onB": b.url, "onNode": n.URL} {
		n.Must("connect", map[string]any{"name": name, "url": url})
	}
	recs := map[string]*redistest.Recorder{"go client on A": ga.Rec, "go client on B": gb.Rec,
		"official client on A": n.Recorder("onA"), "official client on B": n.Recorder("onB"), "official client on the Node node": n.Recorder("onNode")}

	const total = 300
	restarted := make(chan error, 1)
	var sent, downAt, upAt atomic.Int64
	for i := 0; i < total; i++ {
		sent.Store(int64(i))
		if i == 100 {
			go func() {
				rs.Shutdown()
				downAt.Store(sent.Load())
				time.Sleep(700 * time.Millisecond) // broadcasts go on meanwhile
				err := rs.Restart()
				upAt.Store(sent.Load())
				restarted <- err
			}()
		}
		if err := a.srv.Emit("seq", i); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := <-restarted; err != nil {
		t.Fatal(err)
	}
	for name, r := range recs {
		r.Expect(t, fmt.Sprintf("seq:%d", total-1))
		ev := r.Events()
		if len(ev) != total {
			t.Errorf("%s: %d events, want %d", name, len(ev), total)
		}
		for i, e := range ev {
			if e != fmt.Sprintf("seq:%d", i) {
				t.Errorf("%s: event %d is %q", name, i, e)
				break
			}
		}
	}
	t.Logf("broadcasts %d to %d sent while Redis was down; node A: %+v", downAt.Load(), upAt.Load(), a.cl.Stats())
	if upAt.Load()-downAt.Load() < 20 {
		t.Error("Redis was not down during the stream")
	}
}

// TestCutWithinAndPastRetention cuts a node off Redis (a proxy in
// between) while another writes: within the stream's retention it gets
// every broadcast when the link is back; past it (more entries than
// MaxLen meanwhile) it reports the gap in Stats.Gaps instead of carrying
// on silently.
func TestCutWithinAndPastRetention(t *testing.T) {
	key := testKey()
	opts := Options{MaxLen: 50} // MAXLEN ~ trims whole nodes of 100 entries
	a := newNode(t, nodeOpts{key: key, opts: opts})
	px := redistest.NewProxy(t, shared.Addr())
	b := newNode(t, nodeOpts{key: key, addr: px.Addr, opts: opts})
	waitServers(t, a, "/", 2)
	cb := redistest.Connect(t, b.url, "/", "")

	px.Stop()
	for i := 0; i < 20; i++ {
		a.srv.Emit("within", i)
	}
	px.Start(t)
	cb.Rec.Expect(t, "within:19")
	if n := len(cb.Rec.Events()); n != 20 || b.cl.Stats().Gaps != 0 {
		t.Fatalf("%d events, stats %+v", n, b.cl.Stats())
	}

	px.Stop()
	for i := 0; i < 500; i++ {
		a.srv.Emit("past", i)
	}
	redistest.WaitFor(t, "A wrote them", func() bool { return a.cl.Stats().Added >= 520 })
	px.Start(t)
	cb.Rec.Expect(t, "past:499")
	if b.cl.Stats().Gaps != 1 {
		t.Fatalf("stats %+v", b.cl.Stats())
	}
}

// TestCutBeforeTheStreamExists: a node cut off before anything was ever
// written (the stream does not exist yet, nor when it is back) still
// notices entries trimmed during a later cut.
func TestCutBeforeTheStreamExists(t *testing.T) {
	key := testKey()
	opts := Options{MaxLen: 50}
	px := redistest.NewProxy(t, shared.Addr())
	b := newNode(t, nodeOpts{key: key, addr: px.Addr, opts: opts})
	redistest.WaitFor(t, "reader up", func() bool { return b.cl.Stats().ReadUp })
	px.Stop()
	redistest.WaitFor(t, "reader down", func() bool { return !b.cl.Stats().ReadUp })
	px.Start(t)
	redistest.WaitFor(t, "reader back", func() bool { return b.cl.Stats().ReadUp })
	a := newNode(t, nodeOpts{key: key, opts: opts})
	waitServers(t, a, "/", 2)
	px.Stop()
	for i := 0; i < 500; i++ {
		a.srv.Emit("past", i)
	}
	redistest.WaitFor(t, "A wrote them", func() bool { return a.cl.Stats().Added >= 500 })
	px.Start(t)
	redistest.WaitFor(t, "the gap reported", func() bool { return b.cl.Stats().Gaps == 1 })
}
