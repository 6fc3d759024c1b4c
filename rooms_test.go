package socketio

// Issue 11 item 9: a million rooms. Joining 1e6 rooms cost 464 B per room
// (Node 235); leaving them held the adapter's lock for 1.3 s, stopping
// every broadcast of the namespace, and 53 MB stayed held afterwards (Go
// maps never shrink). See also adapter.TestMemoryMillionRooms.

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosio/socketio/internal/testutil"
)

// installRoomsApp adds the typical handlers: "join" joins the rooms the
// client names, "shout" broadcasts to a room; both ack.
func installRoomsApp(io *Server) {
	io.OnConnection(func(s *Socket) {
		s.On("join", func(rooms []string, ack func(int)) {
			s.Join(rooms...)
			ack(len(rooms))
		})
		s.On("shout", func(room, msg string, ack func(string)) {
			io.To(room).Emit("shouted", msg)
			ack(msg)
		})
	})
}

// shoutRoundTrip is the honest client's round trip here: it joins "lobby"
// first, then broadcasts to it, and waits for both the broadcast and the
// ack.
func shoutRoundTrip(c *wsConn, i int) error {
	if i == 1 {
		if err := c.write(testutil.OpText, []byte(`420["join",["lobby"]]`)); err != nil {
			return err
		}
		if err := waitMessages(c, "430[1]"); err != nil {
			return err
		}
	}
	msg := fmt.Sprintf("h-%d", i)
	if err := c.write(testutil.OpText, []byte(fmt.Sprintf(`42%d["shout","lobby",%q]`, i, msg))); err != nil {
		return err
	}
	return waitMessages(c, fmt.Sprintf(`42["shouted",%q]`, msg), fmt.Sprintf(`43%d[%q]`, i, msg))
}

// waitMessages reads until every message of want has arrived, in any
// order.
func waitMessages(c *wsConn, want ...string) error {
	left := map[string]bool{}
	for _, w := range want {
		left[w] = true
	}
	for len(left) > 0 {
		msg, _, err := c.recv(honestWait)
		if err != nil {
			return fmt.Errorf("waiting for %q: %w", want, err)
		}
		delete(left, msg)
	}
	return nil
}

// TestMillionRoomsLeave: one connection joins 1e6 rooms (2e5 under the
// race detector) through the app's "join" handler, then leaves. Each room
// costs at most 300 bytes of heap, its name included (before: 464 without
// the name); while it leaves, an honest client's broadcasts to its room
// and their acks are answered (their latencies are logged: before, the
// leave held every broadcast for 1.3 s); afterwards the heap is back
// within 1 MB of where it started (before: 53 MB held).
func TestMillionRoomsLeave(t *testing.T) {
	n := 1_000_000
	if raceEnabled {
		n = 200_000
	}
	const perEvent = 10_000
	opts := robustOptions()
	// The attacker answers pings only while it reads: not while the test
	// measures the heap.
	opts.Engine.PingInterval, opts.Engine.PingTimeout = time.Minute, time.Minute
	e := newEnv(t, opts, installRoomsApp)
	base := e.idle()
	h := startHonest(t, e, shoutRoundTrip)
	h.waitRoundTrips(t, 3)
	heapStart := heapInuse()
	c, _, err := e.connectRaw()
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	heapConn := heapInuse()

	joinStart := time.Now()
	var b strings.Builder
	for k := 0; k < n/perEvent; k++ {
		b.Reset()
		fmt.Fprintf(&b, `42%d["join",[`, k)
		for j := 0; j < perEvent; j++ {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"room-`)
			b.WriteString(strconv.Itoa(k*perEvent + j))
			b.WriteByte('"')
		}
		b.WriteString("]]")
		c.send(t, b.String())
		if err := waitMessages(c, fmt.Sprintf("43%d[%d]", k, perEvent)); err != nil {
			t.Fatal(err)
		}
	}
	joinEnd := time.Now()
	b = strings.Builder{}
	heapJoined := heapInuse()
	perRoom := (int64(heapJoined) - int64(heapConn)) / int64(n)
	rooms := func() int { return len(e.io.Sockets().Adapter().Rooms()) }
	if got := rooms(); got < n {
		t.Fatalf("%d rooms, want at least %d", got, n)
	}

	leaveStart := time.Now()
	c.close()
	// The connection is forgotten once its sockets have left their rooms
	// (cheaper to watch than the rooms themselves).
	waitFor(t, "the connection gone", func() bool {
		e.io.mu.RLock()
		defer e.io.mu.RUnlock()
		return len(e.io.clients) == 1
	})
	leaveEnd := time.Now()
	if got := rooms(); got != 2 { // the honest client's own room and "lobby"
		t.Fatalf("%d rooms left", got)
	}
	h.finish(t,
		honestWindow{"before", time.Time{}, joinStart},
		honestWindow{"while joining", joinStart, joinEnd},
		honestWindow{"while leaving", leaveStart, leaveEnd})
	e.waitState(t, base)
	heapEnd := heapInuse()
	t.Logf("%d rooms: join %v, %d B per room; leave %v; heap after leaving %+d KB",
		n, joinEnd.Sub(joinStart), perRoom, leaveEnd.Sub(leaveStart), (int64(heapEnd)-int64(heapStart))>>10)
	if perRoom > 300 {
		t.Errorf("%d bytes per room, want at most 300", perRoom)
	}
	if d := int64(heapEnd) - int64(heapStart); d > 1<<20 {
		t.Errorf("heap after leaving: %+d KB, want at most 1024", d>>10)
	}
	e.finish(t, base)
}
