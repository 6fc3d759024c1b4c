package signal

import "sync/atomic"

// closed is returned by Chan after Close when no channel was made; its
// address also marks a closed Done.
var closed = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Done is a channel closed once, made on the first Chan call. The zero
// value is ready to use (8 bytes); it must not be copied after first use.
// Safe from any goroutine.
type Done struct {
	// p is nil (open, no channel yet), &closed (closed), or the
	// channel made by Chan.
	p atomic.Pointer[chan struct{}]
}

// Chan returns a channel that is closed when Close has been called.
func (d *Done) Chan() <-chan struct{} {
	for {
		if p := d.p.Load(); p != nil {
			return *p
		}
		ch := make(chan struct{})
		if d.p.CompareAndSwap(nil, &ch) {
			return ch
		}
	}
}

// Close closes the channel; later calls do nothing.
func (d *Done) Close() {
	if p := d.p.Swap(&closed); p != nil && p != &closed {
		close(*p)
	}
}
