package socketio

// Lifecycle and leaks, docs/robustness.md section 5 part F (items 51 and
// 52), and a race test mixing broadcasts, room changes and disconnects.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosio/socketio/internal/testutil"
	"go.uber.org/goleak"
)

// cycle connects one client to "/" and leaves, in one of five ways.
func (e *env) cycle(i int) error {
	switch i % 5 {
	case 0, 1, 2: // WebSocket: clean (41 + close frame), no 41, TCP RST
		c, _, err := e.connectRaw()
		if err != nil {
			return err
		}
		switch i % 5 {
		case 0:
			c.write(testutil.OpText, []byte("41"))
			c.write(testutil.OpClose, testutil.CloseFrame(1000, "").Payload)
		case 2:
			if tc, ok := c.conn.Conn.(*net.TCPConn); ok {
				tc.SetLinger(0) // Close sends RST
			}
		}
		c.close()
		return nil
	default: // polling: clean close (POST 1), or abandoned (ping timeout)
		ctx := context.Background()
		code, body, err := e.do(ctx, "GET", e.url+"?EIO=4&transport=polling", "")
		if err != nil || code != 200 {
			return fmt.Errorf("handshake %d %q %v", code, body, err)
		}
		sid, err := openSID(body)
		if err != nil {
			return err
		}
		if code, body, err := e.do(ctx, "POST", e.sidURL(sid), "40"); err != nil || code != 200 {
			return fmt.Errorf("post 40: %d %q %v", code, body, err)
		}
		for got := ""; !strings.Contains(got, `42["auth"`); {
			code, body, err := e.do(ctx, "GET", e.sidURL(sid), "")
			if err != nil || code != 200 {
				return fmt.Errorf("poll: %d %q %v", code, body, err)
			}
			got += body
		}
		if i%5 == 3 {
			if code, body, err := e.do(ctx, "POST", e.sidURL(sid), "1"); err != nil || code != 200 {
				return fmt.Errorf("post 1: %d %q %v", code, body, err)
			}
		}
		return nil
	}
}

// waitGoroutines waits until at most n goroutines run.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, want at most %d", runtime.NumGoroutine(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Item 51: 1000 connect/disconnect cycles mixing polling, WebSocket and
// abrupt TCP close; goroutines and maps back to baseline. With
// SOCKETIO_SOAK=1 (and without -race) it runs 3 rounds of 5000 cycles
// and checks that the heap is stable.
func TestLifecycleConnectDisconnectCycles(t *testing.T) {
	opts := robustOptions()
	opts.ConnectTimeout = 2 * time.Second // 8 clients at once under -race
	e := newEnv(t, opts)
	base := e.idle()
	e.roundTrip(t)
	e.waitState(t, base)
	e.hc.CloseIdleConnections()
	g0 := runtime.NumGoroutine()
	n, rounds := 1000, 1
	if testing.Short() {
		n = 300
	}
	soak := os.Getenv("SOCKETIO_SOAK") == "1"
	if soak {
		n, rounds = 5000, 3
	}
	var heaps []uint64
	for r := 0; r < rounds; r++ {
		jobs := make(chan int)
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					if err := e.cycle(i); err != nil {
						errs <- fmt.Errorf("cycle %d: %w", i, err)
					}
				}
			}()
		}
		for i := 0; i < n; i++ {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		e.roundTrip(t)
		e.waitState(t, base)
		e.hc.CloseIdleConnections()
		waitGoroutines(t, g0)
		heaps = append(heaps, heapInuse())
	}
	if soak && heaps[2] > heaps[0]+8<<20 {
		t.Errorf("heap grows across rounds: %v", heaps)
	}
	e.finish(t, base)
}

// Item 52: Server.Close with 200 clients mid-poll, mid-upgrade and
// mid-ack: every client sees the end, every pending EmitWithAck returns,
// every socket disconnects with "server shutting down", emits after Close
// fail cleanly, and no goroutine is left.
func TestLifecycleCloseUnderLoad(t *testing.T) {
	opts := robustOptions()
	opts.Engine.UpgradeTimeout = 10 * time.Second // keep the upgrades pending
	opts.ConnectTimeout = 5 * time.Second
	opts.Engine.PingInterval = 5 * time.Second // keep the polls held
	var reasons sync.Map                       // Reason -> *atomic.Int64
	e := newEnv(t, opts, func(io *Server) {
		io.OnConnection(func(s *Socket) {
			s.OnDisconnect(func(r Reason, _ error) {
				v, _ := reasons.LoadOrStore(r, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
			})
		})
	})
	const nPoll, nUpgrade, nAck = 70, 60, 70
	type result struct {
		code int
		body string
		err  error
	}
	// Mid-poll: connected over polling, a GET held by the server.
	polls := make(chan result, nPoll)
	for i := 0; i < nPoll; i++ {
		sid := e.openPolling(t)
		e.post(t, sid, "40")
		e.pollUntil(t, sid, `42["auth"`)
		go func() {
			code, body, err := e.do(context.Background(), "GET", e.sidURL(sid), "")
			polls <- result{code, body, err}
		}()
	}
	// Mid-upgrade: probe answered, "5" never sent.
	var upgrading []*wsConn
	for i := 0; i < nUpgrade; i++ {
		sid := e.openPolling(t)
		e.post(t, sid, "40")
		e.pollUntil(t, sid, `42["auth"`)
		c, err := e.dialWS(t, "EIO=4&transport=websocket&sid="+sid)
		if err != nil {
			t.Fatal(err)
		}
		c.send(t, "2probe")
		if msg, _, err := c.readRaw(2 * time.Second); err != nil || msg != "3probe" {
			t.Fatalf("probe: %q %v", msg, err)
		}
		upgrading = append(upgrading, c)
	}
	// Mid-ack: the server waits (no timeout) for acks that never come.
	acks := make(chan error, nAck)
	var ackConns []*wsConn
	var sockets []*Socket
	for i := 0; i < nAck; i++ {
		c, id := e.connectWS(t)
		s := e.io.Sockets().Socket(id)
		sockets = append(sockets, s)
		go func() {
			_, err := s.EmitWithAck(context.Background(), "never-answered")
			acks <- err
		}()
		c.expectPrefix(t, "42")
		ackConns = append(ackConns, c)
	}
	waitFor(t, "pending acks", func() bool { return e.io.snapshot().Acks == nAck })
	waitFor(t, "held polls", func() bool { return e.io.snapshot().Sockets == nPoll+nUpgrade+nAck })

	start := time.Now()
	if err := e.io.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	for i := 0; i < nAck; i++ {
		if err := <-acks; !errors.Is(err, ErrDisconnected) {
			t.Errorf("EmitWithAck: %v", err)
		}
	}
	for i := 0; i < nPoll; i++ {
		r := <-polls
		if r.err == nil && r.code == 200 && !strings.Contains(r.body, "1") && r.body != "6" {
			t.Errorf("held poll answered %d %q", r.code, r.body)
		}
	}
	for _, c := range append(upgrading, ackConns...) {
		c.expectClosed(t, 2*time.Second)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v", d)
	}
	waitFor(t, "disconnect handlers", func() bool {
		v, ok := reasons.Load(ReasonServerShuttingDown)
		return ok && v.(*atomic.Int64).Load() == nPoll+nUpgrade+nAck
	})
	reasons.Range(func(k, v any) bool {
		if k != ReasonServerShuttingDown {
			t.Errorf("%d sockets disconnected with %q", v.(*atomic.Int64).Load(), k)
		}
		return true
	})
	// After Close: emits fail cleanly, new sessions are refused.
	if err := sockets[0].Emit("late"); !errors.Is(err, ErrDisconnected) {
		t.Errorf("Socket.Emit after Close: %v", err)
	}
	if _, err := sockets[0].Timeout(10*time.Millisecond).EmitWithAck(context.Background(), "late"); !errors.Is(err, ErrDisconnected) {
		t.Errorf("EmitWithAck after Close: %v", err)
	}
	e.io.Emit("late")
	e.io.To("room").Emit("late")
	if code, _ := e.mustDo(t, "GET", e.url+"?EIO=4&transport=polling", ""); code == 200 {
		t.Error("handshake accepted after Close")
	}
	if st := e.io.snapshot(); st.Sessions != 0 || st.Clients != 0 || st.Sockets != 0 || st.Rooms != 0 || st.Acks != 0 {
		t.Errorf("state after Close: %+v", st)
	}
	e.checkNoPanic(t)
	e.close()
	goleak.VerifyNone(t)
}

// Concurrent broadcasts (plain, to rooms, with acks, volatile), room
// changes, client traffic, connects and disconnects from several
// goroutines, for the race detector; then everything is back to baseline.
func TestRaceBroadcastJoinLeaveDisconnect(t *testing.T) {
	e := newEnv(t, nil, func(io *Server) {
		io.OnConnection(func(s *Socket) {
			s.On("join", func(room string) { s.Join(room) })
			s.On("leave", func(room string) { s.Leave(room) })
			s.On("shout", func(msg string) { s.Broadcast().Emit("shout", msg) })
		})
	})
	base := e.idle()
	e.roundTrip(t)

	var mu sync.Mutex
	var conns []*wsConn
	var drains []<-chan struct{}
	add := func(c *wsConn) {
		mu.Lock()
		conns = append(conns, c)
		drains = append(drains, c.drain())
		mu.Unlock()
	}
	for i := 0; i < 16; i++ {
		c, _, err := e.connectRaw()
		if err != nil {
			t.Fatal(err)
		}
		add(c)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var failures atomic.Int64
	loop := func(f func(i int)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				f(i)
			}
		}()
	}
	rooms := []string{"r1", "r2", "r3"}
	loop(func(i int) { // broadcaster
		e.io.Emit("all", i)
		e.io.To("r1", "r2").Emit("rooms", i, []byte{1, 2})
		e.io.Except("r1").Volatile().Emit("except", i)
		e.io.Of("/custom").Emit("custom", i)
		if i%10 == 0 {
			e.io.Timeout(20*time.Millisecond).EmitWithAck(context.Background(), "ask")
			e.io.FetchSockets(context.Background())
		}
	})
	loop(func(i int) { // rooms from the server side
		for _, s := range e.io.Sockets().Sockets() {
			s.Join(rooms[i%3], rooms[(i+1)%3])
			s.Leave(rooms[(i+2)%3])
			s.Rooms()
		}
		e.io.In("r2").SocketsJoin("r4")
		e.io.SocketsLeave("r4")
		time.Sleep(time.Millisecond)
	})
	loop(func(i int) { // clients: events, joins, leaves
		mu.Lock()
		c := conns[rand.IntN(len(conns))]
		mu.Unlock()
		c.write(testutil.OpText, []byte(fmt.Sprintf(`42["join","%s"]`, rooms[i%3])))
		c.write(testutil.OpText, []byte(fmt.Sprintf(`42["shout","%d"]`, i)))
		c.write(testutil.OpText, []byte(fmt.Sprintf(`42["leave","%s"]`, rooms[(i+1)%3])))
		time.Sleep(time.Millisecond)
	})
	loop(func(i int) { // disconnects (server and client side) and new connections
		socks := e.io.Sockets().Sockets()
		for _, s := range socks {
			switch i % 3 {
			case 0:
				s.Disconnect(false)
			case 1:
				s.Disconnect(true)
			}
			break
		}
		if i%3 == 2 {
			mu.Lock()
			conns[rand.IntN(len(conns))].close()
			mu.Unlock()
		}
		c, _, err := e.connectRaw()
		if err != nil {
			failures.Add(1)
			t.Log(err)
			return
		}
		add(c)
		time.Sleep(5 * time.Millisecond)
	})
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if n := failures.Load(); n > 0 {
		t.Errorf("%d connects failed", n)
	}
	mu.Lock()
	for _, c := range conns {
		c.close()
	}
	for _, d := range drains {
		<-d
	}
	mu.Unlock()
	e.roundTrip(t)
	e.finish(t, base)
}
