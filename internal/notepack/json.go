package notepack

import (
	"errors"
	"math"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gosio/socketio/parser"
)

// ErrJSON is returned by FromJSON for text that is not JSON.
var ErrJSON = errors.New("notepack: invalid JSON")

// FromJSON parses a Socket.IO payload (JSON whose binary values are
// {"_placeholder":true,"num":i} objects) into a value tree in which each
// placeholder is replaced by att[i]. Object keys keep their order. Integers
// become int64 (uint64 past MaxInt64), other numbers float64.
func FromJSON(data []byte, att [][]byte) (any, error) {
	p := jsonParser{b: data, att: att}
	p.ws()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.off != len(p.b) {
		return nil, ErrJSON
	}
	return v, nil
}

type jsonParser struct {
	b   []byte
	off int
	att [][]byte
}

func (p *jsonParser) ws() {
	for p.off < len(p.b) {
		switch p.b[p.off] {
		case ' ', '\t', '\n', '\r':
			p.off++
		default:
			return
		}
	}
}

func (p *jsonParser) lit(s string, v any) (any, error) {
	if len(p.b)-p.off < len(s) || string(p.b[p.off:p.off+len(s)]) != s {
		return nil, ErrJSON
	}
	p.off += len(s)
	return v, nil
}

func (p *jsonParser) value(depth int) (any, error) {
	if depth > MaxDepth {
		return nil, ErrJSON
	}
	if p.off >= len(p.b) {
		return nil, ErrJSON
	}
	switch c := p.b[p.off]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		p.off++
		out := []any{}
		p.ws()
		if p.off < len(p.b) && p.b[p.off] == ']' {
			p.off++
			return out, nil
		}
		for {
			p.ws()
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
			p.ws()
			if p.off >= len(p.b) {
				return nil, ErrJSON
			}
			if p.b[p.off] == ',' {
				p.off++
				continue
			}
			if p.b[p.off] == ']' {
				p.off++
				return out, nil
			}
			return nil, ErrJSON
		}
	case c == '"':
		return p.str()
	case c == 't':
		return p.lit("true", true)
	case c == 'f':
		return p.lit("false", false)
	case c == 'n':
		return p.lit("null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, ErrJSON
}

func (p *jsonParser) object(depth int) (any, error) {
	p.off++
	out := Map{}
	p.ws()
	if p.off < len(p.b) && p.b[p.off] == '}' {
		p.off++
		return p.placeholder(out), nil
	}
	for {
		p.ws()
		if p.off >= len(p.b) || p.b[p.off] != '"' {
			return nil, ErrJSON
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.ws()
		if p.off >= len(p.b) || p.b[p.off] != ':' {
			return nil, ErrJSON
		}
		p.off++
		p.ws()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		key := k.(string)
		replaced := false
		for i := range out {
			if out[i].Key == key {
				out[i].Val, replaced = v, true
				break
			}
		}
		if !replaced {
			out = append(out, KV{key, v})
		}
		p.ws()
		if p.off >= len(p.b) {
			return nil, ErrJSON
		}
		if p.b[p.off] == ',' {
			p.off++
			continue
		}
		if p.b[p.off] == '}' {
			p.off++
			return p.placeholder(out), nil
		}
		return nil, ErrJSON
	}
}

// placeholder returns the attachment m stands for, or m.
func (p *jsonParser) placeholder(m Map) any {
	if len(m) != 2 || len(p.att) == 0 {
		return m
	}
	ph, _ := m.Get("_placeholder")
	num, _ := m.Get("num")
	if ph != true {
		return m
	}
	var i int64 = -1
	switch n := num.(type) {
	case int64:
		i = n
	case float64:
		if n == math.Trunc(n) {
			i = int64(n)
		}
	}
	if i < 0 || i >= int64(len(p.att)) {
		return m
	}
	b := p.att[i]
	if b == nil {
		b = []byte{}
	}
	return b
}

func (p *jsonParser) digits() int {
	n := 0
	for p.off < len(p.b) && p.b[p.off] >= '0' && p.b[p.off] <= '9' {
		p.off++
		n++
	}
	return n
}

// number parses the JSON number grammar exactly.
func (p *jsonParser) number() (any, error) {
	start := p.off
	isInt := true
	if p.b[p.off] == '-' {
		p.off++
	}
	if p.off < len(p.b) && p.b[p.off] == '0' {
		p.off++
	} else if p.digits() == 0 {
		return nil, ErrJSON
	}
	if p.off < len(p.b) && p.b[p.off] == '.' {
		isInt = false
		p.off++
		if p.digits() == 0 {
			return nil, ErrJSON
		}
	}
	if p.off < len(p.b) && (p.b[p.off] == 'e' || p.b[p.off] == 'E') {
		isInt = false
		p.off++
		if p.off < len(p.b) && (p.b[p.off] == '+' || p.b[p.off] == '-') {
			p.off++
		}
		if p.digits() == 0 {
			return nil, ErrJSON
		}
	}
	s := string(p.b[start:p.off])
	if isInt {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		if n, err := strconv.ParseUint(s, 10, 64); err == nil {
			return n, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return f, nil
		}
		return nil, ErrJSON
	}
	return f, nil
}

func (p *jsonParser) str() (any, error) {
	p.off++ // opening quote
	start := p.off
	for p.off < len(p.b) {
		c := p.b[p.off]
		if c == '"' {
			s := string(p.b[start:p.off])
			p.off++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return nil, ErrJSON
		}
		p.off++
	}
	buf := []byte(string(p.b[start:p.off]))
	for p.off < len(p.b) {
		c := p.b[p.off]
		switch {
		case c == '"':
			p.off++
			return string(buf), nil
		case c < 0x20:
			return nil, ErrJSON
		case c != '\\':
			buf = append(buf, c)
			p.off++
			continue
		}
		p.off++
		if p.off >= len(p.b) {
			return nil, ErrJSON
		}
		e := p.b[p.off]
		p.off++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return nil, ErrJSON
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if p.off+1 < len(p.b) && p.b[p.off] == '\\' && p.b[p.off+1] == 'u' {
					save := p.off
					p.off += 2
					if x, ok := p.hex4(); ok {
						r2 = x
					} else {
						p.off = save
					}
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					r = d
				} else {
					r = utf8.RuneError
					if r2 >= 0 {
						buf = utf8.AppendRune(buf, r)
						r = r2
						if utf16.IsSurrogate(r) {
							r = utf8.RuneError
						}
					}
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return nil, ErrJSON
		}
	}
	return nil, ErrJSON
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.b)-p.off < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.b[p.off:p.off+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	p.off += 4
	return rune(n), true
}

// AppendJSON appends v as JSON the way JSON.stringify would write the
// JavaScript value notepack.io decodes v into, except that []byte values
// become placeholders {"_placeholder":true,"num":i} with the bytes appended
// to *att. Undefined is null in arrays and left out of maps; a time.Time is
// its ISO string; NaN and infinities are null; an Ext is [type, bytes].
func AppendJSON(dst []byte, v any, att *[][]byte) ([]byte, error) {
	return appendJSON(dst, v, att, 0)
}

func appendJSON(dst []byte, v any, att *[][]byte, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return nil, errDepth
	}
	switch x := v.(type) {
	case nil, Undefined:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case float64:
		return appendJSONFloat(dst, x), nil
	case string:
		return parser.AppendJSONString(dst, x), nil
	case []byte:
		if att == nil {
			// no attachments wanted: Node's Buffer.toJSON form
			dst = append(dst, `{"type":"Buffer","data":[`...)
			for i, c := range x {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = strconv.AppendUint(dst, uint64(c), 10)
			}
			return append(dst, "]}"...), nil
		}
		dst = append(dst, `{"_placeholder":true,"num":`...)
		dst = strconv.AppendInt(dst, int64(len(*att)), 10)
		*att = append(*att, x)
		return append(dst, '}'), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendJSON(dst, e, att, depth+1); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case Map:
		dst = append(dst, '{')
		first := true
		for _, kv := range x {
			if _, u := kv.Val.(Undefined); u {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = parser.AppendJSONString(dst, kv.Key)
			dst = append(dst, ':')
			var err error
			if dst, err = appendJSON(dst, kv.Val, att, depth+1); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	case time.Time:
		return parser.AppendJSONString(dst, x.UTC().Format("2006-01-02T15:04:05.000Z")), nil
	case Ext:
		dst = append(dst, '[')
		dst = strconv.AppendInt(dst, int64(x.Type), 10)
		dst = append(dst, ',')
		var err error
		if dst, err = appendJSON(dst, x.Data, att, depth+1); err != nil {
			return nil, err
		}
		return append(dst, ']'), nil
	}
	return nil, errors.New("notepack: unsupported type in AppendJSON")
}

// appendJSONFloat formats f as JavaScript's Number#toString does (the
// algorithm of encoding/json).
func appendJSONFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	if f == 0 {
		return append(dst, '0') // JSON.stringify(-0) is "0"
	}
	abs := math.Abs(f)
	fmt := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		fmt = 'e'
	}
	dst = strconv.AppendFloat(dst, f, fmt, -1, 64)
	if fmt == 'e' {
		// clean up e-09 to e-9
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}
