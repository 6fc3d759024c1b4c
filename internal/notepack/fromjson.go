package notepack

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// AppendMsgpack appends to dst the MessagePack that notepack.io writes for
// the JavaScript value JSON.parse makes of data, a Socket.IO payload:
// integral numbers in their smallest integer form, other numbers as
// float64; invalid UTF-8 and lone surrogates in strings as U+FFFD. A
// placeholder, an object of exactly the two members "_placeholder": true
// and "num": i with i < len(att), is written as the bin att[i], at any
// depth. Nesting past DefaultMaxDepth, or data that is not exactly one
// JSON value, is an error wrapping ErrJSON. It does not allocate when dst
// has room.
func AppendMsgpack(dst, data []byte, att [][]byte) ([]byte, error) {
	var counts countList
	w := jsonToMsgpack{data: data, att: att}
	i := skipJSONSpace(data, 0)
	end, err := w.count(i, 0, &counts)
	if err != nil {
		return nil, err
	}
	if skipJSONSpace(data, end) != len(data) {
		return nil, errJSON("trailing data")
	}
	dst, _ = w.write(dst, i, &counts)
	return dst, nil
}

func errJSON(msg string) error { return &jsonError{msg} }

type jsonError struct{ msg string }

func (e *jsonError) Error() string { return "notepack: invalid JSON: " + e.msg }
func (e *jsonError) Unwrap() error { return ErrJSON }

var errJSONSyntax = errJSON("syntax error")

// countList holds the counts of jsonToMsgpack, the first ones in an array
// so that most packets need no allocation for them.
type countList struct {
	n     int
	first [32]int32
	more  []int32
}

func (l *countList) add() int {
	if l.n >= len(l.first) {
		l.more = append(l.more, 0)
	}
	l.n++
	return l.n - 1
}

func (l *countList) set(i int, v int32) {
	if i < len(l.first) {
		l.first[i] = v
	} else {
		l.more[i-len(l.first)] = v
	}
}

func (l *countList) get(i int) int32 {
	if i < len(l.first) {
		return l.first[i]
	}
	return l.more[i-len(l.first)]
}

// truncate keeps the first n counts.
func (l *countList) truncate(n int) {
	l.n = n
	if n > len(l.first) {
		l.more = l.more[:n-len(l.first)]
	} else {
		l.more = l.more[:0]
	}
}

// jsonToMsgpack transcodes in two passes: count validates the JSON and
// records, for each array and object in the order they open, its element
// count (or, for a placeholder, -1-num); write then writes the MessagePack,
// whose headers need those counts before the elements. (The counts are
// passed along rather than kept in the struct, so that their first array
// can stay on the caller's stack.)
type jsonToMsgpack struct {
	data []byte
	att  [][]byte
	next int // write's position in the counts
}

func skipJSONSpace(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\n' || d[i] == '\r') {
		i++
	}
	return i
}

// count scans the value at d[i], appends the counts of its containers
// to counts and returns the index after it.
func (w *jsonToMsgpack) count(i, depth int, counts *countList) (int, error) {
	d := w.data
	if i >= len(d) {
		return 0, errJSONSyntax
	}
	var end int
	var err error
	switch c := d[i]; {
	case c == '"':
		end, err = jsonStringEnd(d, i)
	case c == '[':
		return w.countArray(i, depth, counts)
	case c == '{':
		return w.countObject(i, depth, counts)
	case c == 't':
		end, err = jsonLiteralEnd(d, i, "true")
	case c == 'f':
		end, err = jsonLiteralEnd(d, i, "false")
	case c == 'n':
		end, err = jsonLiteralEnd(d, i, "null")
	case c == '-' || '0' <= c && c <= '9':
		end, err = jsonNumberEnd(d, i)
	default:
		err = errJSONSyntax
	}
	return end, err
}

func (w *jsonToMsgpack) countArray(i, depth int, counts *countList) (int, error) {
	d := w.data
	if depth >= DefaultMaxDepth {
		return 0, errJSON("nested too deeply")
	}
	idx := counts.add()
	n := int32(0)
	i = skipJSONSpace(d, i+1)
	if i < len(d) && d[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = w.count(i, depth+1, counts); err != nil {
			return 0, err
		}
		n++
		if i = skipJSONSpace(d, i); i >= len(d) {
			return 0, errJSONSyntax
		}
		if d[i] == ']' {
			counts.set(idx, n)
			return i + 1, nil
		}
		if d[i] != ',' {
			return 0, errJSONSyntax
		}
		i = skipJSONSpace(d, i+1)
	}
}

func (w *jsonToMsgpack) countObject(i, depth int, counts *countList) (int, error) {
	d := w.data
	if depth >= DefaultMaxDepth {
		return 0, errJSON("nested too deeply")
	}
	idx := counts.add()
	n := int32(0)
	isPh, num := false, -1
	i = skipJSONSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return 0, errJSONSyntax
		}
		keyStart := i
		end, err := jsonStringEnd(d, i)
		if err != nil {
			return 0, err
		}
		key := d[keyStart:end]
		if i = skipJSONSpace(d, end); i >= len(d) || d[i] != ':' {
			return 0, errJSONSyntax
		}
		valStart := skipJSONSpace(d, i+1)
		if i, err = w.count(valStart, depth+1, counts); err != nil {
			return 0, err
		}
		if len(w.att) > 0 {
			switch {
			case w.keyIs(key, "_placeholder"):
				isPh = string(d[valStart:i]) == "true"
			case w.keyIs(key, "num"):
				num = plainIndex(d[valStart:i])
			}
		}
		n++
		if i = skipJSONSpace(d, i); i >= len(d) {
			return 0, errJSONSyntax
		}
		if d[i] == '}' {
			break
		}
		if d[i] != ',' {
			return 0, errJSONSyntax
		}
		i = skipJSONSpace(d, i+1)
	}
	if n == 2 && isPh && num >= 0 && num < len(w.att) {
		counts.truncate(idx + 1) // nothing nested to write
		counts.set(idx, -1-int32(num))
	} else {
		counts.set(idx, n)
	}
	return i + 1, nil
}

// keyIs reports whether the JSON string token raw denotes s.
func (w *jsonToMsgpack) keyIs(raw []byte, s string) bool {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == s
	}
	var tmp [16]byte
	return string(unescapeJSON(tmp[:0], inner)) == s
}

// plainIndex parses a run of at most 9 decimal digits, or returns -1.
func plainIndex(b []byte) int {
	if len(b) == 0 || len(b) > 9 {
		return -1
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// write writes the value at d[i], which count has checked, and returns
// the index after it.
func (w *jsonToMsgpack) write(dst []byte, i int, counts *countList) ([]byte, int) {
	d := w.data
	switch c := d[i]; {
	case c == '"':
		return w.appendString(dst, i)
	case c == '[':
		n := int(counts.get(w.next))
		w.next++
		dst = AppendArrayHeader(dst, n)
		i = skipJSONSpace(d, i+1)
		if n == 0 {
			return dst, skipJSONSpace(d, i) + 1
		}
		for {
			dst, i = w.write(dst, i, counts)
			i = skipJSONSpace(d, i)
			if d[i] == ']' {
				return dst, i + 1
			}
			i = skipJSONSpace(d, i+1)
		}
	case c == '{':
		n := int(counts.get(w.next))
		w.next++
		if n < 0 {
			dst = AppendBin(dst, w.att[-1-n])
			return dst, w.skipPlaceholder(i)
		}
		dst = AppendMapHeader(dst, n)
		i = skipJSONSpace(d, i+1)
		if n == 0 {
			return dst, i + 1
		}
		for {
			dst, i = w.appendString(dst, i)
			i = skipJSONSpace(d, skipJSONSpace(d, i)+1) // past ':'
			dst, i = w.write(dst, i, counts)
			i = skipJSONSpace(d, i)
			if d[i] == '}' {
				return dst, i + 1
			}
			i = skipJSONSpace(d, i+1)
		}
	case c == 't':
		return append(dst, 0xc3), i + 4
	case c == 'f':
		return append(dst, 0xc2), i + 5
	case c == 'n':
		return append(dst, 0xc0), i + 4
	}
	end, _ := jsonNumberEnd(d, i)
	return appendJSONNumber(dst, d[i:end]), end
}

// skipPlaceholder returns the index after the placeholder object at
// d[i]: its values are scalars, so the first '}' outside a string ends it.
func (w *jsonToMsgpack) skipPlaceholder(i int) int {
	d := w.data
	for i++; ; i++ {
		switch d[i] {
		case '"':
			i, _ = jsonStringEnd(d, i)
			i--
		case '}':
			return i + 1
		}
	}
}

// appendString writes the JSON string whose quote is d[i] (checked by
// count) and returns the index after it.
func (w *jsonToMsgpack) appendString(dst []byte, i int) ([]byte, int) {
	d := w.data
	if end := plainStringEnd(d, i); end >= 0 {
		return appendStrBytes(dst, d[i+1:end-1]), end
	}
	end, _ := jsonStringEnd(d, i)
	raw := d[i+1 : end-1]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return appendStrBytes(dst, raw), end
	}
	// unescape after room for the largest header, then move the text
	// next to the header it needs
	at := len(dst)
	dst = unescapeJSON(append(dst, 0, 0, 0, 0, 0), raw)
	n := len(dst) - at - 5
	hdr := appendStrHeader(dst[at:at], n) // in place
	copy(dst[at+len(hdr):], dst[at+5:])
	return dst[:at+len(hdr)+n], end
}

// appendStrBytes writes valid UTF-8 s as a str.
func appendStrBytes(dst, s []byte) []byte {
	return append(appendStrHeader(dst, len(s)), s...)
}

// appendStrHeader writes the header of a str of n bytes.
func appendStrHeader(dst []byte, n int) []byte {
	switch {
	case n < 32:
		return append(dst, 0xa0|byte(n))
	case n < 0x100:
		return append(dst, 0xd9, byte(n))
	case n < 0x10000:
		return append(dst, 0xda, byte(n>>8), byte(n))
	}
	return append(dst, 0xdb, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

// unescapeJSON appends the text of the valid JSON string body raw;
// invalid UTF-8 and lone surrogates become U+FFFD.
func unescapeJSON(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			if c < utf8.RuneSelf {
				dst = append(dst, c)
				i++
				continue
			}
			r, size := utf8.DecodeRune(raw[i:])
			dst = utf8.AppendRune(dst, r) // RuneError for an invalid byte
			i += size
			continue
		}
		e := raw[i+1]
		i += 2
		switch e {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(raw[i:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					r2 = hex4(raw[i+2:])
				}
				if p := utf16.DecodeRune(r, r2); p != utf8.RuneError {
					r = p
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, e)
		}
	}
	return dst
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// appendJSONNumber writes the valid JSON number s as notepack.io writes
// the JavaScript number it denotes.
func appendJSONNumber(dst, s []byte) []byte {
	integer := bytes.IndexAny(s, ".eE") < 0
	if integer && len(s) <= 18 { // fits an int64: no parsing error possible
		neg := s[0] == '-'
		var n int64
		for _, c := range s[btoi(neg):] {
			n = n*10 + int64(c-'0')
		}
		if neg {
			n = -n
		}
		return AppendInt(dst, n)
	}
	if integer {
		if n, err := strconv.ParseInt(string(s), 10, 64); err == nil {
			return AppendInt(dst, n)
		}
		if n, err := strconv.ParseUint(string(s), 10, 64); err == nil {
			return AppendUint(dst, n)
		}
	}
	// the only error left for a valid number is a range error, where
	// ParseFloat gives what JSON.parse gives: ±Infinity, or 0
	f, _ := strconv.ParseFloat(string(s), 64)
	return AppendFloat(dst, f)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func jsonLiteralEnd(d []byte, i int, lit string) (int, error) {
	if len(d)-i >= len(lit) && string(d[i:i+len(lit)]) == lit {
		return i + len(lit), nil
	}
	return 0, errJSONSyntax
}

// jsonNumberEnd scans the JSON number grammar from d[i].
func jsonNumberEnd(d []byte, i int) (int, error) {
	digits := func() int {
		n := 0
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if d[i] == '-' {
		i++
	}
	if i < len(d) && d[i] == '0' {
		i++
	} else if digits() == 0 {
		return 0, errJSONSyntax
	}
	if i < len(d) && d[i] == '.' {
		i++
		if digits() == 0 {
			return 0, errJSONSyntax
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, errJSONSyntax
		}
	}
	return i, nil
}

// plainASCII marks the bytes a JSON string holds as they are and that are
// ASCII: a run of them needs neither unescaping nor UTF-8 checks.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainStringEnd returns the index after the JSON string whose quote is
// d[i] if its body is plain ASCII, or -1 (the string may still be valid).
func plainStringEnd(d []byte, i int) int {
	for i++; i < len(d); i++ {
		if c := d[i]; !plainASCII[c] {
			if c == '"' {
				return i + 1
			}
			return -1
		}
	}
	return -1
}

// jsonStringEnd scans the JSON string whose quote is d[i] and returns the
// index after its closing quote.
func jsonStringEnd(d []byte, i int) (int, error) {
	for i++; i < len(d); i++ {
		c := d[i]
		if plainASCII[c] || c >= 0x80 {
			continue
		}
		switch {
		case c == '"':
			return i + 1, nil
		case c == '\\':
			if i+1 >= len(d) {
				return 0, errJSONSyntax
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if len(d)-i < 6 || !isHexDigit(d[i+2]) || !isHexDigit(d[i+3]) || !isHexDigit(d[i+4]) || !isHexDigit(d[i+5]) {
					return 0, errJSONSyntax
				}
				i += 5
			default:
				return 0, errJSONSyntax
			}
		default: // a control character
			return 0, errJSONSyntax
		}
	}
	return 0, errJSONSyntax
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
