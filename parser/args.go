package parser

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"unicode/utf8"
)

// maxArgsDepth bounds the nesting of []any and map[string]any walked by
// EncodeArgs, so that a cyclic value fails instead of recursing forever.
const maxArgsDepth = 1000

var errArgsDepth = errors.New("socketio: arguments nested too deeply (cyclic value?)")

// EncodeArgs marshals event or ack arguments to a JSON array. Every []byte
// found at the top level or nested inside []any and map[string]any values is
// replaced by a placeholder {"_placeholder":true,"num":i} and returned as
// attachment i; i counts in depth-first order, map keys in sorted order (the
// order encoding/json writes them), so the placeholders appear in the text in
// increasing order. A nil []byte is an empty attachment. The attachments alias
// the caller's slices.
//
// Every other value goes through [encoding/json] (strings, numbers, booleans
// and nil are written directly, with the same escaping); []byte inside
// structs, typed slices or typed maps is therefore base64 text, not an
// attachment. A non-nil attachments result means the packet must be sent as
// BinaryEvent or BinaryAck.
//
// On error (a value encoding/json rejects, or nesting deeper than 1000
// levels, as a cyclic value would) it returns nil, nil and the error.
func EncodeArgs(args []any) (json.RawMessage, [][]byte, error) {
	e := argEncoder{}
	out, err := e.appendArray(make([]byte, 0, 64), args, 0)
	if err != nil {
		return nil, nil, err
	}
	return out, e.att, nil
}

type argEncoder struct {
	att  [][]byte
	keys []string
}

func (e *argEncoder) appendArray(dst []byte, a []any, depth int) ([]byte, error) {
	if depth > maxArgsDepth {
		return nil, errArgsDepth
	}
	dst = append(dst, '[')
	for i, v := range a {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = e.appendValue(dst, v, depth); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
}

func (e *argEncoder) appendValue(dst []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case []byte:
		dst = append(dst, `{"_placeholder":true,"num":`...)
		dst = strconv.AppendInt(dst, int64(len(e.att)), 10)
		if x == nil {
			x = []byte{}
		}
		e.att = append(e.att, x)
		return append(dst, '}'), nil
	case []any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		return e.appendArray(dst, x, depth+1)
	case map[string]any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		return e.appendMap(dst, x, depth+1)
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
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

func (e *argEncoder) appendMap(dst []byte, m map[string]any, depth int) ([]byte, error) {
	if depth > maxArgsDepth {
		return nil, errArgsDepth
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
		var err error
		if dst, err = e.appendValue(dst, m[k], depth); err != nil {
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
func AppendJSONString(dst []byte, s string) []byte {
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
		r, size := utf8.DecodeRuneInString(s[i:])
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
