package handler

import (
	"slices"
	"sync"
)

// Registry holds a socket's event handlers: per event (with once
// handlers removed as they fire), catch-all handlers for incoming events,
// and catch-all handlers for outgoing ones. Safe for concurrent use; the
// slices it returns are never modified afterwards, so Take hands out an
// event's handlers without copying them.
//
// A socket usually listens to a handful of events: up to maxFew they are
// kept in one slice and found by a scan (a Registry with two handlers of
// two events costs 256 bytes, its struct and compiled callers included,
// where a map made it 544: TestRegistryBytes); past maxFew they move to a
// map, for good.
type Registry[E Call] struct {
	mu       sync.Mutex
	few      []group[E]          // one per event, while events is nil
	events   map[string]group[E] // past maxFew events
	incoming []func(E)
	outgoing []func(event string, args []any)
}

// maxFew is how many events a Registry keeps in its slice: a scan of that
// many is about as fast as a map lookup (BenchmarkTake8, BenchmarkTake50).
const maxFew = 8

// group is the handlers of one event, never empty. Its slices are never
// modified, only replaced: Take returns fns as it is.
type group[E Call] struct {
	event string
	fns   []func(E) error // in the order they were added
	once  *[]bool         // (*once)[i]: fns[i] is removed after one call; nil if none is
}

// find returns the group of event and where it is: its index in r.few,
// or -1 (in the map, or nowhere: then the group is empty). r.mu is held.
func (r *Registry[E]) find(event string) (group[E], int) {
	if r.events != nil {
		return r.events[event], -1
	}
	for i := range r.few {
		if r.few[i].event == event {
			return r.few[i], i
		}
	}
	return group[E]{}, -1
}

// store puts g back where find found it (i), or adds it. r.mu is held.
func (r *Registry[E]) store(g group[E], i int) {
	switch {
	case r.events != nil:
		r.events[g.event] = g
	case i >= 0:
		r.few[i] = g
	case len(r.few) < maxFew:
		r.few = append(r.few, g)
	default:
		r.events = make(map[string]group[E], len(r.few)+1)
		for _, x := range r.few {
			r.events[x.event] = x
		}
		r.events[g.event] = g
		r.few = nil
	}
}

// remove deletes the group of event found at i. r.mu is held.
func (r *Registry[E]) remove(event string, i int) {
	if r.events != nil {
		delete(r.events, event)
	} else if i >= 0 {
		r.few = slices.Delete(r.few, i, i+1)
	}
}

// On compiles fn (see Compile) and adds it for event; with once it is
// removed after its first call. It panics on a signature it cannot call.
func (r *Registry[E]) On(event string, fn any, once bool) {
	f := Compile[E](fn)
	r.mu.Lock()
	defer r.mu.Unlock()
	g, i := r.find(event)
	g.event = event
	if once || g.once != nil {
		flags := make([]bool, len(g.fns), len(g.fns)+1)
		if g.once != nil {
			copy(flags, *g.once)
		}
		flags = append(flags, once)
		g.once = &flags
	}
	g.fns = append(g.fns[:len(g.fns):len(g.fns)], f)
	r.store(g, i)
}

// Off removes every handler of event.
func (r *Registry[E]) Off(event string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if g, i := r.find(event); g.fns != nil {
		r.remove(event, i)
	}
}

// Take returns the handlers to call for event, in the order they were
// added, removing the once ones. The caller must not modify the slice.
func (r *Registry[E]) Take(event string) []func(E) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	g, i := r.find(event)
	if g.once != nil {
		var keep []func(E) error
		for j, f := range g.fns {
			if !(*g.once)[j] {
				keep = append(keep, f)
			}
		}
		if keep == nil {
			r.remove(event, i)
		} else {
			r.store(group[E]{event: event, fns: keep}, i)
		}
	}
	return g.fns
}

// OnAny adds a catch-all handler for incoming events; with prepend it runs
// before those already added.
func (r *Registry[E]) OnAny(f func(E), prepend bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if prepend {
		r.incoming = append([]func(E){f}, r.incoming...)
		return
	}
	r.incoming = append(r.incoming[:len(r.incoming):len(r.incoming)], f)
}

// OffAny removes every incoming catch-all handler.
func (r *Registry[E]) OffAny() {
	r.mu.Lock()
	r.incoming = nil
	r.mu.Unlock()
}

// Any returns the incoming catch-all handlers.
func (r *Registry[E]) Any() []func(E) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.incoming
}

// OnAnyOutgoing adds a catch-all handler for outgoing events.
func (r *Registry[E]) OnAnyOutgoing(f func(event string, args []any)) {
	r.mu.Lock()
	r.outgoing = append(r.outgoing[:len(r.outgoing):len(r.outgoing)], f)
	r.mu.Unlock()
}

// OffAnyOutgoing removes every outgoing catch-all handler.
func (r *Registry[E]) OffAnyOutgoing() {
	r.mu.Lock()
	r.outgoing = nil
	r.mu.Unlock()
}

// Outgoing returns the outgoing catch-all handlers.
func (r *Registry[E]) Outgoing() []func(event string, args []any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.outgoing
}

// NotifyOutgoing calls the outgoing catch-all handlers.
func (r *Registry[E]) NotifyOutgoing(event string, args []any) {
	for _, f := range r.Outgoing() {
		f(event, args)
	}
}
