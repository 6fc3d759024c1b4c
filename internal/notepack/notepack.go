// Package notepack is a MessagePack codec with the conventions of the npm
// package notepack.io 3.0.1, the default parser of @socket.io/redis-adapter
// and @socket.io/redis-emitter, and converters between its values and the
// JSON-plus-attachments form of Socket.IO packets (package parser).
//
// Values are nil, bool, int64, uint64, float64, string, []byte, []any, Map
// (an object, keys in wire order), time.Time (timestamp extension -1),
// Undefined (the legacy fixext1 type 0) and Ext (other extensions). The
// encoder writes the smallest integer form for integral numbers, float64
// otherwise, and never writes extension types except for time.Time.
//
// The package is pure: no I/O, no goroutines, no package state.
package notepack

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Map is a MessagePack map with string keys, in wire order.
type Map []KV

// KV is one entry of a Map.
type KV struct {
	Key string
	Val any
}

// Get returns the value of key and whether it is present.
func (m Map) Get(key string) (any, bool) {
	for _, kv := range m {
		if kv.Key == key {
			return kv.Val, true
		}
	}
	return nil, false
}

// Undefined is JavaScript's undefined (legacy encoding d4 00 00).
type Undefined struct{}

// Ext is an extension value notepack.io does not map to a JavaScript type;
// notepack.io decodes it as the array [type, Buffer].
type Ext struct {
	Type int8
	Data []byte
}

// MaxDepth bounds the nesting of arrays and maps accepted by Decode.
const MaxDepth = 512

// ErrInvalid is wrapped by every decoding error.
var ErrInvalid = errors.New("notepack: invalid MessagePack")

func invalid(msg string) error { return &decodeError{msg} }

type decodeError struct{ msg string }

func (e *decodeError) Error() string { return "notepack: invalid MessagePack: " + e.msg }
func (e *decodeError) Unwrap() error { return ErrInvalid }

// Decode decodes one value occupying all of b. Strings and binaries are
// copied, so the result does not alias b.
func Decode(b []byte) (any, error) {
	d := decoder{b: b}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.off != len(d.b) {
		return nil, invalid("trailing bytes")
	}
	return v, nil
}

type decoder struct {
	b   []byte
	off int
}

func (d *decoder) need(n int) ([]byte, error) {
	if n < 0 || n > len(d.b)-d.off {
		return nil, invalid("truncated")
	}
	s := d.b[d.off : d.off+n]
	d.off += n
	return s, nil
}

func (d *decoder) uint(n int) (uint64, error) {
	s, err := d.need(n)
	if err != nil {
		return 0, err
	}
	switch n {
	case 1:
		return uint64(s[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(s)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(s)), nil
	default:
		return binary.BigEndian.Uint64(s), nil
	}
}

func (d *decoder) value(depth int) (any, error) {
	if depth > MaxDepth {
		return nil, invalid("nested too deeply")
	}
	s, err := d.need(1)
	if err != nil {
		return nil, err
	}
	c := s[0]
	switch {
	case c < 0x80:
		return int64(c), nil
	case c < 0x90:
		return d.mapN(int(c&0x0f), depth)
	case c < 0xa0:
		return d.arrayN(int(c&0x0f), depth)
	case c < 0xc0:
		return d.str(int(c & 0x1f))
	case c >= 0xe0:
		return int64(int8(c)), nil
	}
	switch c {
	case 0xc0:
		return nil, nil
	case 0xc2:
		return false, nil
	case 0xc3:
		return true, nil
	case 0xc4, 0xc5, 0xc6:
		n, err := d.uint(1 << (c - 0xc4))
		if err != nil {
			return nil, err
		}
		return d.bin(n)
	case 0xc7, 0xc8, 0xc9:
		n, err := d.uint(1 << (c - 0xc7))
		if err != nil {
			return nil, err
		}
		t, err := d.uint(1)
		if err != nil {
			return nil, err
		}
		return d.ext(c, int8(t), n)
	case 0xca:
		u, err := d.uint(4)
		if err != nil {
			return nil, err
		}
		return float64(math.Float32frombits(uint32(u))), nil
	case 0xcb:
		u, err := d.uint(8)
		if err != nil {
			return nil, err
		}
		return math.Float64frombits(u), nil
	case 0xcc, 0xcd, 0xce, 0xcf:
		u, err := d.uint(1 << (c - 0xcc))
		if err != nil {
			return nil, err
		}
		if u <= math.MaxInt64 {
			return int64(u), nil
		}
		return u, nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		n := 1 << (c - 0xd0)
		u, err := d.uint(n)
		if err != nil {
			return nil, err
		}
		switch n {
		case 1:
			return int64(int8(u)), nil
		case 2:
			return int64(int16(u)), nil
		case 4:
			return int64(int32(u)), nil
		}
		return int64(u), nil
	case 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		t, err := d.uint(1)
		if err != nil {
			return nil, err
		}
		return d.ext(c, int8(t), uint64(1)<<(c-0xd4))
	case 0xd9, 0xda, 0xdb:
		n, err := d.uint(1 << (c - 0xd9))
		if err != nil {
			return nil, err
		}
		if n > uint64(len(d.b)) {
			return nil, invalid("truncated")
		}
		return d.str(int(n))
	case 0xdc, 0xdd:
		n, err := d.uint(2 << (c - 0xdc))
		if err != nil {
			return nil, err
		}
		return d.arrayN64(n, depth)
	case 0xde, 0xdf:
		n, err := d.uint(2 << (c - 0xde))
		if err != nil {
			return nil, err
		}
		if n > uint64(len(d.b)-d.off)/2 {
			return nil, invalid("truncated")
		}
		return d.mapN(int(n), depth)
	}
	return nil, invalid("reserved byte 0xc1")
}

func (d *decoder) arrayN64(n uint64, depth int) (any, error) {
	// every element takes at least one byte: refuse counts the input
	// cannot hold before allocating
	if n > uint64(len(d.b)-d.off) {
		return nil, invalid("truncated")
	}
	return d.arrayN(int(n), depth)
}

func (d *decoder) arrayN(n int, depth int) (any, error) {
	if n > len(d.b)-d.off {
		return nil, invalid("truncated")
	}
	out := make([]any, n)
	for i := range out {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (d *decoder) mapN(n int, depth int) (any, error) {
	if n > (len(d.b)-d.off)/2 {
		return nil, invalid("truncated")
	}
	out := make(Map, 0, n)
	for range n {
		k, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		var key string
		switch k := k.(type) {
		case string:
			key = k
		case int64:
			key = strconv.FormatInt(k, 10)
		case uint64:
			key = strconv.FormatUint(k, 10)
		case nil:
			key = "null"
		case bool:
			key = strconv.FormatBool(k)
		default:
			return nil, invalid("unsupported map key")
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		// JavaScript objects keep the last value of a repeated key
		if i := slices.IndexFunc(out, func(kv KV) bool { return kv.Key == key }); i >= 0 {
			out[i].Val = v
			continue
		}
		out = append(out, KV{key, v})
	}
	return out, nil
}

func (d *decoder) str(n int) (any, error) {
	s, err := d.need(n)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(s) {
		return validUTF8(s), nil
	}
	return string(s), nil
}

// validUTF8 replaces each invalid byte by U+FFFD, as JavaScript's UTF-8
// decoding does.
func validUTF8(s []byte) string {
	out := make([]byte, 0, len(s)+8)
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		if r == utf8.RuneError && size == 1 {
			out = append(out, "\uFFFD"...)
		} else {
			out = append(out, s[:size]...)
		}
		s = s[size:]
	}
	return string(out)
}

func (d *decoder) bin(n uint64) (any, error) {
	if n > uint64(len(d.b)-d.off) {
		return nil, invalid("truncated")
	}
	s, _ := d.need(int(n))
	return slices.Clone(s), nil
}

func (d *decoder) ext(c byte, t int8, n uint64) (any, error) {
	if n > uint64(len(d.b)-d.off) {
		return nil, invalid("truncated")
	}
	s, _ := d.need(int(n))
	if v, ok := extValue(c, t, s); ok {
		return v, nil
	}
	return Ext{Type: t, Data: slices.Clone(s)}, nil
}

// extValue returns the value notepack.io 3.0.1 makes of the extension
// with header byte c, type t and data s when it makes one of its own
// (undefined, a Date, an ArrayBuffer; see extKind); the other extensions
// are [type, Buffer].
func extValue(c byte, t int8, s []byte) (any, bool) {
	switch extKind(c, t, len(s)) {
	case KindUndefined:
		return Undefined{}, true
	case KindBinary:
		return slices.Clone(s), true
	case KindDate:
		if c == 0xd7 && t == 0 {
			return time.UnixMilli(int64(binary.BigEndian.Uint64(s))).UTC(), true
		}
		if c == 0xd6 {
			return time.Unix(int64(binary.BigEndian.Uint32(s)), 0).UTC(), true
		}
		if c == 0xd7 {
			u := binary.BigEndian.Uint64(s)
			return time.Unix(int64(u&(1<<34-1)), int64(u>>34)).UTC(), true
		}
		ns := binary.BigEndian.Uint32(s)
		sec := int64(binary.BigEndian.Uint64(s[4:]))
		return time.Unix(sec, int64(ns)).UTC(), true
	}
	return nil, false
}

// Append appends the encoding of v to dst. Besides the decoded types it
// accepts int, int32, uint, uint32, float32, []string and map[string]any
// (keys sorted). Map entries whose value is Undefined are left out, as
// notepack.io leaves out undefined properties; elsewhere Undefined is nil.
func Append(dst []byte, v any) ([]byte, error) {
	return appendValue(dst, v, 0)
}

var errDepth = errors.New("notepack: value nested too deeply")

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return nil, errDepth
	}
	switch x := v.(type) {
	case nil, Undefined:
		return append(dst, 0xc0), nil
	case bool:
		if x {
			return append(dst, 0xc3), nil
		}
		return append(dst, 0xc2), nil
	case int:
		return AppendInt(dst, int64(x)), nil
	case int32:
		return AppendInt(dst, int64(x)), nil
	case int64:
		return AppendInt(dst, x), nil
	case uint:
		return AppendUint(dst, uint64(x)), nil
	case uint32:
		return AppendUint(dst, uint64(x)), nil
	case uint64:
		return AppendUint(dst, x), nil
	case float32:
		return AppendFloat(dst, float64(x)), nil
	case float64:
		return AppendFloat(dst, x), nil
	case string:
		return AppendString(dst, x), nil
	case []byte:
		return AppendBin(dst, x), nil
	case []string:
		dst = AppendArrayHeader(dst, len(x))
		for _, s := range x {
			dst = AppendString(dst, s)
		}
		return dst, nil
	case []any:
		dst = AppendArrayHeader(dst, len(x))
		for _, e := range x {
			var err error
			if dst, err = appendValue(dst, e, depth+1); err != nil {
				return nil, err
			}
		}
		return dst, nil
	case Map:
		n := 0
		for _, kv := range x {
			if _, u := kv.Val.(Undefined); !u {
				n++
			}
		}
		dst = AppendMapHeader(dst, n)
		for _, kv := range x {
			if _, u := kv.Val.(Undefined); u {
				continue
			}
			dst = AppendString(dst, kv.Key)
			var err error
			if dst, err = appendValue(dst, kv.Val, depth+1); err != nil {
				return nil, err
			}
		}
		return dst, nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k, e := range x {
			if _, u := e.(Undefined); !u {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		dst = AppendMapHeader(dst, len(keys))
		for _, k := range keys {
			dst = AppendString(dst, k)
			var err error
			if dst, err = appendValue(dst, x[k], depth+1); err != nil {
				return nil, err
			}
		}
		return dst, nil
	case time.Time:
		return appendTime(dst, x), nil
	case Ext:
		return appendExt(dst, x), nil
	}
	return nil, errors.New("notepack: unsupported type " + typeName(v))
}

func typeName(v any) string {
	switch v.(type) {
	case complex64, complex128:
		return "complex"
	}
	return "value"
}

// AppendInt appends n in its smallest form.
func AppendInt(dst []byte, n int64) []byte {
	if n >= 0 {
		return AppendUint(dst, uint64(n))
	}
	switch {
	case n >= -32:
		return append(dst, byte(n))
	case n >= math.MinInt8:
		return append(dst, 0xd0, byte(n))
	case n >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(dst, 0xd1), uint16(n))
	case n >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(dst, 0xd2), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xd3), uint64(n))
}

// AppendUint appends n in its smallest form.
func AppendUint(dst []byte, n uint64) []byte {
	switch {
	case n < 0x80:
		return append(dst, byte(n))
	case n < 0x100:
		return append(dst, 0xcc, byte(n))
	case n < 0x10000:
		return binary.BigEndian.AppendUint16(append(dst, 0xcd), uint16(n))
	case n < 0x100000000:
		return binary.BigEndian.AppendUint32(append(dst, 0xce), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xcf), n)
}

// AppendFloat appends f as an integer when it is integral (JavaScript has
// one number type, and notepack.io does the same), else as float64.
func AppendFloat(dst []byte, f float64) []byte {
	if f == math.Trunc(f) && !math.IsInf(f, 0) {
		if f >= 0 && f < 1<<64 {
			return AppendUint(dst, uint64(f))
		}
		if f < 0 && f >= math.MinInt64 {
			return AppendInt(dst, int64(f))
		}
	}
	return binary.BigEndian.AppendUint64(append(dst, 0xcb), math.Float64bits(f))
}

// AppendString appends s as a str (invalid UTF-8 replaced, as JavaScript
// strings cannot hold it).
func AppendString(dst []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = string([]rune(s))
	}
	n := len(s)
	switch {
	case n < 32:
		dst = append(dst, 0xa0|byte(n))
	case n < 0x100:
		dst = append(dst, 0xd9, byte(n))
	case n < 0x10000:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xda), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xdb), uint32(n))
	}
	return append(dst, s...)
}

// AppendBin appends b as a bin.
func AppendBin(dst []byte, b []byte) []byte {
	n := len(b)
	switch {
	case n < 0x100:
		dst = append(dst, 0xc4, byte(n))
	case n < 0x10000:
		dst = binary.BigEndian.AppendUint16(append(dst, 0xc5), uint16(n))
	default:
		dst = binary.BigEndian.AppendUint32(append(dst, 0xc6), uint32(n))
	}
	return append(dst, b...)
}

// AppendArrayHeader appends the header of an array of n elements.
func AppendArrayHeader(dst []byte, n int) []byte {
	switch {
	case n < 16:
		return append(dst, 0x90|byte(n))
	case n < 0x10000:
		return binary.BigEndian.AppendUint16(append(dst, 0xdc), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(dst, 0xdd), uint32(n))
}

// AppendMapHeader appends the header of a map of n entries.
func AppendMapHeader(dst []byte, n int) []byte {
	switch {
	case n < 16:
		return append(dst, 0x80|byte(n))
	case n < 0x10000:
		return binary.BigEndian.AppendUint16(append(dst, 0xde), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(dst, 0xdf), uint32(n))
}

// appendTime writes the timestamp extension in notepack.io's choice of
// form (32, 64 or 96 bits).
func appendTime(dst []byte, t time.Time) []byte {
	s, ns := t.Unix(), int64(t.Nanosecond())
	if s >= 0 && s <= 1<<34-1 {
		if ns == 0 && s <= math.MaxUint32 {
			return binary.BigEndian.AppendUint32(append(dst, 0xd6, 0xff), uint32(s))
		}
		return binary.BigEndian.AppendUint64(append(dst, 0xd7, 0xff), uint64(ns)<<34|uint64(s))
	}
	dst = binary.BigEndian.AppendUint32(append(dst, 0xc7, 12, 0xff), uint32(ns))
	return binary.BigEndian.AppendUint64(dst, uint64(s))
}

func appendExt(dst []byte, e Ext) []byte {
	n := len(e.Data)
	switch n {
	case 1, 2, 4, 8, 16:
		c := map[int]byte{1: 0xd4, 2: 0xd5, 4: 0xd6, 8: 0xd7, 16: 0xd8}[n]
		dst = append(dst, c, byte(e.Type))
	default:
		switch {
		case n < 0x100:
			dst = append(dst, 0xc7, byte(n), byte(e.Type))
		case n < 0x10000:
			dst = append(binary.BigEndian.AppendUint16(append(dst, 0xc8), uint16(n)), byte(e.Type))
		default:
			dst = append(binary.BigEndian.AppendUint32(append(dst, 0xc9), uint32(n)), byte(e.Type))
		}
	}
	return append(dst, e.Data...)
}
