package engineio

import (
	"strconv"
	"testing"
	"time"
)

func TestRecentClosesTakeOnceWithinGrace(t *testing.T) {
	r := recentCloses{grace: time.Second, max: 10}
	t0 := time.Unix(1000, 0)
	r.remember("a", t0)
	r.remember("b", t0.Add(100*time.Millisecond))
	if !r.take("a", t0.Add(time.Second)) {
		t.Fatal("a not found within the grace")
	}
	if r.take("a", t0.Add(time.Second)) {
		t.Fatal("a taken twice")
	}
	if r.take("b", t0.Add(1200*time.Millisecond)) {
		t.Fatal("b found after its grace")
	}
	if r.take("never", t0) {
		t.Fatal("an unknown sid found")
	}
}

func TestRecentClosesBounded(t *testing.T) {
	const max = 100
	r := recentCloses{grace: time.Second, max: max}
	t0 := time.Unix(1000, 0)
	// Three times the bound within one grace period: the oldest go.
	for i := range 3 * max {
		r.remember(strconv.Itoa(i), t0.Add(time.Duration(i)*time.Microsecond))
		if n := r.len(); n > max {
			t.Fatalf("%d entries held, bound %d", n, max)
		}
	}
	if len(r.at) != max {
		t.Fatalf("map holds %d entries, want %d", len(r.at), max)
	}
	now := t0.Add(time.Millisecond)
	if r.take("0", now) || r.take(strconv.Itoa(2*max-1), now) {
		t.Fatal("an evicted entry was found")
	}
	if !r.take(strconv.Itoa(3*max-1), now) || !r.take(strconv.Itoa(2*max), now) {
		t.Fatal("a recent entry was evicted")
	}
	if cap(r.order) > 4*max {
		t.Fatalf("order array of %d entries for %d held", cap(r.order), r.len())
	}
	// After the grace, the next call expires everything before it.
	later := t0.Add(2 * time.Second)
	r.remember("new", later)
	if n := r.len(); n != 1 || len(r.at) != 1 {
		t.Fatalf("after the grace: %d entries, map %d; want 1, 1", n, len(r.at))
	}
	// Once nothing is held, nothing is kept.
	r.take("new", later.Add(2*time.Second))
	if r.order != nil || r.at != nil {
		t.Fatalf("empty but holding arrays: order cap %d, map %v", cap(r.order), r.at)
	}
}

// TestRecentClosesHoldsNoExpiredSID checks that compaction and expiry
// clear the dropped entries' strings.
func TestRecentClosesHoldsNoExpiredSID(t *testing.T) {
	r := recentCloses{grace: time.Millisecond, max: 1000}
	t0 := time.Unix(1000, 0)
	for i := range 500 {
		r.remember(strconv.Itoa(i), t0.Add(time.Duration(i)*time.Millisecond))
	}
	for i, e := range r.order[:cap(r.order)] {
		if i < r.head || i >= len(r.order) {
			if e.sid != "" {
				t.Fatalf("dropped slot %d still holds sid %q", i, e.sid)
			}
		}
	}
}

// BenchmarkRememberClientClose is the cost of one client close remembered
// while n others are (the issue-11 loop of handshake then POST "1"): flat
// in n. Each iteration remembers one sid and takes it back, so n stays.
func BenchmarkRememberClientClose(b *testing.B) {
	for _, n := range []int{10, 1000, 9999} {
		b.Run("remembered="+strconv.Itoa(n), func(b *testing.B) {
			srv := NewServer(nil)
			for i := range n {
				srv.rememberClientClose("old" + strconv.Itoa(i))
			}
			ids := make([]string, 1024)
			for i := range ids {
				ids[i] = "sid" + strconv.Itoa(i)
			}
			i := 0
			for b.Loop() {
				id := ids[i%len(ids)]
				srv.rememberClientClose(id)
				srv.takeClosedByClient(id)
				i++
			}
		})
	}
}
