package adapter

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/gosio/socketio/internal/testutil"
)

// benchMembershipBytes reports the memory Memory keeps per socket for
// 5,000 sockets each joining its own room and the given extra rooms
// (shared by all): B/socket, retained after a GC, the sockets and their
// ids not counted. Run it with -benchtime=1x.
func benchMembershipBytes(b *testing.B, shared ...string) {
	const n = 5_000
	socks := make([]*fakeSocket, n)
	for i := range socks {
		socks[i] = &fakeSocket{id: "sock-" + strconv.Itoa(i)}
	}
	var perSocket float64
	for b.Loop() {
		m := NewMemory(fakeNsp{})
		before := testutil.HeapAlloc()
		for _, s := range socks {
			m.AddAll(s, s.id)
			if len(shared) > 0 {
				m.AddAll(s, shared...)
			}
		}
		after := testutil.HeapAlloc()
		perSocket = float64(int64(after)-int64(before)) / n
		runtime.KeepAlive(m)
	}
	b.ReportMetric(perSocket, "B/socket")
}

// BenchmarkSocketMembershipBytes: a socket in its own room only, as
// every socket of bench/server.
func BenchmarkSocketMembershipBytes(b *testing.B) { benchMembershipBytes(b) }

// BenchmarkSocketMembershipBytesPlusRoom: its own room and one room
// shared by all.
func BenchmarkSocketMembershipBytesPlusRoom(b *testing.B) { benchMembershipBytes(b, "lobby") }

// TestMemoryOwnRoomBytes (issue 17): a socket in its own room only costs
// the adapter at most 128 bytes (453 when the own room was a room entry
// with a set of its own, plus the socket's set of rooms).
func TestMemoryOwnRoomBytes(t *testing.T) {
	const n = 5_000
	socks := make([]*fakeSocket, n)
	for i := range socks {
		socks[i] = &fakeSocket{id: "sock-" + strconv.Itoa(i)}
	}
	m := NewMemory(fakeNsp{})
	before := testutil.HeapAlloc()
	for _, s := range socks {
		m.AddAll(s, s.id)
	}
	per := (int64(testutil.HeapAlloc()) - int64(before)) / n
	runtime.KeepAlive(m)
	t.Logf("%d bytes per socket in its own room", per)
	if per > 128 {
		t.Errorf("%d bytes per socket in its own room, want at most 128", per)
	}
	checkConsistent(t, m)
}
