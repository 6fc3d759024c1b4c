package adapter

import (
	"slices"
	"sync"
	"testing"
)

// observedNsp is a Namespace that observes rooms (RoomObserver); its hook
// can be switched off.
type observedNsp struct {
	fakeNsp
	mu      sync.Mutex
	off     bool
	changes []string
	m       *Memory // the hook reads the adapter: its lock must be free
}

func (n *observedNsp) RoomHook() func(room, id string, joined bool) {
	if n.off {
		return nil
	}
	return func(room, id string, joined bool) {
		verb := "leave"
		if joined {
			verb = "join"
		}
		n.m.SocketRooms(id) // deadlocks if called under the adapter's lock
		n.mu.Lock()
		n.changes = append(n.changes, verb+" "+room+" "+id)
		n.mu.Unlock()
	}
}

func (n *observedNsp) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.changes
	n.changes = nil
	slices.Sort(out)
	return out
}

// TestRoomObserver: every membership change is reported once, after the
// lock is released; a join to a room the socket is in, or a leave of one
// it is not in, is not a change; a nil hook reports nothing.
func TestRoomObserver(t *testing.T) {
	nsp := &observedNsp{}
	m := NewMemory(nsp)
	nsp.m = m
	a, b := &fakeSocket{id: "a"}, &fakeSocket{id: "b"}
	check := func(step string, want ...string) {
		t.Helper()
		if got := nsp.take(); !slices.Equal(got, want) {
			t.Errorf("%s: changes %q, want %q", step, got, want)
		}
	}
	m.AddAll(a, "a", "r1")
	m.AddAll(b, "b")
	check("AddAll", "join a a", "join b b", "join r1 a")
	m.AddAll(a, "r1")
	check("AddAll again")
	m.AddSockets(BroadcastOptions{}, []string{"r1", "r2"})
	check("AddSockets", "join r1 b", "join r2 a", "join r2 b")
	m.DelSockets(BroadcastOptions{Rooms: []string{"b"}}, []string{"r2", "nope"})
	check("DelSockets", "leave r2 b")
	m.Del("a", "r2")
	m.Del("a", "r2")
	check("Del", "leave r2 a")
	m.DelAll("b")
	check("DelAll", "leave b b", "leave r1 b")
	nsp.off = true
	m.DelAll("a")
	check("no hook")
}
