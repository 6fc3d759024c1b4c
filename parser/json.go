package parser

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// MaxDepth is the deepest nesting of JSON arrays and objects in an EVENT or
// ACK payload, counting the payload's own array as level 1 (so an argument
// may nest MaxDepth-1 levels). It is one limit for both directions: the
// decoder rejects a deeper payload (an error wrapping [ErrInvalidPayload],
// which closes the connection), and [EncodeArgs] refuses to write one
// ([ErrTooDeep]), which also stops cyclic values. Whatever a peer could
// send can therefore be sent back unchanged, e.g. acknowledged with its
// own arguments. encoding/json has the same limit (10000) for decoding.
const MaxDepth = 10000

// errNesting is the decoder's error for a payload deeper than MaxDepth.
var errNesting = wrapError(ErrInvalidPayload, "nested deeper than MaxDepth (10000) levels")

// scanner validates JSON in one pass, by slicing, and optionally checks the
// placeholders of a binary packet. A zero scanner only validates.
type scanner struct {
	data []byte
	err  error // set when a placeholder is illegal or the nesting too deep; otherwise failures are syntax errors

	// placeholder checking (binary packets)
	check bool
	n     int      // number of attachments
	seen  uint64   // placeholders used, when n <= 64
	seenN []uint64 // placeholders used, when n > 64 (allocated lazily)

	// set by object for the object it has just scanned
	objPlaceholder bool // "_placeholder" is true (last key wins, as in JSON.parse)
	objNumStart    int  // span of the "num" value, -1 if absent
	objNumEnd      int
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(d []byte, i int) int {
	for i < len(d) && isSpace(d[i]) {
		i++
	}
	return i
}

func trimSpace(d []byte) []byte {
	i, j := 0, len(d)
	for i < j && isSpace(d[i]) {
		i++
	}
	for j > i && isSpace(d[j-1]) {
		j--
	}
	return d[i:j]
}

// validate reports whether s.data is exactly one JSON value. The caller trims
// the surrounding whitespace.
func (s *scanner) validate() bool {
	end := s.value(0, 0)
	return end == len(s.data)
}

// value scans the value starting at d[i] (no leading whitespace) and returns
// the index just after it, or -1.
func (s *scanner) value(i, depth int) int {
	d := s.data
	if i >= len(d) {
		return -1
	}
	switch c := d[i]; c {
	case '"':
		return stringEnd(d, i)
	case '{':
		return s.object(i, depth+1)
	case '[':
		return s.array(i, depth+1)
	case 't':
		return literalEnd(d, i, "true")
	case 'f':
		return literalEnd(d, i, "false")
	case 'n':
		return literalEnd(d, i, "null")
	default:
		if c == '-' || isDigit(c) {
			return numberEnd(d, i)
		}
		return -1
	}
}

func (s *scanner) array(i, depth int) int {
	if depth > MaxDepth {
		s.err = errNesting
		return -1
	}
	d := s.data
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == ']' {
		return i + 1
	}
	for {
		if i = s.value(i, depth); i < 0 {
			return -1
		}
		if i = skipSpace(d, i); i >= len(d) {
			return -1
		}
		switch d[i] {
		case ']':
			return i + 1
		case ',':
			i = skipSpace(d, i+1)
		default:
			return -1
		}
	}
}

func (s *scanner) object(i, depth int) int {
	if depth > MaxDepth {
		s.err = errNesting
		return -1
	}
	d := s.data
	isPh, numStart, numEnd := false, -1, -1
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		i++
		goto done
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return -1
		}
		keyStart := i
		if i = stringEnd(d, i); i < 0 {
			return -1
		}
		key := d[keyStart:i]
		if i = skipSpace(d, i); i >= len(d) || d[i] != ':' {
			return -1
		}
		valStart := skipSpace(d, i+1)
		if i = s.value(valStart, depth); i < 0 {
			return -1
		}
		switch {
		case stringIs(key, "_placeholder"):
			isPh = string(d[valStart:i]) == "true"
		case stringIs(key, "num"):
			numStart, numEnd = valStart, i
		}
		if i = skipSpace(d, i); i >= len(d) {
			return -1
		}
		if d[i] == '}' {
			i++
			break
		}
		if d[i] != ',' {
			return -1
		}
		i = skipSpace(d, i+1)
	}
done:
	if s.check && isPh && !s.usePlaceholder(numStart, numEnd) {
		return -1
	}
	s.objPlaceholder, s.objNumStart, s.objNumEnd = isPh, numStart, numEnd
	return i
}

// usePlaceholder checks the num of a placeholder object and marks it used.
func (s *scanner) usePlaceholder(start, end int) bool {
	num, ok := placeholderNum(s.data, start, end)
	if !ok || num >= s.n {
		s.err = wrapError(ErrIllegalAttachments, "placeholder num missing, not an integer or out of range")
		return false
	}
	if s.n <= 64 {
		bit := uint64(1) << uint(num)
		if s.seen&bit != 0 {
			s.err = wrapError(ErrIllegalAttachments, "placeholder num used twice")
			return false
		}
		s.seen |= bit
		return true
	}
	if s.seenN == nil {
		s.seenN = make([]uint64, (s.n+63)/64)
	}
	w, bit := num/64, uint64(1)<<uint(num%64)
	if s.seenN[w]&bit != 0 {
		s.err = wrapError(ErrIllegalAttachments, "placeholder num used twice")
		return false
	}
	s.seenN[w] |= bit
	return true
}

// placeholderNum parses d[start:end] as a placeholder index: a plain run of
// decimal digits (no sign, fraction or exponent) that fits an int32.
func placeholderNum(d []byte, start, end int) (int, bool) {
	if start < 0 || end-start < 1 || end-start > 9 {
		return 0, false
	}
	n := 0
	for _, c := range d[start:end] {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func literalEnd(d []byte, i int, lit string) int {
	if len(d)-i >= len(lit) && string(d[i:i+len(lit)]) == lit {
		return i + len(lit)
	}
	return -1
}

// numberEnd scans a JSON number starting at d[i].
func numberEnd(d []byte, i int) int {
	if d[i] == '-' {
		i++
	}
	switch {
	case i >= len(d):
		return -1
	case d[i] == '0':
		i++
	case isDigit(d[i]):
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		return -1
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return -1
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return -1
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	return i
}

// stringEnd scans a JSON string whose opening quote is d[i] and returns the
// index after its closing quote, or -1. Like encoding/json it does not check
// that the bytes are valid UTF-8.
func stringEnd(d []byte, i int) int {
	i++
	for i < len(d) {
		c := d[i]
		if plainStringByte[c] {
			i++
			continue
		}
		switch {
		case c == '"':
			return i + 1
		case c == '\\':
			if i+1 >= len(d) {
				return -1
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(d)-i < 6 || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) || !isHex(d[i+5]) {
					return -1
				}
				i += 6
			default:
				return -1
			}
		case c < 0x20:
			return -1
		default:
			i++
		}
	}
	return -1
}

// plainStringByte marks the bytes that a JSON string may hold as they are.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// stringIs reports whether the JSON string token raw (with its quotes)
// denotes s.
func stringIs(raw []byte, s string) bool {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == s
	}
	u, ok := unquote(raw)
	return ok && u == s
}

// unquote decodes a valid JSON string token.
func unquote(raw []byte) (string, bool) {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

var reservedEvents = [...]string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}

// IsReservedEvent reports whether name is one of the event names that a peer
// may not send: connect, connect_error, disconnect, disconnecting,
// newListener and removeListener.
func IsReservedEvent(name string) bool {
	for _, r := range reservedEvents {
		if name == r {
			return true
		}
	}
	return false
}

// firstElement returns the span of the first element of the array d (valid
// JSON, no surrounding whitespace), or ok=false if d is not a non-empty
// array or its first element is malformed.
func firstElement(d []byte) (elem []byte, ok bool) {
	if len(d) == 0 || d[0] != '[' {
		return nil, false
	}
	i := skipSpace(d, 1)
	if i >= len(d) {
		return nil, false
	}
	var end int
	switch c := d[i]; {
	case c == '"':
		end = stringEnd(d, i)
	case c == '-' || isDigit(c):
		end = numberEnd(d, i)
	default:
		return d[i : i+1], true // a value that is neither a string nor a number
	}
	if end < 0 {
		return nil, false
	}
	return d[i:end], true
}

// validEventName reports whether the first element of a valid array d is an
// acceptable event name: a number, or a string that is not reserved.
func validEventName(d []byte) bool {
	e, ok := firstElement(d)
	if !ok {
		return false
	}
	switch e[0] {
	case '"':
		if inner := e[1 : len(e)-1]; bytes.IndexByte(inner, '\\') < 0 {
			return !IsReservedEvent(string(inner)) // no allocation
		}
		name, ok := unquote(e)
		return ok && !IsReservedEvent(name)
	case ']':
		return false
	default:
		return e[0] == '-' || isDigit(e[0])
	}
}

// EventName returns the event name of an Event or BinaryEvent payload: the
// first element of the array, a string, or a number rendered as JavaScript's
// String(number) does (so 1.0 gives "1" and 1e21 gives "1e+21"). It reads only
// the first element. It returns an error wrapping [ErrInvalidPayload] if data
// is not an array whose first element is a string or a number; it does not
// check the reserved names (the decoder has already rejected them).
func EventName(data json.RawMessage) (string, error) {
	d := trimSpace(data)
	e, ok := firstElement(d)
	if ok {
		switch c := e[0]; {
		case c == '"':
			if name, ok := unquote(e); ok {
				return name, nil
			}
		case c == '-' || isDigit(c):
			return jsNumber(e), nil
		}
	}
	return "", wrapError(ErrInvalidPayload, "event name must be a string or a number")
}

// jsNumber renders a JSON number like JavaScript's Number.prototype.toString.
func jsNumber(raw []byte) string {
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil && !math.IsInf(f, 0) {
		return string(raw)
	}
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	if a := math.Abs(f); a >= 1e-6 && a < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // e.g. 1.5e-07, 1e+21
	if i := strings.IndexByte(s, 'e'); i >= 0 && i+3 < len(s) && s[i+2] == '0' {
		s = s[:i+2] + s[i+3:]
	}
	return s
}

// SplitArray splits the JSON array data into its elements, each without
// surrounding whitespace, without decoding them. The elements alias data. It
// validates the whole array and returns an error wrapping [ErrInvalidPayload]
// if data is not exactly one JSON array.
func SplitArray(data json.RawMessage) ([]json.RawMessage, error) {
	d := trimSpace(data)
	if len(d) == 0 || d[0] != '[' {
		return nil, wrapError(ErrInvalidPayload, "not an array")
	}
	s := scanner{data: d}
	out := make([]json.RawMessage, 0, 4)
	i := skipSpace(d, 1)
	if i < len(d) && d[i] == ']' {
		if skipSpace(d, i+1) != len(d) {
			return nil, wrapError(ErrInvalidPayload, "not an array")
		}
		return out, nil
	}
	for {
		end := s.value(i, 1)
		if end < 0 {
			return nil, wrapError(ErrInvalidPayload, "malformed JSON")
		}
		out = append(out, json.RawMessage(d[i:end:end]))
		i = skipSpace(d, end)
		if i >= len(d) {
			return nil, wrapError(ErrInvalidPayload, "malformed JSON")
		}
		if d[i] == ']' {
			if i+1 != len(d) {
				return nil, wrapError(ErrInvalidPayload, "malformed JSON")
			}
			return out, nil
		}
		if d[i] != ',' {
			return nil, wrapError(ErrInvalidPayload, "malformed JSON")
		}
		i = skipSpace(d, i+1)
	}
}

// Placeholder reports whether raw is a placeholder object, one whose
// "_placeholder" member is true, and returns its "num" member. ok is false
// when raw is not a valid JSON object, is not a placeholder, or has a num
// that is not a plain non-negative integer. Placeholders are only meaningful
// in BinaryEvent and BinaryAck payloads, where the decoder has already
// checked that every num indexes an attachment.
func Placeholder(raw json.RawMessage) (num int, ok bool) {
	d := trimSpace(raw)
	if len(d) == 0 || d[0] != '{' {
		return 0, false
	}
	s := scanner{data: d}
	if s.object(0, 1) != len(d) || !s.objPlaceholder {
		return 0, false
	}
	return placeholderNum(d, s.objNumStart, s.objNumEnd)
}
