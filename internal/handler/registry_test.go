package handler

import (
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"github.com/gosio/socketio/internal/testutil"
)

// TestRegistryAgainstModel drives a Registry with random On, Once, Off and
// Take, over few events (the slice) and many (past maxFew: the map, and
// the move to it), and checks every Take against a plain model: the
// handlers of the event, in the order they were added, once ones gone
// after one Take; and a slice Take returned never changes afterwards.
func TestRegistryAgainstModel(t *testing.T) {
	type h struct {
		id   int
		once bool
	}
	for _, events := range []int{1, 3, maxFew, 5 * maxFew} {
		rnd := rand.New(rand.NewPCG(uint64(events), 7))
		var r Registry[*ev]
		model := map[string][]h{}
		var called []int
		next := 0
		type taken struct{ got, copy []func(*ev) error }
		var returned []taken
		for step := range 3000 {
			name := "e" + strconv.Itoa(rnd.IntN(events))
			switch op := rnd.IntN(10); {
			case op < 4:
				id, once := next, rnd.IntN(3) == 0
				next++
				r.On(name, func(*ev) { called = append(called, id) }, once)
				model[name] = append(model[name], h{id, once})
			case op < 5:
				r.Off(name)
				delete(model, name)
			default:
				called = called[:0]
				fns := r.Take(name)
				if len(returned) == 20 { // the latest are the likeliest to change
					returned = returned[1:]
				}
				returned = append(returned, taken{fns, slices.Clone(fns)})
				for _, fn := range fns {
					if err := fn(&ev{}); err != nil {
						t.Fatal(err)
					}
				}
				var want []int
				for _, x := range model[name] {
					want = append(want, x.id)
				}
				if !slices.Equal(called, want) {
					t.Fatalf("%d events, step %d: Take(%q) called %v, want %v", events, step, name, called, want)
				}
				model[name] = slices.DeleteFunc(model[name], func(x h) bool { return x.once })
			}
			for _, x := range returned {
				for j := range x.got {
					if reflect.ValueOf(x.got[j]).Pointer() != reflect.ValueOf(x.copy[j]).Pointer() {
						t.Fatalf("%d events, step %d: a slice Take returned changed", events, step)
					}
				}
			}
		}
	}
}

// TestRegistryBytes (issue 17): a registry with two event handlers, its
// struct and the compiled callers included, costs at most 288 bytes (544
// with a map per socket).
func TestRegistryBytes(t *testing.T) {
	const n = 5_000
	regs := make([]*Registry[*ev], n)
	before := testutil.HeapAlloc()
	for i := range regs {
		regs[i] = new(Registry[*ev])
		regs[i].On("echo", nop, false)
		regs[i].On("broadcast", nop, false)
	}
	per := (int64(testutil.HeapAlloc()) - int64(before)) / n
	runtime.KeepAlive(regs)
	t.Logf("%d bytes per registry of two handlers", per)
	if per > 288 {
		t.Errorf("%d bytes per registry of two handlers, want at most 288", per)
	}
}
