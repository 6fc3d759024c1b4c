package handler

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/gosio/socketio/internal/testutil"
)

// ev is the smallest Call, for registry benchmarks.
type ev struct{}

func (ev) Len() int              { return 0 }
func (ev) Decode(int, any) error { return ErrNoArgument }
func (ev) Values() []any         { return nil }
func (ev) Ack(...any) error      { return nil }
func (ev) EventName() string     { return "ev" }
func nop(*ev)                    {}

// BenchmarkRegistryBytes reports the memory a socket's registry keeps
// with two event handlers (bench/server's "echo" and "broadcast"), the
// Registry struct (a field of Socket) and the compiled callers included:
// B/socket, retained after a GC. Run it with
// -benchtime=1x: each op builds 5,000 registries.
func BenchmarkRegistryBytes(b *testing.B) {
	const n = 5_000
	var perSocket float64
	for b.Loop() {
		regs := make([]*Registry[*ev], n)
		before := testutil.HeapAlloc()
		for i := range regs {
			regs[i] = new(Registry[*ev])
			regs[i].On("echo", nop, false)
			regs[i].On("broadcast", nop, false)
		}
		after := testutil.HeapAlloc()
		perSocket = float64(int64(after)-int64(before)) / n
		runtime.KeepAlive(regs)
	}
	b.ReportMetric(perSocket, "B/socket")
}

// benchTake measures dispatch: Take of one event of a registry holding
// handlers for n events, for each event in turn (the average lookup).
func benchTake(b *testing.B, n int) {
	var r Registry[*ev]
	names := make([]string, n)
	for i := range names {
		names[i] = "event-" + strconv.Itoa(i)
		r.On(names[i], nop, false)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if len(r.Take(names[i])) != 1 {
			b.Fatal("no handler")
		}
		if i++; i == n {
			i = 0
		}
	}
}

func BenchmarkTake2(b *testing.B)  { benchTake(b, 2) }
func BenchmarkTake8(b *testing.B)  { benchTake(b, 8) }
func BenchmarkTake50(b *testing.B) { benchTake(b, 50) }

// BenchmarkTakeMiss: an event no handler listens to, on a registry of 2.
func BenchmarkTakeMiss(b *testing.B) {
	var r Registry[*ev]
	r.On("echo", nop, false)
	r.On("broadcast", nop, false)
	b.ReportAllocs()
	for b.Loop() {
		if len(r.Take("other")) != 0 {
			b.Fatal("a handler")
		}
	}
}
