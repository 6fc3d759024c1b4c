package client

import (
	"slices"
	"sync"

	"github.com/gosio/socketio/internal/handler"
)

// listeners holds a socket's event listeners, socket.io-client's
// component-emitter with its onAny and onAnyOutgoing lists. Each keeps
// the func it was given, for Listeners and Off (see funcID). Safe for
// concurrent use; the slices it hands out are never modified afterwards.
type listeners struct {
	mu       sync.Mutex
	events   map[string][]eventListener
	incoming []anyListener
	outgoing []outListener
}

type eventListener struct {
	call func(*Event) error
	fn   any
	id   uintptr
	once bool
}

type anyListener struct {
	fn func(*Event)
	id uintptr
}

type outListener struct {
	fn func(event string, args []any)
	id uintptr
}

func (l *listeners) on(event string, fn any, once bool) {
	e := eventListener{call: handler.Compile[*Event](fn), fn: fn, id: funcID(fn), once: once}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.events == nil {
		l.events = make(map[string][]eventListener)
	}
	ls := l.events[event]
	l.events[event] = append(ls[:len(ls):len(ls)], e)
}

// off removes every listener of event (no fns) or, for each fn, the first
// listener registered with it.
func (l *listeners) off(event string, fns []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(fns) == 0 {
		delete(l.events, event)
		return
	}
	ls := slices.Clone(l.events[event])
	for _, fn := range fns {
		id := funcID(fn)
		if i := slices.IndexFunc(ls, func(e eventListener) bool { return id != 0 && e.id == id }); i >= 0 {
			ls = slices.Delete(ls, i, i+1)
		}
	}
	if len(ls) == 0 {
		delete(l.events, event)
	} else {
		l.events[event] = ls
	}
}

// take returns the listeners to call for event, removing the once ones.
func (l *listeners) take(event string) []func(*Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	ls := l.events[event]
	if slices.ContainsFunc(ls, func(e eventListener) bool { return e.once }) {
		rest := slices.DeleteFunc(slices.Clone(ls), func(e eventListener) bool { return e.once })
		if len(rest) == 0 {
			delete(l.events, event)
		} else {
			l.events[event] = rest
		}
	}
	out := make([]func(*Event) error, len(ls))
	for i, e := range ls {
		out[i] = e.call
	}
	return out
}

func (l *listeners) list(event string) []any {
	l.mu.Lock()
	defer l.mu.Unlock()
	ls := l.events[event]
	out := make([]any, len(ls))
	for i, e := range ls {
		out[i] = e.fn
	}
	return out
}

func (l *listeners) onAny(f func(*Event), prepend bool) {
	a := anyListener{fn: f, id: funcID(f)}
	l.mu.Lock()
	defer l.mu.Unlock()
	if prepend {
		l.incoming = append([]anyListener{a}, l.incoming...)
		return
	}
	l.incoming = append(l.incoming[:len(l.incoming):len(l.incoming)], a)
}

func (l *listeners) offAny(fns []func(*Event)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(fns) == 0 {
		l.incoming = nil
		return
	}
	ls := slices.Clone(l.incoming)
	for _, fn := range fns {
		id := funcID(fn)
		if i := slices.IndexFunc(ls, func(a anyListener) bool { return id != 0 && a.id == id }); i >= 0 {
			ls = slices.Delete(ls, i, i+1)
		}
	}
	l.incoming = ls
}

func (l *listeners) anyList() []func(*Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]func(*Event), len(l.incoming))
	for i, a := range l.incoming {
		out[i] = a.fn
	}
	return out
}

func (l *listeners) onAnyOutgoing(f func(string, []any), prepend bool) {
	o := outListener{fn: f, id: funcID(f)}
	l.mu.Lock()
	defer l.mu.Unlock()
	if prepend {
		l.outgoing = append([]outListener{o}, l.outgoing...)
		return
	}
	l.outgoing = append(l.outgoing[:len(l.outgoing):len(l.outgoing)], o)
}

func (l *listeners) offAnyOutgoing(fns []func(string, []any)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(fns) == 0 {
		l.outgoing = nil
		return
	}
	ls := slices.Clone(l.outgoing)
	for _, fn := range fns {
		id := funcID(fn)
		if i := slices.IndexFunc(ls, func(o outListener) bool { return id != 0 && o.id == id }); i >= 0 {
			ls = slices.Delete(ls, i, i+1)
		}
	}
	l.outgoing = ls
}

func (l *listeners) outgoingList() []func(string, []any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]func(string, []any), len(l.outgoing))
	for i, o := range l.outgoing {
		out[i] = o.fn
	}
	return out
}

// notifyOutgoing calls the outgoing catch-all listeners.
func (l *listeners) notifyOutgoing(event string, args []any) {
	l.mu.Lock()
	ls := l.outgoing // copied on write: safe to range unlocked
	l.mu.Unlock()
	for _, o := range ls {
		o.fn(event, args)
	}
}

// anyListeners returns the incoming catch-all listeners (copied on write).
func (l *listeners) anyListeners() []anyListener {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.incoming
}
