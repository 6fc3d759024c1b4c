package adapter

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestMemoryAgainstModel drives a Memory with random joins and leaves
// (AddAll, Del, DelAll, AddSockets, DelSockets) over room names that are
// also socket ids, so that sockets join their own rooms and each other's,
// with few rooms per socket and with more than listMax, and checks after
// every step, against plain sets: Rooms, SocketRooms
// (nil for an unknown socket), Sockets selected by random rooms and
// exceptions, and the RoomObserver's join and leave reports.
func TestMemoryAgainstModel(t *testing.T) {
	for _, others := range []int{2, 3 * listMax} {
		names := []string{"a", "b", "c", "d"}
		for i := range others {
			names = append(names, "r"+strconv.Itoa(i))
		}
		t.Run(strconv.Itoa(len(names))+" rooms", func(t *testing.T) { testMemoryAgainstModel(t, names) })
	}
}

func testMemoryAgainstModel(t *testing.T, names []string) {
	ids := []string{"a", "b", "c", "d"}
	many := len(names) > listMax
	nsp := &observedNsp{}
	m := NewMemory(nsp)
	nsp.m = m
	known := map[string]map[string]bool{} // socket id -> its rooms, while in sids
	var changes []string
	join := func(id, r string) {
		if !known[id][r] {
			known[id][r] = true
			changes = append(changes, "join "+r+" "+id)
		}
	}
	leave := func(id, r string) {
		if known[id][r] {
			delete(known[id], r)
			changes = append(changes, "leave "+r+" "+id)
		}
	}
	pick := func(rnd *rand.Rand, from []string, max int) []string {
		var out []string
		for range rnd.IntN(max + 1) {
			out = append(out, from[rnd.IntN(len(from))])
		}
		return out
	}
	selected := func(opts BroadcastOptions) []string {
		var out []string
		for id, rooms := range known {
			in := len(opts.Rooms) == 0
			for _, r := range opts.Rooms {
				in = in || rooms[r]
			}
			for _, r := range opts.Except {
				in = in && !rooms[r]
			}
			if in {
				out = append(out, id)
			}
		}
		slices.Sort(out)
		return out
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	for step := range 5000 {
		id := ids[rnd.IntN(len(ids))]
		opts := BroadcastOptions{Rooms: pick(rnd, names, 2), Except: pick(rnd, names, 1)}
		var op string
		switch k := rnd.IntN(10); {
		case k < 4:
			rooms := pick(rnd, names, 3)
			if many {
				rooms = pick(rnd, names, 12)
			}
			if rnd.IntN(2) == 0 {
				rooms = append(rooms, id)
			}
			op = fmt.Sprintf("AddAll(%s, %q)", id, rooms)
			if known[id] == nil {
				known[id] = map[string]bool{}
			}
			for _, r := range rooms {
				join(id, r)
			}
			m.AddAll(&fakeSocket{id: id}, rooms...)
		case k < 6:
			r := names[rnd.IntN(len(names))]
			op = fmt.Sprintf("Del(%s, %s)", id, r)
			leave(id, r)
			m.Del(id, r)
		case k < 7:
			op = fmt.Sprintf("DelAll(%s)", id)
			for r := range known[id] {
				leave(id, r)
			}
			delete(known, id)
			m.DelAll(id)
		case k < 9:
			rooms := pick(rnd, names, 2)
			op = fmt.Sprintf("AddSockets(%+v, %q)", opts, rooms)
			for _, s := range selected(opts) {
				for _, r := range rooms {
					join(s, r)
				}
			}
			m.AddSockets(opts, rooms)
		default:
			rooms := pick(rnd, names, 2)
			op = fmt.Sprintf("DelSockets(%+v, %q)", opts, rooms)
			for _, s := range selected(opts) {
				for _, r := range rooms {
					leave(s, r)
				}
			}
			m.DelSockets(opts, rooms)
		}
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("step %d, after %s: %s", step, op, fmt.Sprintf(format, args...))
		}
		slices.Sort(changes)
		if got := nsp.take(); !slices.Equal(got, changes) {
			fail("reported %q, want %q", got, changes)
		}
		changes = changes[:0]
		var wantRooms []string
		for _, rooms := range known {
			wantRooms = append(wantRooms, slices.Collect(maps.Keys(rooms))...)
		}
		slices.Sort(wantRooms)
		wantRooms = slices.Compact(wantRooms)
		if got := slices.Sorted(slices.Values(m.Rooms())); !slices.Equal(got, wantRooms) {
			fail("Rooms %q, want %q", got, wantRooms)
		}
		for _, s := range ids {
			got := m.SocketRooms(s)
			want := slices.Sorted(maps.Keys(known[s]))
			if (got == nil) != (known[s] == nil) || !slices.Equal(slices.Sorted(slices.Values(got)), want) {
				fail("SocketRooms(%s) %q, want %q (known %v)", s, got, want, known[s] != nil)
			}
		}
		for range 3 {
			sel := BroadcastOptions{Rooms: pick(rnd, names, 2), Except: pick(rnd, names, 2)}
			got := m.Sockets(sel)
			if slices.Sort(got); !slices.Equal(got, selected(sel)) {
				fail("Sockets(%+v) %q, want %q", sel, got, selected(sel))
			}
		}
		checkConsistent(t, m)
	}
}
