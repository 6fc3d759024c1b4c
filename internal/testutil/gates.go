package testutil

import (
	"log"
	"runtime"
	"strings"
	"sync"
)

// HeapInuse returns runtime.MemStats.HeapInuse after two garbage
// collections, for the memory gate: compare it before and after a flood.
func HeapInuse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// HeapAlloc returns runtime.MemStats.HeapAlloc (the bytes of live and
// not yet swept objects) after two garbage collections: compare it before
// and after making n objects for their bytes each.
func HeapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TotalAlloc returns runtime.MemStats.TotalAlloc, the cumulative bytes
// allocated: the difference across an attack shows whether the server read
// (and buffered) more than its limit, even if it was freed since.
func TotalAlloc() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// LogWatch collects the lines of a *log.Logger, such as
// http.Server.ErrorLog, so a test can check that net/http recovered no
// handler panic ("http: panic serving ...").
type LogWatch struct {
	mu    sync.Mutex
	lines []string
}

// Logger returns a logger writing to w.
func (w *LogWatch) Logger() *log.Logger { return log.New(w, "", 0) }

func (w *LogWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.lines = append(w.lines, string(p))
	w.mu.Unlock()
	return len(p), nil
}

// Matching returns the collected lines containing substr.
func (w *LogWatch) Matching(substr string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, l := range w.lines {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}
