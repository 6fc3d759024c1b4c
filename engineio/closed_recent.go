package engineio

import (
	"sync"
	"time"
)

// recentCloses remembers, for a moment, the sessions a client closed over
// polling while no poll was held (see Server.rememberClientClose). Entries
// live grace and are kept in the order they were added, which is their
// time order, so expiring them costs only the expired ones: remember and
// take are constant time (amortized), whatever the number remembered. At
// most max are kept; past it the oldest goes first.
//
// It has its own lock, taken after a session's lock and never with the
// server's.
type recentCloses struct {
	grace time.Duration
	max   int

	mu    sync.Mutex
	at    map[string]time.Time // sid -> when remembered; taken entries are deleted
	order []recentClose        // oldest first, from head on
	head  int
}

type recentClose struct {
	sid string
	at  time.Time
}

// remember records that the client closed sid at now.
func (r *recentCloses) remember(sid string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expireLocked(now)
	if len(r.order)-r.head >= r.max {
		r.dropOldestLocked()
	}
	if r.at == nil {
		r.at = make(map[string]time.Time)
	}
	r.at[sid] = now
	r.order = append(r.order, recentClose{sid, now})
}

// take reports, once, whether sid was remembered within grace of now.
func (r *recentCloses) take(sid string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expireLocked(now)
	t, ok := r.at[sid]
	if ok {
		delete(r.at, sid)
	}
	return ok && now.Sub(t) <= r.grace
}

// len returns the number of entries held, taken ones included until they
// expire.
func (r *recentCloses) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.order) - r.head
}

// expireLocked drops the entries older than grace.
func (r *recentCloses) expireLocked(now time.Time) {
	for r.head < len(r.order) && now.Sub(r.order[r.head].at) > r.grace {
		r.dropOldestLocked()
	}
}

// dropOldestLocked drops the oldest entry. The array is compacted once
// half of it is dropped entries, and released when empty, so memory
// follows what is held.
func (r *recentCloses) dropOldestLocked() {
	e := &r.order[r.head]
	if t, ok := r.at[e.sid]; ok && t.Equal(e.at) {
		delete(r.at, e.sid)
	}
	*e = recentClose{}
	r.head++
	switch n := len(r.order) - r.head; {
	case n == 0:
		r.order, r.head = nil, 0
		r.at = nil // a map keeps its buckets after deletes
	case r.head > n && r.head >= 64:
		m := copy(r.order, r.order[r.head:])
		clear(r.order[m:])
		r.order, r.head = r.order[:m], 0
	}
}
