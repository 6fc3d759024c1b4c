package handler

import (
	"slices"
	"sync"
)

// Registry holds a socket's event handlers: per event (with once
// handlers removed as they fire), catch-all handlers for incoming events,
// and catch-all handlers for outgoing ones. Safe for concurrent use; the
// slices it returns are never modified afterwards.
//
// A socket usually has a handful of handlers: up to maxFew they are kept
// in one slice, in the order they were added, and found by a scan (two
// handlers cost 64 bytes, where a map cost over 400); past maxFew they
// move to a map by event, for good.
type Registry[E Call] struct {
	mu       sync.Mutex
	few      []entry[E]            // every handler, while events is nil
	events   map[string][]entry[E] // past maxFew handlers: by event
	incoming []func(E)
	outgoing []func(event string, args []any)
}

// maxFew is how many handlers a Registry keeps in its slice: a scan of
// that many events is about as fast as a map lookup
// (BenchmarkTake8, BenchmarkTake50).
const maxFew = 8

type entry[E Call] struct {
	event string
	fn    func(E) error
	once  bool
}

// On compiles fn (see Compile) and adds it for event; with once it is
// removed after its first call. It panics on a signature it cannot call.
func (r *Registry[E]) On(event string, fn any, once bool) {
	e := entry[E]{event: event, fn: Compile[E](fn), once: once}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.events == nil {
		if len(r.few) < maxFew {
			r.few = append(r.few, e)
			return
		}
		r.events = make(map[string][]entry[E])
		for _, x := range r.few {
			r.events[x.event] = append(r.events[x.event], x)
		}
		r.few = nil
	}
	ls := r.events[event]
	r.events[event] = append(ls[:len(ls):len(ls)], e)
}

// Off removes every handler of event.
func (r *Registry[E]) Off(event string) {
	r.mu.Lock()
	if r.events == nil {
		r.few = slices.DeleteFunc(r.few, func(x entry[E]) bool { return x.event == event })
	} else {
		delete(r.events, event)
	}
	r.mu.Unlock()
}

// Take returns the handlers to call for event, in the order they were
// added, removing the once ones.
func (r *Registry[E]) Take(event string) []func(E) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.events == nil {
		return r.takeFew(event)
	}
	ls := r.events[event]
	if slices.ContainsFunc(ls, func(e entry[E]) bool { return e.once }) {
		r.events[event] = slices.DeleteFunc(slices.Clone(ls), func(e entry[E]) bool { return e.once })
	}
	out := make([]func(E) error, len(ls))
	for i, e := range ls {
		out[i] = e.fn
	}
	return out
}

// takeFew is Take while the handlers are in r.few; r.mu is held.
func (r *Registry[E]) takeFew(event string) []func(E) error {
	n, once := 0, false
	for i := range r.few {
		if r.few[i].event == event {
			n++
			once = once || r.few[i].once
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]func(E) error, 0, n)
	for i := range r.few {
		if r.few[i].event == event {
			out = append(out, r.few[i].fn)
		}
	}
	if once {
		r.few = slices.DeleteFunc(r.few, func(x entry[E]) bool { return x.once && x.event == event })
	}
	return out
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
