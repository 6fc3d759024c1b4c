package redis

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/internal/notepack"
)

// expectEventually emits from `from` until c receives it: after an outage
// the subscriber needs a moment to resubscribe, and what is published
// before that is lost (pub/sub).
func expectEventually(t *testing.T, from *node, c *goClient, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	deadline := start.Add(within)
	for time.Now().Before(deadline) {
		from.srv.Emit("probe", "x")
		select {
		case ev := <-c.rec.ch:
			if ev == "probe:x" {
				// drain duplicates of earlier probes
				time.Sleep(100 * time.Millisecond)
				for len(c.rec.ch) > 0 {
					<-c.rec.ch
				}
				return time.Since(start)
			}
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("cross-node delivery did not resume within %v", within)
	return 0
}

func TestRedisRestartMidRun(t *testing.T) {
	r, err := startRedis(0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { r.stop() }()
	key := testKey()
	opts := Options{RequestsTimeout: 500 * time.Millisecond, HealthCheckInterval: 300 * time.Millisecond}
	a := newNode(t, nodeOpts{key: key, addr: r.addr(), opts: opts})
	b := newNode(t, nodeOpts{key: key, addr: r.addr(), opts: opts})
	waitServers(t, a, "/", 2)
	waitServers(t, b, "/", 2)
	ca := connect(t, a, "")
	cb := connect(t, b, "")
	expectEventually(t, a, cb, 5*time.Second)
	for len(ca.rec.ch) > 0 {
		<-ca.rec.ch
	}
	baseline := runtime.NumGoroutine()

	r.stop() // Redis dies
	waitFor(t, func() bool { return !a.cl.Healthy() && !b.cl.Healthy() })

	// local clients are still served
	a.srv.Emit("local-during-outage", "1")
	ca.rec.expect(t, "local-during-outage:1")
	cb.rec.none(t, 200*time.Millisecond)

	// requests fail clearly, within their timeout
	start := time.Now()
	_, err = a.srv.Of("/").FetchSockets(context.Background())
	if err == nil {
		t.Fatal("fetchSockets during the outage succeeded")
	}
	if d := time.Since(start); d > opts.RequestsTimeout+time.Second {
		t.Fatalf("fetchSockets took %v", d)
	}
	if !errors.Is(err, ErrUnavailable) && !errors.Is(err, adapter.ErrTimeout) {
		t.Fatalf("unclear error: %v", err)
	}
	t.Logf("fetchSockets during outage: %v after %v", err, time.Since(start))
	_, err = a.srv.Of("/").ServerSideEmitWithAck(context.Background(), "x")
	if err == nil {
		t.Fatal("serverSideEmitWithAck during the outage succeeded")
	}
	// broadcasts during the outage are dropped and counted, never queued
	// without bound
	for range 20000 {
		a.srv.Emit("lost", "x")
	}
	if n := pendingCount(a); n != 0 {
		t.Fatalf("%d pending requests", n)
	}

	r2, err := startRedis(r.port) // restarted on the same port
	if err != nil {
		t.Fatal(err)
	}
	defer r2.stop()
	d := expectEventually(t, a, cb, 10*time.Second)
	expectEventually(t, b, ca, 5*time.Second)
	t.Logf("cross-node delivery resumed %v after restart", d)
	waitServers(t, a, "/", 2)

	// every operation works again
	socks, err := b.srv.Of("/").FetchSockets(context.Background())
	if err != nil || len(socks) != 2 {
		t.Fatalf("fetchSockets after recovery: %d %v", len(socks), err)
	}
	for len(cb.rec.ch) > 0 {
		<-cb.rec.ch
	}
	if cb.rec.seen("lost:x") {
		t.Fatal("a broadcast from the outage was delivered late")
	}
	st := a.cl.Stats()
	if st.Dropped < 20000 || st.Reconnects < 1 || !st.SubscriberUp {
		t.Fatalf("stats %+v", st)
	}
	// no goroutine piles up across the outage
	waitFor(t, func() bool { return runtime.NumGoroutine() <= baseline+4 })
}

func TestNetworkCutAndPubsubKill(t *testing.T) {
	p := newProxy(t, sharedRedis.addr())
	key := testKey()
	opts := Options{RequestsTimeout: 500 * time.Millisecond, HealthCheckInterval: 300 * time.Millisecond}
	a := newNode(t, nodeOpts{key: key, addr: p.Addr, opts: opts})
	b := newNode(t, nodeOpts{key: key, opts: opts})
	waitServers(t, b, "/", 2)
	ca := connect(t, a, "")
	cb := connect(t, b, "")
	expectEventually(t, b, ca, 5*time.Second)

	p.Stop()
	start := time.Now()
	_, err := a.srv.Of("/").ServerSideEmitWithAck(context.Background(), "x")
	if err == nil || time.Since(start) > opts.RequestsTimeout+time.Second {
		t.Fatalf("request during the cut: %v after %v", err, time.Since(start))
	}
	b.srv.Emit("during-cut", "1") // lost for a
	time.Sleep(200 * time.Millisecond)
	p.Start(t)
	d := expectEventually(t, b, ca, 5*time.Second)
	t.Logf("resumed %v after the network came back", d)
	expectEventually(t, a, cb, 5*time.Second)
	if ca.rec.seen("during-cut:1") {
		t.Fatal("message published during the cut was delivered")
	}

	// the server kills the subscriber connection (CLIENT KILL TYPE pubsub)
	admin := goredis.NewClient(&goredis.Options{Addr: sharedRedis.addr()})
	defer admin.Close()
	if err := admin.Do(context.Background(), "CLIENT", "KILL", "TYPE", "pubsub").Err(); err != nil {
		t.Fatal(err)
	}
	expectEventually(t, b, ca, 5*time.Second)
	expectEventually(t, a, cb, 5*time.Second)
}

func TestRedisDownAtStartup(t *testing.T) {
	p := newProxy(t, sharedRedis.addr())
	p.Stop()
	key := testKey()
	opts := Options{RequestsTimeout: 300 * time.Millisecond}
	a := newNode(t, nodeOpts{key: key, addr: p.Addr, opts: opts})
	b := newNode(t, nodeOpts{key: key, opts: opts})
	ca := connect(t, a, "")
	a.srv.Emit("local", "ok")
	ca.rec.expect(t, "local:ok")
	if a.cl.Healthy() {
		t.Fatal("healthy without Redis")
	}
	if _, err := a.srv.Of("/").Adapter().ServerCount(context.Background()); err == nil {
		t.Fatal("server count without Redis")
	}
	// the reconnect loop backs off: after a second without Redis it has
	// not spun (CPU time is a benchmark matter; count goroutines instead)
	n := runtime.NumGoroutine()
	time.Sleep(time.Second)
	if runtime.NumGoroutine() > n+4 {
		t.Fatalf("goroutines grew from %d to %d", n, runtime.NumGoroutine())
	}
	p.Start(t)
	waitServers(t, a, "/", 2)
	cb := connect(t, b, "")
	expectEventually(t, a, cb, 5*time.Second)
	if !a.cl.Healthy() {
		t.Fatal("not healthy after Redis came up")
	}
}

// A node that is subscribed but never answers (frozen): requests end at
// the timeout with the partial result, and nothing stays pending.
func TestFrozenPeer(t *testing.T) {
	key := testKey()
	a := newNode(t, nodeOpts{key: key, opts: Options{RequestsTimeout: 300 * time.Millisecond}})
	b := newNode(t, nodeOpts{key: key})
	frozen := goredis.NewClient(&goredis.Options{Addr: sharedRedis.addr()})
	defer frozen.Close()
	ps := frozen.Subscribe(context.Background(), key+"-request#/#")
	defer ps.Close()
	if _, err := ps.Receive(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitServers(t, a, "/", 3)
	connect(t, a, "")
	connect(t, b, "")

	start := time.Now()
	socks, err := a.srv.Of("/").FetchSockets(context.Background())
	var te *TimeoutError
	if !errors.As(err, &te) || !errors.Is(err, adapter.ErrTimeout) || te.Got != 2 || te.Want != 3 {
		t.Fatalf("want a timeout with 2 of 3 responses, got %v", err)
	}
	if len(socks) != 2 {
		t.Fatalf("partial result: %d sockets", len(socks))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
	if !strings.Contains(err.Error(), "timeout reached while waiting for fetchSockets response") {
		t.Fatalf("message %q", err)
	}
	// a context shorter than RequestsTimeout wins
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = a.srv.Of("/").ServerSideEmitWithAck(ctx, "x")
	if !errors.Is(err, adapter.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &te) || te.Want != 2 || time.Since(start) > 250*time.Millisecond {
		t.Fatalf("ctx deadline: %v after %v", err, time.Since(start))
	}
	// RequestsTimeout alone is not the caller's deadline
	if _, err := a.srv.Of("/").FetchSockets(context.Background()); !errors.Is(err, adapter.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RequestsTimeout: %v", err)
	}
	if n := pendingCount(a); n != 0 {
		t.Fatalf("%d pending", n)
	}
}

// Garbage on the adapter's channels is ignored and counted.
func TestGarbageOnChannels(t *testing.T) {
	key := testKey()
	a := newNode(t, nodeOpts{key: key})
	c := connect(t, a, "room=r")
	waitServers(t, a, "/", 1)
	pub := goredis.NewClient(&goredis.Options{Addr: sharedRedis.addr()})
	defer pub.Close()
	ctx := context.Background()
	own := a.srv.Of("/").Adapter().(*Adapter).UID()
	enc := func(v any) []byte {
		b, err := notepack.Append(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	pkt := func(nsp string) notepack.Map {
		return notepack.Map{{Key: "type", Val: int64(2)}, {Key: "data", Val: []any{"bad", "x"}}, {Key: "nsp", Val: nsp}}
	}
	opts := notepack.Map{{Key: "rooms", Val: []any{}}, {Key: "except", Val: []any{}}, {Key: "flags", Val: notepack.Map{}}}
	garbage := []struct{ ch, msg string }{
		{key + "#/#", "\xc1\xff\x00"},
		{key + "#/#", string(enc([]any{"x"}))},
		{key + "#/#", string(enc([]any{own, pkt("/"), opts}))}, // our own uid
		{key + "#/#", string(enc([]any{"other", pkt("/admin"), opts}))},
		{key + "#/#", string(enc([]any{"other", notepack.Map{{Key: "data", Val: "notarray"}}, opts}))},
		{key + "#/#", string(enc([]any{"other", notepack.Map{{Key: "data", Val: []any{int64(1)}}}, opts}))},
		{key + "#/#", "\xdd\xff\xff\xff\xff"}, // huge array header, no body
		{key + "#/#r#", "\x93\xa1x"},
		{key + "-request#/#", "{not json"},
		{key + "-request#/#", `{"type":"x"}`},
		{key + "-request#/#", `{"type":99}`},
		{key + "-request#/#", `{"type":6,"data":"x"}`},
		{key + "-request#/#", `{"type":5,"requestId":"r","opts":{"rooms":[1,2],"except":null}}`},
		{key + "-request#/#", "\x82\xa4type\x07"},
		{key + "-response#/#", `{"requestId":"nope","sockets":[]}`},
		{key + "-response#/#", "\xc1"},
		{key + "#/#", strings.Repeat("\x91", 100000)},
		{key + "#/#", string(make([]byte, 8<<20))}, // 8 MB of zeros
	}
	before := a.cl.Stats().Ignored
	for _, g := range garbage {
		if err := pub.Publish(ctx, g.ch, g.msg).Err(); err != nil {
			t.Fatal(err)
		}
	}
	// a valid broadcast after the garbage still arrives
	ok := enc([]any{"other", notepack.Map{{Key: "type", Val: int64(2)}, {Key: "data", Val: []any{"good", "y"}}, {Key: "nsp", Val: "/"}}, opts})
	pub.Publish(ctx, key+"#/#", ok)
	c.rec.expect(t, "good:y")
	if c.rec.seen("bad:x") {
		t.Fatal("garbage delivered")
	}
	if got := a.cl.Stats().Ignored - before; got < 10 {
		t.Fatalf("ignored %d messages", got)
	}
}
