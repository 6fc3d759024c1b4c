package engineio

import (
	"io"
	"slices"
	"sync"
)

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

// minGrow is the first step of a buffer grown by grow.
const minGrow = 512

// grow returns dst with free capacity for at least one byte: full, its
// capacity doubles (at least minGrow), but by no more than want bytes.
// Buffers for payloads whose length the client declares grow this way as
// data arrives, so a client that declares a large payload and stalls costs
// about what it sent, not what it declared.
func grow(dst []byte, want int64) []byte {
	if len(dst) < cap(dst) {
		return dst
	}
	n := int64(max(cap(dst), minGrow))
	if n > want {
		n = max(want, 1)
	}
	return slices.Grow(dst, int(n))
}

// readFullGrowing appends exactly n bytes from r to dst, growing dst with
// grow as they arrive. Its errors are io.ReadFull's: io.EOF if nothing
// was read, io.ErrUnexpectedEOF if the stream ended part way.
func readFullGrowing(r io.Reader, dst []byte, n int64) ([]byte, error) {
	start := len(dst)
	for n > 0 {
		dst = grow(dst, n)
		room := min(int64(cap(dst)-len(dst)), n)
		m, err := r.Read(dst[len(dst) : len(dst)+int(room)])
		dst = dst[:len(dst)+m]
		n -= int64(m)
		if err != nil && n > 0 {
			if err == io.EOF && len(dst) > start {
				err = io.ErrUnexpectedEOF
			}
			return dst, err
		}
	}
	return dst, nil
}
