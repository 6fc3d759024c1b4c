package engineio_test

// Issue 11 item 3: buffers sized from lengths the client declares. A
// WebSocket frame header or a polling Content-Length declaring 999000
// bytes, followed by a few bytes and a stall, must cost about what was
// sent, not what was declared.

import (
	"bytes"
	"testing"
	"time"

	"github.com/gosio/socketio/internal/testutil"
)

func TestRobustStalledDeclaredLengths(t *testing.T) {
	const (
		conns    = 100    // of each kind: 200 stalled connections
		declared = 999000 // bytes announced, under maxHttpBufferSize
		sent     = 100    // bytes actually sent
		// perConn bounds the heap one stalled connection may hold: its
		// session, goroutines' bookkeeping, net/http's buffers and the
		// payload buffer grown to what arrived. Sized from declared
		// lengths, it would be about 1 MB.
		perConn = 32 << 10
	)
	opts := robOptions()
	// No heartbeat may close the stalled sessions while they are measured.
	opts.PingInterval, opts.PingTimeout = 10*time.Second, 10*time.Second
	rs := startRob(t, opts, nil)
	g := rs.guard()
	heap0 := testutil.HeapInuse()

	var attack []*testutil.Conn
	for range conns {
		c, _ := rs.wsOpen()
		frame := testutil.AppendFrame(nil, testutil.Frame{Fin: true, Op: testutil.OpBinary, Payload: bytes.Repeat([]byte{1}, sent), OverrideLen: true, DeclaredLen: declared})
		if _, err := c.Write(frame); err != nil {
			t.Fatal(err)
		}
		c.R = nil // the test's own 64 KiB read buffer is not the server's heap
		attack = append(attack, c)
	}
	var sids []string
	for range conns {
		p := rs.open()
		c := rs.dial()
		head := rs.postHead(p.SID, declared, nil)
		if _, err := c.Write(append(head, bytes.Repeat([]byte("a"), sent)...)); err != nil {
			t.Fatal(err)
		}
		c.R = nil
		attack = append(attack, c)
		sids = append(sids, p.SID)
	}
	// The honest client is answered while every attacker stalls; its
	// round trips also let the server read what the attackers sent.
	g.check("during")
	time.Sleep(100 * time.Millisecond)
	g.check("during-2")
	during := int64(testutil.HeapInuse()) - int64(heap0)
	t.Logf("heap during the attack: %+d bytes for %d stalled connections (%d per connection)", during, 2*conns, during/(2*conns))
	if limit := int64(2 * conns * perConn); during > limit {
		t.Fatalf("heap grew by %d bytes with %d stalled connections, bound %d (%d per connection): buffers follow the declared lengths", during, 2*conns, limit, perConn)
	}
	for _, sid := range sids {
		if rs.isClosed(sid) {
			t.Fatalf("stalled polling session %s closed early", sid)
		}
	}

	for _, c := range attack {
		c.Close()
	}
	attack = nil
	rs.waitCount(1, 5*time.Second) // the guard's session only
	g.check("after")
	// The handshakes' keep-alive connections (client and server buffers)
	// are not the attack's.
	rs.client.CloseIdleConnections()
	time.Sleep(50 * time.Millisecond)
	after := int64(testutil.HeapInuse()) - int64(heap0)
	t.Logf("heap after the attack: %+d bytes", after)
	// Page-granular and fragmented after 200 connections: a bound that
	// shows nothing of the attack is kept, not an exact zero.
	if after > 4<<20 {
		t.Fatalf("heap grew by %d bytes after the attack ended, bound %d", after, 4<<20)
	}
}

// TestReadBodyGrowsWithArrivingBytes checks the same through a complete,
// honest exchange: bodies and messages of every size still arrive whole.
func TestReadBodyGrowsWithArrivingBytes(t *testing.T) {
	opts := robOptions()
	opts.PingInterval, opts.PingTimeout = 10*time.Second, 10*time.Second // the WebSocket is read only between echoes
	rs := startRob(t, opts, nil)
	p := rs.open()
	c, _ := rs.wsOpen()
	for _, n := range []int{0, 1, 511, 512, 513, 4096, 70000, 999_000} {
		msg := string(bytes.Repeat([]byte("m"), n))
		if err := p.Echo(msg, 5*time.Second); err != nil {
			t.Fatalf("polling echo of %d bytes: %v", n, err)
		}
		if err := c.WriteText("4" + msg); err != nil {
			t.Fatal(err)
		}
		got, err := c.ReadEIO(5 * time.Second)
		if err != nil || got != "4"+msg {
			t.Fatalf("websocket echo of %d bytes: got %d bytes, %v", n, len(got), err)
		}
	}
}
