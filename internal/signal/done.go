package signal

import "sync"

// closed is returned by Chan after Close when no channel was made.
var closed = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// Done is a channel closed once, made on the first Chan call. The zero
// value is ready to use; it must not be copied after first use. Safe from
// any goroutine.
type Done struct {
	mu     sync.Mutex
	ch     chan struct{}
	closed bool
}

// Chan returns a channel that is closed when Close has been called.
func (d *Done) Chan() <-chan struct{} {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ch == nil {
		if d.closed {
			return closed
		}
		d.ch = make(chan struct{})
	}
	return d.ch
}

// Close closes the channel; later calls do nothing.
func (d *Done) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return
	}
	d.closed = true
	if d.ch != nil {
		close(d.ch)
	}
}
