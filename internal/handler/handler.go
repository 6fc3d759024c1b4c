// Package handler turns user functions into event handlers, for the server
// and the client alike: the signature is checked once, when the handler is
// registered, and each call decodes the event's JSON arguments into the
// parameters' types.
package handler

import (
	"errors"
	"fmt"
	"github.com/gosio/socketio/parser"
	"reflect"
)

// Call is an incoming event as a handler sees it.
type Call interface {
	Len() int
	Decode(i int, v any) error
	Values() []any
	// Ack sends the acknowledgement (a no-op if none was requested).
	Ack(args ...any) error
	// EventName names the event in errors.
	EventName() string
}

// ErrNoArgument is what Call.Decode returns for a missing argument; a
// typed handler then gets the zero value.
var ErrNoArgument = parser.ErrNoArgument

// Compile checks fn once and returns a caller. Accepted forms:
//
//	func(E)                            raw: no decoding
//	func(E) error
//	func()
//	func(...any)                       every argument, generically decoded
//	func(a A, b B, ...)                each argument decoded into its type
//	func(a A, ..., rest ...T)          remaining arguments into rest
//	func(..., ack func(R1, R2, ...))   last parameter: the acknowledgement
//
// A []byte parameter receives a binary attachment; missing arguments leave
// zero values. The function returns nothing or an error. Compile panics
// with a clear message on any other signature.
func Compile[E Call](fn any) func(E) error {
	switch f := fn.(type) {
	case func(E):
		return func(e E) error { f(e); return nil }
	case func(E) error:
		return f
	case func():
		return func(E) error { f(); return nil }
	case func(...any):
		return func(e E) error { f(e.Values()...); return nil }
	}
	v := reflect.ValueOf(fn)
	if !v.IsValid() || v.Kind() != reflect.Func {
		panic(fmt.Sprintf("socketio: handler must be a func, got %T", fn))
	}
	t := v.Type()
	returnsErr := false
	switch {
	case t.NumOut() == 1 && t.Out(0) == errorType:
		returnsErr = true
	case t.NumOut() != 0:
		panic(fmt.Sprintf("socketio: handler %s must return nothing or error", t))
	}
	n := t.NumIn()
	var ackType reflect.Type
	if n > 0 && !t.IsVariadic() && t.In(n-1).Kind() == reflect.Func {
		ackType = t.In(n - 1)
		if ackType.NumOut() != 0 {
			panic(fmt.Sprintf("socketio: ack parameter %s of handler %s must return nothing", ackType, t))
		}
		n--
	}
	for i := 0; i < n; i++ {
		if k := t.In(i).Kind(); k == reflect.Func || k == reflect.Chan {
			panic(fmt.Sprintf("socketio: handler %s: parameter %d (%s) cannot be decoded from JSON", t, i, t.In(i)))
		}
	}
	variadic := t.IsVariadic()
	fixed := n
	if variadic {
		fixed = n - 1
	}
	return func(e E) error {
		in := make([]reflect.Value, 0, t.NumIn()+e.Len())
		for i := 0; i < fixed; i++ {
			p := reflect.New(t.In(i))
			if err := e.Decode(i, p.Interface()); err != nil && !errors.Is(err, ErrNoArgument) {
				return fmt.Errorf("socketio: event %q argument %d: %w", e.EventName(), i, err)
			}
			in = append(in, p.Elem())
		}
		if variadic {
			et := t.In(n - 1).Elem()
			for i := fixed; i < e.Len(); i++ {
				p := reflect.New(et)
				if err := e.Decode(i, p.Interface()); err != nil {
					return fmt.Errorf("socketio: event %q argument %d: %w", e.EventName(), i, err)
				}
				in = append(in, p.Elem())
			}
		}
		if ackType != nil {
			in = append(in, makeAck(ackType, e.Ack))
		}
		out := v.Call(in)
		if returnsErr && !out[0].IsNil() {
			return out[0].Interface().(error)
		}
		return nil
	}
}

var (
	errorType  = reflect.TypeFor[error]()
	anyAckType = reflect.TypeFor[func(...any)]()
)

// makeAck builds a function of type t that sends its arguments with ack.
func makeAck(t reflect.Type, ack func(...any) error) reflect.Value {
	if t == anyAckType {
		return reflect.ValueOf(func(args ...any) { ack(args...) })
	}
	return reflect.MakeFunc(t, func(in []reflect.Value) []reflect.Value {
		args := make([]any, 0, len(in))
		for i, v := range in {
			if t.IsVariadic() && i == len(in)-1 {
				for j := 0; j < v.Len(); j++ {
					args = append(args, v.Index(j).Interface())
				}
				continue
			}
			args = append(args, v.Interface())
		}
		ack(args...)
		return nil
	})
}
