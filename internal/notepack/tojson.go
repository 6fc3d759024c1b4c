package notepack

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/gosio/socketio/parser"
)

// Kind is the JavaScript type notepack.io decodes a MessagePack value into,
// as far as the checks of a Socket.IO packet care.
type Kind uint8

// The kinds of ValueKind.
const (
	KindInvalid   Kind = iota // not a MessagePack value (0xc1, or no byte)
	KindUndefined             // fixext 1 of type 0
	KindNull
	KindBool
	KindNumber
	KindString
	KindBinary // bin (a Buffer) or ext 8/16/32 of type 0 (an ArrayBuffer)
	KindDate   // fixext 8 of type 0, or a timestamp extension
	KindArray  // an array, or an extension notepack.io gives as [type, Buffer]
	KindObject // a map
)

// ValueKind returns the kind of the value that starts b, from its header
// alone; it does not check that the value is complete.
func ValueKind(b []byte) Kind {
	if len(b) == 0 {
		return KindInvalid
	}
	switch c := b[0]; {
	case c < 0x80 || c >= 0xe0:
		return KindNumber
	case c < 0x90:
		return KindObject
	case c < 0xa0:
		return KindArray
	case c < 0xc0:
		return KindString
	}
	switch c := b[0]; c {
	case 0xc0:
		return KindNull
	case 0xc1:
		return KindInvalid
	case 0xc2, 0xc3:
		return KindBool
	case 0xc4, 0xc5, 0xc6:
		return KindBinary
	case 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3:
		return KindNumber
	case 0xd9, 0xda, 0xdb:
		return KindString
	case 0xdc, 0xdd:
		return KindArray
	case 0xde, 0xdf:
		return KindObject
	case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		t, data, ok := extHeader(b)
		if !ok {
			return KindInvalid
		}
		return extKind(c, t, len(data))
	}
	return KindInvalid
}

// extKind tells what notepack.io makes of the extension with header byte
// c, type t and n bytes of data. The header matters, not only the length:
// an ArrayBuffer of 1 or 8 bytes (ext 8, type 0) is neither undefined
// (fixext 1) nor a Date (fixext 8). The timestamp extension (type -1) is
// read as notepack.io 3.0.1 reads it; 2.2.0, which never writes it, would
// give [-1, Buffer].
func extKind(c byte, t int8, n int) Kind {
	switch {
	case c == 0xd4 && t == 0:
		return KindUndefined
	case c == 0xd7 && (t == 0 || t == -1), c == 0xd6 && t == -1, c == 0xc7 && t == -1 && n == 12:
		return KindDate
	case c >= 0xc7 && c <= 0xc9 && t == 0:
		return KindBinary
	}
	return KindArray
}

// extHeader reads the type and data of the extension that starts b.
func extHeader(b []byte) (t int8, data []byte, ok bool) {
	c := b[0]
	var n, h int
	switch c {
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		n, h = 1<<(c-0xd4), 2
	case 0xc7:
		if len(b) < 2 {
			return 0, nil, false
		}
		n, h = int(b[1]), 3
	case 0xc8:
		if len(b) < 3 {
			return 0, nil, false
		}
		n, h = int(binary.BigEndian.Uint16(b[1:])), 4
	case 0xc9:
		if len(b) < 5 {
			return 0, nil, false
		}
		n, h = int(binary.BigEndian.Uint32(b[1:])), 6
	default:
		return 0, nil, false
	}
	if len(b) < h || n < 0 || n > len(b)-h {
		return 0, nil, false
	}
	return int8(b[h-1]), b[h : h+n], true
}

// JSONWriter writes MessagePack values as the JSON that JSON.stringify
// would write for the JavaScript values notepack.io decodes them into, as
// Socket.IO carries them: binaries (bin, and ArrayBuffers) become
// placeholders {"_placeholder":true,"num":i} with the bytes in
// Attachments, or, without Placeholders, Node's Buffer.toJSON form
// {"type":"Buffer","data":[...]}. Undefined is null in arrays and leaves
// its key out of maps; NaN and infinities are null; Dates are ISO strings
// (null when invalid); other extensions are [type, binary]; map keys that
// are numbers, booleans or nil are written as JavaScript names them, and a
// repeated key is written again (JSON readers keep the last value, as
// JavaScript does; only a repeat whose value is undefined differs: it is
// left out, where JavaScript would drop the key). Invalid UTF-8 in strings
// becomes U+FFFD.
//
// A JSONWriter is used for one packet: Attachments alias the input.
type JSONWriter struct {
	// Placeholders selects placeholders for binaries.
	Placeholders bool
	// MaxAttachments and MaxAttachmentBytes bound the binaries of one
	// packet (with Placeholders): more is an error wrapping
	// parser.ErrTooManyAttachments or parser.ErrAttachmentsTooLarge.
	MaxAttachments     int
	MaxAttachmentBytes int
	// MaxDepth bounds the nesting of arrays and maps (0: DefaultMaxDepth).
	MaxDepth int

	// Attachments are the binaries found, placeholder i being
	// Attachments[i]; they alias the input.
	Attachments [][]byte
	// PlaceholderLike is set when a map with a "_placeholder" key whose
	// value is true was written: in JSON it cannot be told from a
	// placeholder.
	PlaceholderLike bool

	attBytes int
}

// DefaultMaxDepth is the nesting JSONWriter and AppendMsgpack accept by
// default, that of the JSON decoder of package parser.
const DefaultMaxDepth = 10000

func (w *JSONWriter) maxDepth() int {
	if w.MaxDepth <= 0 {
		return DefaultMaxDepth
	}
	return w.MaxDepth
}

// AppendJSON appends the JSON of the value b holds, all of b, to dst.
func (w *JSONWriter) AppendJSON(dst, b []byte) ([]byte, error) {
	r := reader{b: b}
	dst, err := w.value(dst, &r, 0)
	if err != nil {
		return nil, err
	}
	if r.off != len(b) {
		return nil, invalid("trailing bytes")
	}
	return dst, nil
}

// reader walks MessagePack input without copying it.
type reader struct {
	b   []byte
	off int
}

func (r *reader) take(n int) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.off {
		return nil, invalid("truncated")
	}
	s := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return s, nil
}

// size reads a big-endian length of n bytes (1, 2 or 4).
func (r *reader) size(n int) (int, error) {
	s, err := r.take(n)
	if err != nil {
		return 0, err
	}
	switch n {
	case 1:
		return int(s[0]), nil
	case 2:
		return int(binary.BigEndian.Uint16(s)), nil
	}
	u := binary.BigEndian.Uint32(s)
	if uint64(u) > uint64(len(r.b)) {
		return 0, invalid("truncated")
	}
	return int(u), nil
}

// value writes the value at r. Undefined is null there: the map writer
// leaves out undefined properties itself.
func (w *JSONWriter) value(dst []byte, r *reader, depth int) ([]byte, error) {
	if r.off >= len(r.b) {
		return nil, invalid("truncated")
	}
	c := r.b[r.off]
	r.off++
	switch {
	case c < 0x80:
		return strconv.AppendUint(dst, uint64(c), 10), nil
	case c >= 0xe0:
		return strconv.AppendInt(dst, int64(int8(c)), 10), nil
	case c < 0x90:
		return w.object(dst, r, int(c&0x0f), depth)
	case c < 0xa0:
		return w.array(dst, r, int(c&0x0f), depth)
	case c < 0xc0:
		s, err := r.take(int(c & 0x1f))
		if err != nil {
			return nil, err
		}
		return appendJSONBytes(dst, s), nil
	}
	switch c {
	case 0xc0:
		return append(dst, "null"...), nil
	case 0xc2:
		return append(dst, "false"...), nil
	case 0xc3:
		return append(dst, "true"...), nil
	case 0xc4, 0xc5, 0xc6:
		n, err := r.size(1 << (c - 0xc4))
		if err != nil {
			return nil, err
		}
		s, err := r.take(n)
		if err != nil {
			return nil, err
		}
		return w.binary(dst, s)
	case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		return w.ext(dst, r, c, depth)
	case 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3:
		r.off--
		n, err := r.number()
		if err != nil {
			return nil, err
		}
		return n.appendJSON(dst), nil
	case 0xd9, 0xda, 0xdb:
		n, err := r.size(1 << (c - 0xd9))
		if err != nil {
			return nil, err
		}
		s, err := r.take(n)
		if err != nil {
			return nil, err
		}
		return appendJSONBytes(dst, s), nil
	case 0xdc, 0xdd:
		n, err := r.size(2 << (c - 0xdc))
		if err != nil {
			return nil, err
		}
		return w.array(dst, r, n, depth)
	case 0xde, 0xdf:
		n, err := r.size(2 << (c - 0xde))
		if err != nil {
			return nil, err
		}
		return w.object(dst, r, n, depth)
	}
	return nil, invalid("reserved byte 0xc1")
}

func beUint(s []byte) uint64 {
	switch len(s) {
	case 1:
		return uint64(s[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(s))
	case 4:
		return uint64(binary.BigEndian.Uint32(s))
	}
	return binary.BigEndian.Uint64(s)
}

func beInt(s []byte) int64 {
	switch len(s) {
	case 1:
		return int64(int8(s[0]))
	case 2:
		return int64(int16(binary.BigEndian.Uint16(s)))
	case 4:
		return int64(int32(binary.BigEndian.Uint32(s)))
	}
	return int64(binary.BigEndian.Uint64(s))
}

func (w *JSONWriter) array(dst []byte, r *reader, n, depth int) ([]byte, error) {
	if depth >= w.maxDepth() {
		return nil, invalid("nested too deeply")
	}
	if n > len(r.b)-r.off { // every element takes a byte at least
		return nil, invalid("truncated")
	}
	dst = append(dst, '[')
	for i := range n {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = w.value(dst, r, depth+1); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
}

func (w *JSONWriter) object(dst []byte, r *reader, n, depth int) ([]byte, error) {
	if depth >= w.maxDepth() {
		return nil, invalid("nested too deeply")
	}
	if n > (len(r.b)-r.off)/2 { // a key and a value take two bytes at least
		return nil, invalid("truncated")
	}
	dst = append(dst, '{')
	first := true
	for range n {
		keyStart := len(dst)
		if !first {
			dst = append(dst, ',')
		}
		var err error
		var isPh bool
		if dst, isPh, err = w.key(dst, r); err != nil {
			return nil, err
		}
		dst = append(dst, ':')
		if isUndefined(r.b[r.off:]) {
			// JSON.stringify leaves out undefined properties
			r.off += 3
			dst = dst[:keyStart]
			continue
		}
		if isPh && r.off < len(r.b) && r.b[r.off] == 0xc3 {
			w.PlaceholderLike = true
		}
		if dst, err = w.value(dst, r, depth+1); err != nil {
			return nil, err
		}
		first = false
	}
	return append(dst, '}'), nil
}

func isUndefined(b []byte) bool { return len(b) >= 3 && b[0] == 0xd4 && b[1] == 0 }

// key writes a map key as a JSON string, as JavaScript names it: strings
// as they are, numbers, booleans and nil as String() gives them. Other
// keys (binaries, arrays, maps, extensions) are refused. It reports
// whether the key is "_placeholder".
func (w *JSONWriter) key(dst []byte, r *reader) ([]byte, bool, error) {
	if r.off >= len(r.b) {
		return nil, false, invalid("truncated")
	}
	c := r.b[r.off]
	switch ValueKind(r.b[r.off:]) {
	case KindString:
		s, err := r.str()
		if err != nil {
			return nil, false, err
		}
		return appendJSONBytes(dst, s), string(s) == "_placeholder", nil
	case KindNull:
		r.off++
		return append(dst, `"null"`...), false, nil
	case KindBool:
		r.off++
		if c == 0xc3 {
			return append(dst, `"true"`...), false, nil
		}
		return append(dst, `"false"`...), false, nil
	case KindNumber:
		n, err := r.number()
		if err != nil {
			return nil, false, err
		}
		dst = append(dst, '"')
		if n.form == 'f' && (math.IsNaN(n.f) || math.IsInf(n.f, 0)) {
			switch {
			case math.IsNaN(n.f):
				dst = append(dst, "NaN"...)
			case n.f > 0:
				dst = append(dst, "Infinity"...)
			default:
				dst = append(dst, "-Infinity"...)
			}
		} else {
			dst = n.appendJSON(dst)
		}
		return append(dst, '"'), false, nil
	}
	return nil, false, invalid("unsupported map key")
}

// str reads a str value.
func (r *reader) str() ([]byte, error) {
	c := r.b[r.off]
	r.off++
	if c >= 0xa0 && c < 0xc0 {
		return r.take(int(c & 0x1f))
	}
	n, err := r.size(1 << (c - 0xd9))
	if err != nil {
		return nil, err
	}
	return r.take(n)
}

// number is a MessagePack number: form 'i' (i), 'u' (u, past MaxInt64)
// or 'f' (f).
type number struct {
	form byte
	i    int64
	u    uint64
	f    float64
}

// number reads a number value (the caller checked its kind).
func (r *reader) number() (number, error) {
	c := r.b[r.off]
	r.off++
	switch {
	case c < 0x80:
		return number{form: 'i', i: int64(c)}, nil
	case c >= 0xe0:
		return number{form: 'i', i: int64(int8(c))}, nil
	case c == 0xca:
		s, err := r.take(4)
		if err != nil {
			return number{}, err
		}
		return number{form: 'f', f: float64(math.Float32frombits(binary.BigEndian.Uint32(s)))}, nil
	case c == 0xcb:
		s, err := r.take(8)
		if err != nil {
			return number{}, err
		}
		return number{form: 'f', f: math.Float64frombits(binary.BigEndian.Uint64(s))}, nil
	case c >= 0xcc && c <= 0xcf:
		s, err := r.take(1 << (c - 0xcc))
		if err != nil {
			return number{}, err
		}
		if u := beUint(s); u > math.MaxInt64 {
			return number{form: 'u', u: u}, nil
		} else {
			return number{form: 'i', i: int64(u)}, nil
		}
	}
	s, err := r.take(1 << (c - 0xd0))
	if err != nil {
		return number{}, err
	}
	return number{form: 'i', i: beInt(s)}, nil
}

// appendJSON writes n as JSON.stringify does (non-finite floats: null).
func (n number) appendJSON(dst []byte) []byte {
	switch n.form {
	case 'i':
		return strconv.AppendInt(dst, n.i, 10)
	case 'u':
		return strconv.AppendUint(dst, n.u, 10)
	}
	return appendJSONFloat(dst, n.f)
}

// ReadUint reads the number that starts b if it is an integer that fits
// a uint64 (an integral float too: JavaScript has one number type), and
// returns it with its length. ok is false for anything else: another
// type, a negative or fractional number, or one too large.
func ReadUint(b []byte) (v uint64, n int, ok bool) {
	if ValueKind(b) != KindNumber {
		return 0, 0, false
	}
	r := reader{b: b}
	num, err := r.number()
	if err != nil {
		return 0, 0, false
	}
	switch num.form {
	case 'i':
		return uint64(num.i), r.off, num.i >= 0
	case 'u':
		return num.u, r.off, true
	}
	if num.f != math.Trunc(num.f) || !(num.f >= 0 && num.f < 1<<64) {
		return 0, 0, false
	}
	return uint64(num.f), r.off, true
}

// binary writes a Buffer or ArrayBuffer.
func (w *JSONWriter) binary(dst, s []byte) ([]byte, error) {
	if !w.Placeholders {
		dst = append(dst, `{"type":"Buffer","data":[`...)
		for i, c := range s {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendUint(dst, uint64(c), 10)
		}
		return append(dst, "]}"...), nil
	}
	if len(w.Attachments) >= w.MaxAttachments {
		return nil, parser.ErrTooManyAttachments
	}
	if w.attBytes += len(s); w.attBytes > w.MaxAttachmentBytes {
		return nil, parser.ErrAttachmentsTooLarge
	}
	dst = append(dst, `{"_placeholder":true,"num":`...)
	dst = strconv.AppendInt(dst, int64(len(w.Attachments)), 10)
	w.Attachments = append(w.Attachments, s)
	return append(dst, '}'), nil
}

// ext writes an extension value; r is just past its header byte c.
func (w *JSONWriter) ext(dst []byte, r *reader, c byte, depth int) ([]byte, error) {
	t, data, ok := extHeader(r.b[r.off-1:])
	if !ok {
		return nil, invalid("truncated")
	}
	r.off += extHeaderLen(c) - 1 + len(data)
	switch extKind(c, t, len(data)) {
	case KindUndefined:
		return append(dst, "null"...), nil // in an array, or at the top
	case KindBinary:
		return w.binary(dst, data) // ArrayBuffer
	case KindDate:
		return appendJSDate(dst, dateMillis(c, t, data)), nil
	}
	if depth >= w.maxDepth() {
		return nil, invalid("nested too deeply")
	}
	dst = append(dst, '[')
	dst = strconv.AppendInt(dst, int64(t), 10)
	dst = append(dst, ',')
	var err error
	if dst, err = w.binary(dst, data); err != nil {
		return nil, err
	}
	return append(dst, ']'), nil
}

// dateMillis is the time value of a Date extension (header c, type t), as
// notepack.io computes it: a float, which the Date truncates.
func dateMillis(c byte, t int8, data []byte) float64 {
	switch {
	case c == 0xd7 && t == 0: // notepack.io's own: milliseconds
		return float64(int64(binary.BigEndian.Uint64(data)))
	case c == 0xd6: // timestamp 32
		return float64(binary.BigEndian.Uint32(data)) * 1e3
	case c == 0xd7: // timestamp 64
		u := binary.BigEndian.Uint64(data)
		return float64(u&(1<<34-1))*1e3 + float64(u>>34)/1e6
	}
	ns := binary.BigEndian.Uint32(data) // timestamp 96
	sec := int64(binary.BigEndian.Uint64(data[4:]))
	return float64(sec)*1e3 + float64(ns)/1e6
}

func extHeaderLen(c byte) int {
	switch c {
	case 0xc7:
		return 3
	case 0xc8:
		return 4
	case 0xc9:
		return 6
	}
	return 2
}

// appendJSDate writes new Date(ms).toJSON(): the ISO string, with a
// six-digit signed year outside 0-9999, or null for an invalid date.
func appendJSDate(dst []byte, ms float64) []byte {
	if math.IsNaN(ms) || math.Abs(ms) > 8.64e15 {
		return append(dst, "null"...)
	}
	t := time.UnixMilli(int64(ms)).UTC() // TimeClip truncates toward zero
	dst = append(dst, '"')
	if y := t.Year(); y < 0 || y > 9999 {
		if y < 0 {
			dst = append(dst, '-')
			y = -y
		} else {
			dst = append(dst, '+')
		}
		ys := strconv.Itoa(y)
		for range 6 - len(ys) {
			dst = append(dst, '0')
		}
		dst = append(dst, ys...)
		dst = t.AppendFormat(dst, "-01-02T15:04:05.000Z")
	} else {
		dst = t.AppendFormat(dst, "2006-01-02T15:04:05.000Z")
	}
	return append(dst, '"')
}

// appendJSONBytes appends the UTF-8 text s as a JSON string escaped as
// JSON.stringify does (see parser.AppendJSONString); invalid UTF-8 becomes
// U+FFFD, as Node decodes it.
func appendJSONBytes(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				const hex = "0123456789abcdef"
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
