// Package handler turns user functions into event handlers, for the server
// and the client alike: the signature is checked once, when the handler is
// registered, and each call decodes the event's JSON arguments into the
// parameters' types.
package handler

import (
	"errors"
	"fmt"
	"reflect"
	"sync"

	"github.com/gosio/socketio/parser"
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
//	func(..., ack func(R1, ...) error) the same, returning Call.Ack's error
//
// A []byte parameter (or a []byte at any depth of a parameter) receives a
// binary attachment; missing arguments leave zero values. The function
// returns nothing or an error. Compile panics with a clear message on any
// other signature.
//
// The caller returns the function's error, else a decoding error, else the
// error of an ack function that returns nothing (such as an argument that
// cannot be encoded, see parser.EncodeArgs), if it was called before the
// function returned: an ack called later, from another goroutine, should
// return error to be checked.
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
		if ackType.NumOut() > 1 || ackType.NumOut() == 1 && ackType.Out(0) != errorType {
			panic(fmt.Sprintf("socketio: ack parameter %s of handler %s must return nothing or error", ackType, t))
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
		var acked *ackResult
		if ackType != nil {
			acked = &ackResult{call: e}
			in = append(in, makeAck(ackType, acked))
		}
		out := v.Call(in)
		if returnsErr && !out[0].IsNil() {
			acked.end()
			return out[0].Interface().(error)
		}
		if err := acked.end(); err != nil {
			return fmt.Errorf("socketio: event %q acknowledgement: %w", e.EventName(), err)
		}
		return nil
	}
}

// ackResult sends the acknowledgement of one call and keeps the error of
// an ack function that returns nothing, for the handler's caller, until
// the handler returns.
type ackResult struct {
	call interface{ Ack(...any) error }
	mu   sync.Mutex
	err  error
	done bool
}

func (r *ackResult) record(err error) {
	r.mu.Lock()
	if !r.done && r.err == nil {
		r.err = err
	}
	r.mu.Unlock()
}

// end stops the recording and returns the error recorded, if any.
func (r *ackResult) end() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = true
	return r.err
}

var (
	errorType     = reflect.TypeFor[error]()
	anyAckType    = reflect.TypeFor[func(...any)]()
	anyAckErrType = reflect.TypeFor[func(...any) error]()
)

// makeAck builds a function of type t that sends its arguments with
// r.call.Ack, returning its error if t returns error, else recording it in
// r.
func makeAck(t reflect.Type, r *ackResult) reflect.Value {
	switch t {
	case anyAckType:
		return reflect.ValueOf(func(args ...any) {
			if err := r.call.Ack(args...); err != nil {
				r.record(err)
			}
		})
	case anyAckErrType:
		return reflect.ValueOf(func(args ...any) error { return r.call.Ack(args...) })
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
		err := r.call.Ack(args...)
		if t.NumOut() == 1 {
			out := reflect.New(errorType).Elem()
			if err != nil {
				out.Set(reflect.ValueOf(err))
			}
			return []reflect.Value{out}
		}
		if err != nil {
			r.record(err)
		}
		return nil
	})
}
