package adapter

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestRoomList checks roomList against a Go map through its moves from
// slice to map and back, and its invariant: a slice of at most listMax,
// or a map of more than listMax/2.
func TestRoomList(t *testing.T) {
	var l roomList
	ref := map[string]bool{}
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, phase := range []struct{ keys, ops, putPct int }{
		{4, 200, 60}, {30, 2000, 70}, {30, 2000, 30}, {30, 500, 0}, {12, 2000, 50},
	} {
		for range phase.ops {
			r := "r" + strconv.Itoa(rnd.IntN(phase.keys))
			if rnd.IntN(100) < phase.putPct {
				if l.put(r) == ref[r] {
					t.Fatalf("put %q: new %v", r, !ref[r])
				}
				ref[r] = true
			} else {
				if l.del(r) != ref[r] {
					t.Fatalf("del %q: had %v", r, ref[r])
				}
				delete(ref, r)
			}
			if l.len() != len(ref) {
				t.Fatalf("len %d, want %d", l.len(), len(ref))
			}
			if l.many != nil && (l.few != nil || l.many.len() <= listMax/2) || l.many == nil && len(l.few) > listMax {
				t.Fatalf("%d listed, %v in a map, %d rooms", len(l.few), l.many != nil, len(ref))
			}
		}
		if got, want := slices.Sorted(l.all), slices.Sorted(maps.Keys(ref)); !slices.Equal(got, want) {
			t.Fatalf("phase %+v: rooms %q, want %q", phase, got, want)
		}
		for r := range ref {
			if !l.has(r) {
				t.Fatalf("has %q: false", r)
			}
		}
		if l.has("none") {
			t.Fatal("has a room never put")
		}
	}
}
