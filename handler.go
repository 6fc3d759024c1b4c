package socketio

import (
	"fmt"
	"reflect"
)

// Event is an incoming event, as given to a raw handler func(*Event) and
// to middlewares. It is valid after the handler returns (for a later Ack).
type Event struct {
	Args
	Name   string
	socket *Socket
	ackID  uint64
	hasAck bool
	acked  bool
}

// Socket returns the socket the event arrived on.
func (e *Event) Socket() *Socket { return e.socket }

// HasAck reports whether the client asked for an acknowledgement.
func (e *Event) HasAck() bool { return e.hasAck }

// Ack sends the acknowledgement with args. Only the first call sends;
// later ones return ErrAlreadyAcked. Without a requested ack it does
// nothing. Safe to call from any goroutine, once.
func (e *Event) Ack(args ...any) error {
	if !e.hasAck {
		return nil
	}
	e.socket.mu.Lock()
	done := e.acked
	e.acked = true
	e.socket.mu.Unlock()
	if done {
		return ErrAlreadyAcked
	}
	return e.socket.sendAck(e.ackID, args)
}

// handlerFunc is a compiled event handler.
type handlerFunc func(e *Event) error

// compileHandler checks the signature of fn once and returns a caller.
//
// Accepted forms:
//
//	func(*Event)                       raw: no decoding
//	func(a A, b B, ...)                each argument decoded into its type
//	func(a A, ..., rest ...T)          remaining arguments into rest
//	func(..., ack func(R1, R2, ...))   last parameter: the acknowledgement
//
// A parameter of type []byte receives a binary attachment. Missing
// arguments leave zero values. The function must return nothing or an
// error (passed to the socket's error handler).
func compileHandler(fn any) handlerFunc {
	switch f := fn.(type) {
	case func(*Event):
		return func(e *Event) error { f(e); return nil }
	case func(*Event) error:
		return f
	case func():
		return func(*Event) error { f(); return nil }
	case func(...any):
		return func(e *Event) error { f(e.Values()...); return nil }
	}
	v := reflect.ValueOf(fn)
	t := v.Type()
	if t.Kind() != reflect.Func {
		panic(fmt.Sprintf("socketio: handler must be a func, got %T", fn))
	}
	returnsErr := false
	switch {
	case t.NumOut() == 1 && t.Out(0) == errorType:
		returnsErr = true
	case t.NumOut() != 0:
		panic(fmt.Sprintf("socketio: handler %s must return nothing or error", t))
	}
	n := t.NumIn()
	ackType := reflect.Type(nil)
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
	return func(e *Event) error {
		in := make([]reflect.Value, 0, t.NumIn()+e.Len())
		fixed := n
		if variadic {
			fixed = n - 1
		}
		for i := 0; i < fixed; i++ {
			p := reflect.New(t.In(i))
			if err := e.Decode(i, p.Interface()); err != nil && err != ErrNoArgument {
				return fmt.Errorf("socketio: event %q argument %d: %w", e.Name, i, err)
			}
			in = append(in, p.Elem())
		}
		if variadic {
			et := t.In(n - 1).Elem()
			for i := fixed; i < e.Len(); i++ {
				p := reflect.New(et)
				if err := e.Decode(i, p.Interface()); err != nil {
					return fmt.Errorf("socketio: event %q argument %d: %w", e.Name, i, err)
				}
				in = append(in, p.Elem())
			}
		}
		if ackType != nil {
			in = append(in, makeAck(ackType, e))
		}
		out := v.Call(in)
		if returnsErr && !out[0].IsNil() {
			return out[0].Interface().(error)
		}
		return nil
	}
}

var errorType = reflect.TypeFor[error]()

// makeAck builds a function of type t that sends its arguments as the
// acknowledgement of e.
func makeAck(t reflect.Type, e *Event) reflect.Value {
	if t == reflect.TypeFor[func(...any)]() {
		return reflect.ValueOf(func(args ...any) { e.Ack(args...) })
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
		e.Ack(args...)
		return nil
	})
}
