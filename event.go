package socketio

// Event is an incoming event, as given to a raw handler func(*Event) and
// to middlewares. It is valid after the handler returns (for a later Ack).
// Its Args re-encode as received: s.To(room).Emit(e.Name, e.Args) relays
// the event to other clients as a Node server would, and e.Ack(e.Args)
// echoes it back.
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
// nothing. Safe to call from any goroutine; when no write to this client
// is in progress the ack is written on the calling goroutine, which then
// waits for this one client (at most WriteTimeout).
//
// To answer with the event's own arguments exactly as they came (the same
// JSON text, key order included, and the same binary), as a Node server
// does with ack(...args), pass the Args: e.Ack(e.Args). e.Ack(e.Values()...)
// would send Go maps, with their keys sorted.
//
// If args cannot be encoded (see parser.EncodeArgs: a func, a NaN, nesting
// deeper than parser.MaxDepth) Ack returns the error, sends nothing and
// leaves the acknowledgement to a later call.
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
	if err := e.socket.sendAck(e.ackID, args); err != nil {
		// sendAck fails only in encoding, before anything is sent
		e.socket.mu.Lock()
		e.acked = false
		e.socket.mu.Unlock()
		return err
	}
	return nil
}

// EventName returns the event name (handler.Call).
func (e *Event) EventName() string { return e.Name }
