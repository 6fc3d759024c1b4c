package engineio_test

// Robustness tests, docs/robustness.md section 5 D (upgrade races).
// Helpers are in robust_http_test.go.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/internal/testutil"
)

// expectProbeRefused checks that an upgrade WebSocket is closed at once:
// either refused before the 101, or closed right after it.
func (rs *robServer) expectUpgradeClosed(sid string) {
	rs.t.Helper()
	c, res, body := rs.rawUpgrade(rs.path+"?EIO=4&transport=websocket&sid="+sid, testutil.UpgradeHeaders())
	if res.StatusCode != http.StatusSwitchingProtocols {
		expectRefusedUpgrade(rs.t, c, res, body, 400)
		return
	}
	c.WriteText("2probe")
	for {
		f, err := c.ReadFrame(2 * time.Second)
		if err != nil {
			return // closed without a close frame
		}
		if f.Op == testutil.OpClose {
			return
		}
		if string(f.Payload) == "3probe" {
			rs.t.Fatal("a second upgrade WebSocket was answered 3probe")
		}
	}
}

// Item 34: a second WebSocket for the same sid, during or after the upgrade.
func TestRobustD34SecondUpgrade(t *testing.T) {
	rs := startRob(t, nil, nil)
	g := rs.guard()
	t.Run("before-probe", func(t *testing.T) {
		// Two upgrade WebSockets opened back to back: the server records an
		// upgrade only after writing its 101, so either may win; exactly one
		// must be answered 3probe and the other closed.
		p := rs.open()
		a, b := rs.wsUpgradeConn(p.SID), rs.wsUpgradeConn(p.SID)
		var winners []*testutil.Conn
		for _, c := range []*testutil.Conn{a, b} {
			c.WriteText("2probe")
			if m, err := c.ReadEIO(2 * time.Second); err == nil && m == "3probe" {
				winners = append(winners, c)
			} else if !c.ExpectEOF(2 * time.Second) {
				t.Fatal("losing upgrade WebSocket left open")
			}
		}
		if len(winners) != 1 {
			t.Fatalf("%d upgrade WebSockets probed, want 1", len(winners))
		}
		p.Get(context.Background())
		winners[0].WriteText("5")
		wsEcho(t, winners[0], "winner-intact")
	})
	t.Run("during", func(t *testing.T) {
		p := rs.open()
		first := rs.wsUpgradeConn(p.SID)
		rs.probe(first)
		rs.expectUpgradeClosed(p.SID)
		code, body, err := p.Get(context.Background())
		if err != nil || code != 200 {
			t.Fatalf("poll: %d %q %v", code, body, err)
		}
		first.WriteText("5")
		wsEcho(t, first, "first-intact")
	})
	t.Run("after", func(t *testing.T) {
		p := rs.open()
		first := rs.upgrade(p)
		for range 3 {
			rs.expectUpgradeClosed(p.SID)
		}
		wsEcho(t, first, "first-intact")
		if s := rs.Socket(p.SID); s == nil || !s.Upgraded() {
			t.Fatal("session lost")
		}
	})
	g.check("after")
}

// Item 35: a probe and then no "5": the upgrade times out, the session
// stays on polling and loses nothing.
func TestRobustD35ProbeWithoutUpgrade(t *testing.T) {
	rs := startRob(t, nil, nil) // upgradeTimeout 150 ms
	g := rs.guard()
	p := rs.open()
	s := rs.Socket(p.SID)
	c := rs.wsUpgradeConn(p.SID)
	rs.probe(c)
	start := time.Now()
	s.Send([]byte("during-1"), false)
	if !c.ExpectEOF(2 * time.Second) {
		t.Fatal("probing WebSocket not closed at upgradeTimeout")
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("probing WebSocket closed after %v", d)
	}
	s.Send([]byte("after-1"), false)
	for _, want := range []string{"4during-1", "4after-1"} {
		got, err := p.Receive(2 * time.Second)
		if err != nil || got != want {
			t.Fatalf("got %q %v, want %q", got, err, want)
		}
	}
	if s.Upgraded() || s.TransportName() != engineio.Polling || rs.isClosed(p.SID) {
		t.Fatal("session state changed by the aborted upgrade")
	}
	if err := p.Echo("still-polling", 2*time.Second); err != nil {
		t.Fatal(err)
	}
	// A later, complete upgrade still works.
	wsEcho(t, rs.upgrade(p), "upgraded-later")
	g.check("after")
}

// Item 36: the server emits 1..1000 across the upgrade window; every
// message arrives exactly once, in order.
func TestRobustD36EmitDuringUpgrade(t *testing.T) {
	t.Run("sequence", func(t *testing.T) {
		rs := startRob(t, nil, nil)
		p := rs.open()
		s := rs.Socket(p.SID)
		const total = 1000
		started := make(chan struct{})
		emitted := make(chan struct{})
		go func() {
			defer close(emitted)
			for i := 1; i <= total; i++ {
				if err := s.Send([]byte(strconv.Itoa(i)), false); err != nil {
					return
				}
				if i == 100 {
					close(started)
				}
				if i%5 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}()
		// Poll like the reference client until the upgrade pauses polling.
		var got []string
		var mu sync.Mutex
		var pause atomic.Bool
		pollErr := make(chan error, 1)
		go func() {
			for !pause.Load() {
				code, body, err := p.Get(context.Background())
				if err == nil && code != 200 {
					err = fmt.Errorf("poll %d %q", code, body)
				}
				if err != nil {
					pollErr <- err
					return
				}
				for _, pkt := range testutil.Packets(body) {
					switch {
					case pkt == "2":
						p.Post("3")
					case strings.HasPrefix(pkt, "4"):
						mu.Lock()
						got = append(got, pkt[1:])
						mu.Unlock()
					}
				}
			}
			pollErr <- nil
		}()
		<-started
		c := rs.wsUpgradeConn(p.SID)
		rs.probe(c)
		pause.Store(true)
		if err := <-pollErr; err != nil { // the in-flight poll is released
			t.Fatal(err)
		}
		c.WriteText("5")
		viaPolling := len(got)
		for {
			mu.Lock()
			n := len(got)
			mu.Unlock()
			if n >= total {
				break
			}
			m, err := c.ReadEIO(3 * time.Second)
			if err != nil {
				t.Fatalf("after %d messages: %v", n, err)
			}
			mu.Lock()
			got = append(got, strings.TrimPrefix(m, "4"))
			mu.Unlock()
		}
		<-emitted
		for i, m := range got {
			if m != strconv.Itoa(i+1) {
				t.Fatalf("message %d is %q (lost, duplicated or reordered)", i+1, m)
			}
		}
		if len(got) != total {
			t.Fatalf("%d messages", len(got))
		}
		t.Logf("%d messages via polling, %d via WebSocket", viaPolling, total-viaPolling)
		wsEcho(t, c, "upgraded")
		if !s.Upgraded() {
			t.Fatal("not upgraded")
		}
	})
	t.Run("noop-releases-held-poll", func(t *testing.T) {
		opts := robOptions()
		opts.PingInterval = 5 * time.Second
		rs := startRob(t, opts, nil)
		p := rs.open()
		held := make(chan string, 1)
		go func() {
			_, body, _ := p.Get(context.Background())
			held <- body
		}()
		time.Sleep(50 * time.Millisecond)
		c := rs.wsUpgradeConn(p.SID)
		rs.probe(c)
		select {
		case body := <-held:
			if body != "6" {
				t.Fatalf("held poll released with %q, want noop \"6\"", body)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("held poll not released by the probe")
		}
		c.WriteText("5")
		wsEcho(t, c, "upgraded")
	})
}

// Item 37: an upgrade racing a ping timeout or a close never resurrects
// the session.
func TestRobustD37UpgradeVsClose(t *testing.T) {
	iterations := 300
	if testing.Short() {
		iterations = 50
	}
	// attempt upgrades sid on a fresh connection (probe and "5"); it
	// returns the connection if the server sent a 101.
	attempt := func(rs *robServer, sid string) *testutil.Conn {
		c, err := testutil.Dial(rs.addr)
		if err != nil {
			t.Error(err)
			return nil
		}
		c.Write(testutil.UpgradeRequest(rs.addr, rs.path+"?EIO=4&transport=websocket&sid="+sid, testutil.UpgradeHeaders()))
		res, _, err := c.ReadResponse(2 * time.Second)
		if err != nil || res.StatusCode != 101 {
			c.Close()
			return nil
		}
		c.WriteText("2probe")
		if m, err := c.ReadEIO(time.Second); err == nil && m == "3probe" {
			c.WriteText("5")
		}
		return c
	}
	// settle checks that sid is gone for good and c ends.
	settle := func(rs *robServer, sid string, c *testutil.Conn) {
		timer := time.NewTimer(2 * time.Second)
		defer timer.Stop()
		for {
			cl, ok, wake := rs.rec.get(sid)
			if ok {
				if cl.count != 1 {
					t.Errorf("%s: OnClose called %d times", sid, cl.count)
				}
				break
			}
			select {
			case <-wake:
			case <-timer.C:
				t.Errorf("%s never closed", sid)
				return
			}
		}
		if rs.Socket(sid) != nil {
			t.Errorf("%s resurrected", sid)
		}
		if c != nil {
			// Drain: the client never pongs, so the ws can only end.
			if !c.ExpectEOF(2 * time.Second) {
				t.Errorf("%s: upgrade WebSocket left open", sid)
			}
			c.Close()
		}
	}
	t.Run("ping-timeout", func(t *testing.T) {
		opts := robOptions()
		opts.PingInterval, opts.PingTimeout = 30*time.Millisecond, 20*time.Millisecond
		rs := startRob(t, opts, nil)
		var wg sync.WaitGroup
		jobs := make(chan int)
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range jobs {
					p, err := testutil.OpenPolling(rs.client, rs.base)
					if err != nil {
						t.Error(err)
						return
					}
					time.Sleep(time.Duration(30+rand.IntN(40)) * time.Millisecond) // around the 50 ms timeout
					settle(rs, p.SID, attempt(rs, p.SID))
				}
			}()
		}
		for i := range iterations {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		rs.waitCount(0, 2*time.Second)
	})
	t.Run("client-close", func(t *testing.T) {
		opts := robOptions()
		opts.PingInterval, opts.PingTimeout = 100*time.Millisecond, 100*time.Millisecond
		rs := startRob(t, opts, nil)
		var wg sync.WaitGroup
		jobs := make(chan int)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range jobs {
					p, err := testutil.OpenPolling(rs.client, rs.base)
					if err != nil {
						t.Error(err)
						return
					}
					done := make(chan struct{})
					go func() { p.Post("1"); close(done) }()
					c := attempt(rs, p.SID)
					<-done
					if c != nil && rs.Socket(p.SID) != nil {
						// The upgrade won and the polling close was refused
						// (transport mismatch): close over the WebSocket.
						c.WriteText("1")
					}
					settle(rs, p.SID, c)
				}
			}()
		}
		for i := range iterations {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		rs.waitCount(0, 2*time.Second)
	})
}

// Item 38: out-of-order or interrupted probes.
func TestRobustD38BrokenProbe(t *testing.T) {
	rs := startRob(t, nil, nil)
	g := rs.guard()
	for _, tc := range []struct {
		name string
		run  func(c *testutil.Conn)
	}{
		{"upgrade-before-probe", func(c *testutil.Conn) { c.WriteText("5") }},
		{"probe-twice", func(c *testutil.Conn) { rs.probe(c); c.WriteText("2probe") }},
		{"message-while-probing", func(c *testutil.Conn) { rs.probe(c); c.WriteText("4hello") }},
		{"close-frame-during-probe", func(c *testutil.Conn) { rs.probe(c); c.WriteFrame(testutil.CloseFrame(1000, "")) }},
		{"tcp-close-during-probe", func(c *testutil.Conn) { rs.probe(c); c.Close() }},
		{"close-packet-during-probe", func(c *testutil.Conn) { rs.probe(c); c.WriteText("1") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := rs.open()
			c := rs.wsUpgradeConn(p.SID)
			tc.run(c)
			if !c.ExpectEOF(2 * time.Second) {
				t.Fatal("probing WebSocket not closed")
			}
			s := rs.Socket(p.SID)
			if s == nil {
				t.Fatal("session closed by a broken probe")
			}
			if s.Upgraded() || s.TransportName() != engineio.Polling {
				t.Fatal("session upgraded by a broken probe")
			}
			if err := p.Echo("after-"+tc.name, 2*time.Second); err != nil {
				t.Fatal(err)
			}
			// The upgrade slot is free again (once the server has seen the
			// abort: a client-side close returns before the server reads it).
			for i := 0; ; i++ {
				c, _, err := testutil.DialWebSocket(rs.addr, rs.path+"?EIO=4&transport=websocket&sid="+p.SID, nil)
				if err != nil {
					t.Fatal(err)
				}
				c.WriteText("2probe")
				if m, err := c.ReadEIO(2 * time.Second); err == nil && m == "3probe" {
					p.Get(context.Background())
					c.WriteText("5")
					wsEcho(t, c, "upgraded-later")
					c.Close()
					break
				}
				c.Close()
				if i == 20 {
					t.Fatal("the upgrade slot never freed")
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	g.check("after")
}
