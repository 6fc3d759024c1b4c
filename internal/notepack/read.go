package notepack

// Readers of single MessagePack values, for codecs that walk a message
// without building it (the msgpack Socket.IO parser reads a packet's map
// this way). None of them copies the input.

// ReadMapHeader reads the header of the map that starts b: its entry
// count and the header's length. ok is false if b does not start with a
// map header.
func ReadMapHeader(b []byte) (n, size int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	c := b[0]
	if c >= 0x80 && c < 0x90 {
		return int(c & 0x0f), 1, true
	}
	if c != 0xde && c != 0xdf {
		return 0, 0, false
	}
	r := reader{b: b, off: 1}
	n, err := r.size(2 << (c - 0xde))
	if err != nil {
		return 0, 0, false
	}
	return n, r.off, true
}

// ReadArrayHeader reads the header of the array that starts b: its
// element count and the header's length. ok is false if b does not start
// with an array header.
func ReadArrayHeader(b []byte) (n, size int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	c := b[0]
	if c >= 0x90 && c < 0xa0 {
		return int(c & 0x0f), 1, true
	}
	if c != 0xdc && c != 0xdd {
		return 0, 0, false
	}
	r := reader{b: b, off: 1}
	n, err := r.size(2 << (c - 0xdc))
	if err != nil {
		return 0, 0, false
	}
	return n, r.off, true
}

// ReadStr reads the str value that starts b: its bytes (aliasing b) and
// the value's length. ok is false for another type or a truncated str.
func ReadStr(b []byte) (s []byte, n int, ok bool) {
	if ValueKind(b) != KindString {
		return nil, 0, false
	}
	r := reader{b: b}
	s, err := r.str()
	if err != nil {
		return nil, 0, false
	}
	return s, r.off, true
}

// Text returns the UTF-8 text s as a JavaScript string holds it: each
// invalid byte replaced by U+FFFD, as Node decodes it.
func Text(s []byte) string { return validUTF8(s) }

// Span describes a value Skip went over.
type Span struct {
	Len    int // its length
	Values int // the values in it, itself included, map keys too
	// Binaries counts the bin and extension values in it, at any depth,
	// and BinaryBytes their data: the bytes its JSON (see JSONWriter)
	// does not hold, for a caller that sizes a buffer.
	Binaries, BinaryBytes int
}

// Skip checks that b starts with one complete MessagePack value nested at
// most maxDepth deep (0: DefaultMaxDepth) and describes it.
func Skip(b []byte, maxDepth int) (Span, error) {
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	r := reader{b: b}
	var sp Span
	if err := r.skip(0, maxDepth, &sp); err != nil {
		return Span{}, err
	}
	sp.Len = r.off
	return sp, nil
}

func (r *reader) skip(depth, maxDepth int, sp *Span) error {
	if r.off >= len(r.b) {
		return invalid("truncated")
	}
	c := r.b[r.off]
	r.off++
	sp.Values++
	var n, elems int // bytes to skip, values to skip
	container := false
	switch {
	case c < 0x80 || c >= 0xe0:
	case c < 0x90:
		elems, container = 2*int(c&0x0f), true
	case c < 0xa0:
		elems, container = int(c&0x0f), true
	case c < 0xc0:
		n = int(c & 0x1f)
	default:
		switch c {
		case 0xc0, 0xc2, 0xc3:
		case 0xc1:
			return invalid("reserved byte 0xc1")
		case 0xc4, 0xc5, 0xc6:
			var err error
			if n, err = r.size(1 << (c - 0xc4)); err != nil {
				return err
			}
			sp.Binaries++
			sp.BinaryBytes += n
		case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
			_, data, ok := extHeader(r.b[r.off-1:])
			if !ok {
				return invalid("truncated")
			}
			n = extHeaderLen(c) - 1 + len(data)
			sp.Binaries++
			sp.BinaryBytes += len(data)
		case 0xca, 0xcb:
			n = 4 << (c - 0xca)
		case 0xcc, 0xcd, 0xce, 0xcf:
			n = 1 << (c - 0xcc)
		case 0xd0, 0xd1, 0xd2, 0xd3:
			n = 1 << (c - 0xd0)
		case 0xd9, 0xda, 0xdb:
			var err error
			if n, err = r.size(1 << (c - 0xd9)); err != nil {
				return err
			}
		case 0xdc, 0xdd:
			var err error
			if elems, err = r.size(2 << (c - 0xdc)); err != nil {
				return err
			}
			container = true
		case 0xde, 0xdf:
			m, err := r.size(2 << (c - 0xde))
			if err != nil {
				return err
			}
			elems, container = 2*m, true
		}
	}
	if _, err := r.take(n); err != nil {
		return err
	}
	if !container {
		return nil
	}
	if depth >= maxDepth {
		return invalid("nested too deeply")
	}
	if elems > len(r.b)-r.off {
		return invalid("truncated")
	}
	for range elems {
		if err := r.skip(depth+1, maxDepth, sp); err != nil {
			return err
		}
	}
	return nil
}
