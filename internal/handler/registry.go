package handler

import (
	"slices"
	"sync"
)

// Registry holds a socket's event handlers: per event (with once
// handlers removed as they fire), catch-all handlers for incoming events,
// and catch-all handlers for outgoing ones. Safe for concurrent use; the
// slices it returns are never modified afterwards.
type Registry[E Call] struct {
	mu       sync.Mutex
	events   map[string][]entry[E]
	incoming []func(E)
	outgoing []func(event string, args []any)
}

type entry[E Call] struct {
	fn   func(E) error
	once bool
}

// On compiles fn (see Compile) and adds it for event; with once it is
// removed after its first call. It panics on a signature it cannot call.
func (r *Registry[E]) On(event string, fn any, once bool) {
	e := entry[E]{fn: Compile[E](fn), once: once}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.events == nil {
		r.events = make(map[string][]entry[E])
	}
	ls := r.events[event]
	r.events[event] = append(ls[:len(ls):len(ls)], e)
}

// Off removes every handler of event.
func (r *Registry[E]) Off(event string) {
	r.mu.Lock()
	delete(r.events, event)
	r.mu.Unlock()
}

// Take returns the handlers to call for event, removing the once ones.
func (r *Registry[E]) Take(event string) []func(E) error {
	r.mu.Lock()
	defer r.mu.Unlock()
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
