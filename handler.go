package socketio

import "github.com/gosio/socketio/internal/handler"

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

// EventName returns the event name (handler.Call).
func (e *Event) EventName() string { return e.Name }

// handlerFunc is a compiled event handler.
type handlerFunc = func(e *Event) error

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
func compileHandler(fn any) handlerFunc { return handler.Compile[*Event](fn) }
