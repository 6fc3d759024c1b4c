// Package dispatch delivers a connection's events to its handler with the
// guarantees engineio.Handler documents: calls never overlap, messages
// arrive in order, and the close is delivered exactly once, after the last
// message, whichever goroutine notices it.
package dispatch

import (
	"github.com/gosio/socketio/engineio/session"
	"sync"
	"sync/atomic"
)

// Handler is the receiver.
type Handler = session.Handler

// Dispatcher serializes calls to a Handler. The zero value is ready; set
// the handler with Set.
type Dispatcher struct {
	mu       sync.Mutex // held while a handler runs
	h        Handler
	once     sync.Once
	closing  atomic.Bool
	reason   string
	err      error
	notified bool
}

// Set sets the handler; messages delivered while none is set are dropped,
// but a close signalled before is delivered to it. It must not be called
// from a handler.
func (d *Dispatcher) Set(h Handler) {
	d.mu.Lock()
	d.h = h
	d.mu.Unlock()
	d.deliverClose()
}

// Message delivers one message unless the close was already signalled.
// The reader of one connection calls it; it may block while the handler
// runs.
func (d *Dispatcher) Message(data []byte, binary bool) {
	d.mu.Lock()
	if !d.closing.Load() && d.h != nil {
		d.h.OnMessage(data, binary)
	}
	d.mu.Unlock()
	d.deliverClose()
}

// Close signals the close; only the first call counts. OnClose runs now if
// no handler call is in progress, otherwise right after it returns (also
// when the handler itself caused the close).
func (d *Dispatcher) Close(reason string, err error) {
	d.once.Do(func() {
		d.reason, d.err = reason, err
		d.closing.Store(true)
	})
	d.deliverClose()
}

func (d *Dispatcher) deliverClose() {
	if !d.closing.Load() || !d.mu.TryLock() {
		return
	}
	if !d.notified && d.h != nil {
		d.notified = true
		d.h.OnClose(d.reason, d.err)
	}
	d.mu.Unlock()
}
