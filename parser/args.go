package parser

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
)

// ErrTooDeep is what EncodeArgs returns for a value nested deeper than
// [MaxDepth], as a cyclic value would be.
var ErrTooDeep = errors.New("socketio: arguments nested deeper than MaxDepth (cyclic value?)")

// EncodeArgs marshals event or ack arguments to a JSON array, the payload
// of an EVENT or ACK packet.
//
// Every []byte, at any depth of any value (inside []any, maps, structs,
// embedded structs, pointers, slices and arrays), is replaced by a
// placeholder {"_placeholder":true,"num":i} and returned as attachment i, as
// the reference parser does with a Buffer: i counts in the order the
// placeholders appear in the text. This holds for any slice type whose
// elements are bytes (the types encoding/json writes as base64), unless the
// type has its own MarshalJSON or MarshalText (json.RawMessage, net.IP). A
// nil []byte is an empty attachment. The attachments alias the caller's
// slices. A non-nil attachments result means the packet must be sent as
// BinaryEvent or BinaryAck. Mind that socket.io-client (and [Decoder],
// by default) refuses a packet of more than 10 attachments (its
// maxAttachments) and closes the connection, whatever server sent it.
//
// Everything else is written as encoding/json writes it: struct fields in
// declaration order under their json tag names, with the omitempty,
// omitzero, string and "-" options and the embedding rules; maps with their
// keys sorted; numbers in the same format; MarshalJSON and MarshalText
// output as the method returns it (compacted). Strings are escaped as
// JSON.stringify escapes them (quote, backslash and control characters;
// no HTML escaping), so a packet carries the bytes a Node peer would send.
// The encoder of each Go type is built once and cached.
//
// [Args] and [Arg] values, the arguments received from a peer, are written
// exactly as they arrived (same JSON text, same binary), their placeholders
// renumbered to take their place among the other attachments. An Args
// given as one of args stands for all its arguments: Ack(e.Args) answers
// with the event's own arguments, Emit(name, e.Args) relays them; an Args
// nested inside another value is written as a JSON array.
//
// On error (a value encoding/json rejects, such as a func, a channel or a
// NaN; a failing MarshalJSON; nesting deeper than [MaxDepth], as a cyclic
// value would have: [ErrTooDeep]) it returns nil, nil and the error.
func EncodeArgs(args []any) (json.RawMessage, [][]byte, error) {
	// the reflection encoders make the encoder escape: reuse them
	e := encoderPool.Get().(*argEncoder)
	defer func() {
		clear(e.keys[:cap(e.keys)]) // keep no strings alive
		e.att, e.keys = nil, e.keys[:0]
		if cap(e.keys) <= 256 {
			encoderPool.Put(e)
		}
	}()
	dst := make([]byte, 0, 64)
	dst = append(dst, '[')
	n := 0
	var err error
	for _, v := range args {
		switch a := v.(type) {
		case Args:
			dst, n, err = e.spliceArgs(dst, a, n)
		case *Args:
			if a != nil {
				dst, n, err = e.spliceArgs(dst, *a, n)
				break
			}
			dst, n, err = e.appendElem(dst, nil, n)
		default:
			dst, n, err = e.appendElem(dst, v, n)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	return append(dst, ']'), e.att, nil
}

// topLevel is the nesting of the arguments themselves: the payload array
// is level 1.
var topLevel = level{depth: 1}

func (e *argEncoder) appendElem(dst []byte, v any, n int) ([]byte, int, error) {
	if n > 0 {
		dst = append(dst, ',')
	}
	dst, err := e.appendValue(dst, v, topLevel)
	return dst, n + 1, err
}

// spliceArgs writes the arguments of a as elements of the payload array.
func (e *argEncoder) spliceArgs(dst []byte, a Args, n int) ([]byte, int, error) {
	for i := range a.raw {
		if n > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = e.appendArg(dst, a.Arg(i), topLevel); err != nil {
			return nil, n, err
		}
		n++
	}
	return dst, n, nil
}

// argEncoder accumulates the attachments of one payload.
type argEncoder struct {
	att  [][]byte
	keys []string // reused by the map[string]any fast path
	refs []phRef  // reused by appendArg
}

var encoderPool = sync.Pool{New: func() any { return new(argEncoder) }}

// level is where a value is written: depth counts the enclosing arrays and
// objects (the payload array is 1); chain counts the pointers and
// interfaces followed since the last array or object (a cycle of pointers
// writes nothing, so depth alone would not stop it); quoted is the string
// option of the struct field being written.
type level struct {
	depth  int
	chain  int
	quoted bool
}

// nest returns the level of the elements of an array or object written at
// l, or ErrTooDeep.
func (l level) nest() (level, error) {
	if l.depth >= MaxDepth {
		return level{}, ErrTooDeep
	}
	return level{depth: l.depth + 1}, nil
}

// follow returns the level after a pointer or an interface, or ErrTooDeep.
func (l level) follow() (level, error) {
	if l.chain >= MaxDepth {
		return level{}, ErrTooDeep
	}
	l.chain++
	return l, nil
}

// appendValue writes v; the common dynamic types take a path without
// reflection, the others the cached encoder of their type.
func (e *argEncoder) appendValue(dst []byte, v any, l level) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		return e.appendAttachment(dst, x), nil
	case string:
		return AppendJSONString(dst, x), nil
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case float64:
		return appendFloat(dst, x, 64, false)
	case []any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		return e.appendAnySlice(dst, x, l)
	case map[string]any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		return e.appendAnyMap(dst, x, l)
	case Arg:
		return e.appendArg(dst, x, l)
	case Args:
		return e.appendArgsArray(dst, x, l)
	}
	return e.appendReflect(dst, reflect.ValueOf(v), l)
}

// appendReflect writes v with the cached encoder of its type.
func (e *argEncoder) appendReflect(dst []byte, v reflect.Value, l level) ([]byte, error) {
	if !v.IsValid() {
		return append(dst, "null"...), nil
	}
	return encoderOf(v.Type())(e, dst, v, l)
}

// appendAttachment writes a placeholder for b and records b.
func (e *argEncoder) appendAttachment(dst []byte, b []byte) []byte {
	dst = append(dst, `{"_placeholder":true,"num":`...)
	dst = strconv.AppendInt(dst, int64(len(e.att)), 10)
	if b == nil {
		b = []byte{}
	}
	e.att = append(e.att, b)
	return append(dst, '}')
}

func (e *argEncoder) appendAnySlice(dst []byte, a []any, l level) ([]byte, error) {
	in, err := l.nest()
	if err != nil {
		return nil, err
	}
	dst = append(dst, '[')
	for i, v := range a {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = e.appendValue(dst, v, in); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
}

func (e *argEncoder) appendAnyMap(dst []byte, m map[string]any, l level) ([]byte, error) {
	in, err := l.nest()
	if err != nil {
		return nil, err
	}
	// reuse one key buffer across maps: keys are copied out before recursing
	start := len(e.keys)
	for k := range m {
		e.keys = append(e.keys, k)
	}
	keys := e.keys[start:]
	slices.Sort(keys)
	dst = append(dst, '{')
	for i := range keys {
		k := e.keys[start+i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendJSONString(dst, k)
		dst = append(dst, ':')
		if dst, err = e.appendValue(dst, m[k], in); err != nil {
			return nil, err
		}
	}
	e.keys = e.keys[:start]
	return append(dst, '}'), nil
}

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string escaped as JSON.stringify
// does: quote, backslash and control characters only; invalid UTF-8
// becomes U+FFFD. Packets therefore carry the bytes a Node peer would
// send for the same string.
func AppendJSONString(dst []byte, s string) []byte { return appendJSONString(dst, s) }

func appendJSONString[T string | []byte](dst []byte, s T) []byte {
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
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		// a short conversion, which does not allocate
		r, size := utf8.DecodeRuneInString(string(s[i:min(len(s), i+utf8.UTFMax)]))
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...) // raw UTF-8 of U+FFFD
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
