package engineio

import "sync"

// buffer is a pooled byte slice for encoding responses and frames.
type buffer struct{ b []byte }

const maxPooledBuffer = 64 << 10

var bufferPool = sync.Pool{New: func() any { return &buffer{b: make([]byte, 0, 2048)} }}

// getBuffer returns a buffer with capacity for at least n bytes.
func getBuffer(n int) *buffer {
	b := bufferPool.Get().(*buffer)
	if cap(b.b) < n {
		b.b = make([]byte, 0, n)
	}
	return b
}

// putBuffer returns b to the pool unless it grew too large to keep.
func putBuffer(b *buffer) {
	if cap(b.b) > maxPooledBuffer {
		return
	}
	b.b = b.b[:0]
	bufferPool.Put(b)
}
