package socketio

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
// nothing. Safe to call from any goroutine; when no write to this client
// is in progress the ack is written on the calling goroutine, which then
// waits for this one client (at most WriteTimeout).
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
