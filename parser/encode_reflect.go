package parser

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The reflection encoder: one encodeFunc per Go type, built on first use and
// cached, writing what encoding/json writes except that byte slices become
// attachments and strings are escaped as JSON.stringify does.

// encodeFunc writes v, a value of the type it was built for, at level l.
type encodeFunc func(e *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error)

var encoders sync.Map // reflect.Type -> encodeFunc

// encoderOf returns the encoder of t, building it once.
func encoderOf(t reflect.Type) encodeFunc {
	if f, ok := encoders.Load(t); ok {
		return f.(encodeFunc)
	}
	// A recursive type meets itself while its encoder is built: store a
	// forwarder first, which waits for the real encoder (only another
	// goroutine racing this one can call it before it is ready).
	var (
		ready sync.WaitGroup
		built encodeFunc
	)
	ready.Add(1)
	fwd := encodeFunc(func(e *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
		ready.Wait()
		return built(e, dst, v, l)
	})
	if f, loaded := encoders.LoadOrStore(t, fwd); loaded {
		return f.(encodeFunc)
	}
	built = newEncoder(t, true)
	ready.Done()
	encoders.Store(t, built)
	return built
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
	numberType        = reflect.TypeFor[json.Number]()
	argType           = reflect.TypeFor[Arg]()
	argsType          = reflect.TypeFor[Args]()
)

// newEncoder builds the encoder of t, choosing as encoding/json does:
// MarshalJSON, then MarshalText (through a pointer when the value is
// addressable and only the pointer has the method), then the kind.
func newEncoder(t reflect.Type, allowAddr bool) encodeFunc {
	switch t {
	case argType:
		return encodeArg
	case argsType:
		return encodeArgs
	}
	if t.Kind() == reflect.Pointer && (t.Elem() == argType || t.Elem() == argsType) {
		return newPointerEncoder(t) // not their MarshalJSON
	}
	if t.Kind() != reflect.Pointer && allowAddr && reflect.PointerTo(t).Implements(marshalerType) {
		return condAddr(encodeAddrMarshaler, newEncoder(t, false))
	}
	if t.Implements(marshalerType) {
		return encodeMarshaler
	}
	if t.Kind() != reflect.Pointer && allowAddr && reflect.PointerTo(t).Implements(textMarshalerType) {
		return condAddr(encodeAddrTextMarshaler, newEncoder(t, false))
	}
	if t.Implements(textMarshalerType) {
		return encodeTextMarshaler
	}
	switch t.Kind() {
	case reflect.Bool:
		return encodeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return encodeInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return encodeUint
	case reflect.Float32:
		return encodeFloat32
	case reflect.Float64:
		return encodeFloat64
	case reflect.String:
		if t == numberType {
			return encodeNumber
		}
		return encodeString
	case reflect.Interface:
		return encodeInterface
	case reflect.Struct:
		return newStructEncoder(t)
	case reflect.Map:
		return newMapEncoder(t)
	case reflect.Slice:
		if isByteSlice(t) {
			return encodeBytes
		}
		return newSliceEncoder(t)
	case reflect.Array:
		return newArrayEncoder(t)
	case reflect.Pointer:
		return newPointerEncoder(t)
	}
	return func(_ *argEncoder, _ []byte, v reflect.Value, _ level) ([]byte, error) {
		return nil, &json.UnsupportedTypeError{Type: v.Type()}
	}
}

// isByteSlice reports whether t is a slice that encoding/json writes as
// base64 (elements of kind uint8 without their own marshalers): an
// attachment here.
func isByteSlice(t reflect.Type) bool {
	if t.Kind() != reflect.Slice || t.Elem().Kind() != reflect.Uint8 {
		return false
	}
	p := reflect.PointerTo(t.Elem())
	return !p.Implements(marshalerType) && !p.Implements(textMarshalerType)
}

func condAddr(addr, other encodeFunc) encodeFunc {
	return func(e *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
		if v.CanAddr() {
			return addr(e, dst, v, l)
		}
		return other(e, dst, v, l)
	}
}

func encodeMarshaler(_ *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
	if v.Kind() == reflect.Pointer && v.IsNil() || !v.CanInterface() {
		return append(dst, "null"...), nil
	}
	m, ok := v.Interface().(json.Marshaler)
	if !ok { // a nil interface
		return append(dst, "null"...), nil
	}
	return appendMarshaled(dst, m, v.Type(), l)
}

func encodeAddrMarshaler(_ *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
	va := v.Addr()
	if !va.CanInterface() {
		return append(dst, "null"...), nil
	}
	return appendMarshaled(dst, va.Interface().(json.Marshaler), v.Type(), l)
}

// appendMarshaled writes the output of MarshalJSON, compacted as
// encoding/json does (but not HTML-escaped), checking its nesting.
func appendMarshaled(dst []byte, m json.Marshaler, t reflect.Type, l level) ([]byte, error) {
	b, err := m.MarshalJSON()
	if err != nil {
		return nil, &json.MarshalerError{Type: t, Err: err}
	}
	start := len(dst)
	buf := bytes.NewBuffer(dst)
	if err := json.Compact(buf, b); err != nil {
		return nil, &json.MarshalerError{Type: t, Err: err}
	}
	dst = buf.Bytes()
	// a value of n bytes nests at most n/2 levels: check only when that
	// could pass the limit
	if out := dst[start:]; l.depth+len(out)/2 > MaxDepth {
		s := scanner{data: out}
		if s.value(0, l.depth) < 0 {
			return nil, ErrTooDeep
		}
	}
	return dst, nil
}

func encodeTextMarshaler(_ *argEncoder, dst []byte, v reflect.Value, _ level) ([]byte, error) {
	if v.Kind() == reflect.Pointer && v.IsNil() || !v.CanInterface() {
		return append(dst, "null"...), nil
	}
	m, ok := v.Interface().(encoding.TextMarshaler)
	if !ok {
		return append(dst, "null"...), nil
	}
	return appendMarshaledText(dst, m, v.Type())
}

func encodeAddrTextMarshaler(_ *argEncoder, dst []byte, v reflect.Value, _ level) ([]byte, error) {
	va := v.Addr()
	if !va.CanInterface() {
		return append(dst, "null"...), nil
	}
	return appendMarshaledText(dst, va.Interface().(encoding.TextMarshaler), v.Type())
}

func appendMarshaledText(dst []byte, m encoding.TextMarshaler, t reflect.Type) ([]byte, error) {
	b, err := m.MarshalText()
	if err != nil {
		return nil, &json.MarshalerError{Type: t, Err: err}
	}
	return appendJSONString(dst, b), nil
}

func quote(dst []byte, quoted bool) []byte {
	if quoted {
		dst = append(dst, '"')
	}
	return dst
}

func encodeBool(_ *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
	dst = strconv.AppendBool(quote(dst, l.quoted), v.Bool())
	return quote(dst, l.quoted), nil
}

func encodeInt(_ *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
	dst = strconv.AppendInt(quote(dst, l.quoted), v.Int(), 10)
	return quote(dst, l.quoted), nil
}

func encodeUint(_ *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
	dst = strconv.AppendUint(quote(dst, l.quoted), v.Uint(), 10)
	return quote(dst, l.quoted), nil
}

func encodeFloat32(_ *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
	return appendFloat(dst, v.Float(), 32, l.quoted)
}

func encodeFloat64(_ *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
	return appendFloat(dst, v.Float(), 64, l.quoted)
}

// appendFloat writes f as encoding/json does (the ECMAScript number to
// string conversion); NaN and infinities are an error.
func appendFloat(dst []byte, f float64, bits int, quoted bool) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, &json.UnsupportedValueError{Value: reflect.ValueOf(f), Str: strconv.FormatFloat(f, 'g', -1, bits)}
	}
	dst = quote(dst, quoted)
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// e-09 becomes e-9
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return quote(dst, quoted), nil
}

func encodeString(_ *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
	if l.quoted {
		// the JSON string of the JSON string
		return appendJSONString(dst, appendJSONString(nil, v.String())), nil
	}
	return appendJSONString(dst, v.String()), nil
}

func encodeNumber(_ *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
	n := v.String()
	if n == "" {
		n = "0" // as encoding/json writes the zero Number
	}
	if numberEnd([]byte(n), 0) != len(n) {
		return nil, fmt.Errorf("json: invalid number literal %q", n)
	}
	return quote(append(quote(dst, l.quoted), n...), l.quoted), nil
}

func encodeInterface(e *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
	if v.IsNil() {
		return append(dst, "null"...), nil
	}
	l, err := l.follow()
	if err != nil {
		return nil, err
	}
	if !v.CanInterface() {
		return e.appendReflect(dst, v.Elem(), l)
	}
	return e.appendValue(dst, v.Interface(), l)
}

func encodeBytes(e *argEncoder, dst []byte, v reflect.Value, _ level) ([]byte, error) {
	return e.appendAttachment(dst, v.Bytes()), nil
}

func newSliceEncoder(t reflect.Type) encodeFunc {
	array := newArrayEncoder(t)
	return func(e *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		return array(e, dst, v, l)
	}
}

func newArrayEncoder(t reflect.Type) encodeFunc {
	elem := encoderOf(t.Elem())
	return func(e *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
		in, err := l.nest()
		if err != nil {
			return nil, err
		}
		dst = append(dst, '[')
		for i, n := 0, v.Len(); i < n; i++ {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = elem(e, dst, v.Index(i), in); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	}
}

func newPointerEncoder(t reflect.Type) encodeFunc {
	elem := encoderOf(t.Elem())
	return func(e *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		l, err := l.follow()
		if err != nil {
			return nil, err
		}
		return elem(e, dst, v.Elem(), l)
	}
}

// mapEntry is a map entry with its key as written.
type mapEntry struct {
	key string
	val reflect.Value
}

func newMapEncoder(t reflect.Type) encodeFunc {
	kt := t.Key()
	switch kt.Kind() {
	case reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	default:
		if !kt.Implements(textMarshalerType) {
			return func(_ *argEncoder, _ []byte, v reflect.Value, _ level) ([]byte, error) {
				return nil, &json.UnsupportedTypeError{Type: v.Type()}
			}
		}
	}
	elem := encoderOf(t.Elem())
	return func(e *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
		if v.IsNil() {
			return append(dst, "null"...), nil
		}
		in, err := l.nest()
		if err != nil {
			return nil, err
		}
		entries := make([]mapEntry, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			k, err := mapKey(it.Key())
			if err != nil {
				return nil, fmt.Errorf("json: encoding error for type %q: %q", v.Type().String(), err.Error())
			}
			entries = append(entries, mapEntry{k, it.Value()})
		}
		slices.SortFunc(entries, func(a, b mapEntry) int { return strings.Compare(a.key, b.key) })
		dst = append(dst, '{')
		for i, en := range entries {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(appendJSONString(dst, en.key), ':')
			if dst, err = elem(e, dst, en.val, in); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
}

// mapKey returns a map key as encoding/json writes it: a string as it is,
// else MarshalText, else an integer in decimal.
func mapKey(k reflect.Value) (string, error) {
	if k.Kind() == reflect.String {
		return k.String(), nil
	}
	if k.CanInterface() {
		if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
			if k.Kind() == reflect.Pointer && k.IsNil() {
				return "", nil
			}
			b, err := tm.MarshalText()
			return string(b), err
		}
	}
	switch k.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10), nil
	}
	return "", &json.UnsupportedTypeError{Type: k.Type()}
}

func newStructEncoder(t reflect.Type) encodeFunc {
	fields := fieldsOf(t).list
	encs := make([]encodeFunc, len(fields))
	for i, f := range fields {
		encs[i] = encoderOf(f.typ)
	}
	return func(e *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
		in, err := l.nest()
		if err != nil {
			return nil, err
		}
		dst = append(dst, '{')
		first := true
	next:
		for i := range fields {
			f := &fields[i]
			fv := v
			for _, x := range f.index {
				if fv.Kind() == reflect.Pointer {
					if fv.IsNil() {
						continue next // a field of a nil embedded pointer
					}
					fv = fv.Elem()
				}
				fv = fv.Field(x)
			}
			if f.omitEmpty && isEmptyValue(fv) || f.omitZero && f.isZero(fv) {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, f.prefix...)
			fl := in
			fl.quoted = f.quoted
			if dst, err = encs[i](e, dst, fv, fl); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	}
}

// isEmptyValue is the omitempty test of encoding/json.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}
