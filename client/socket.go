package client

import (
	"sync"

	"github.com/gosio/socketio/internal/handler"
	"github.com/gosio/socketio/parser"
)

// Args are event or acknowledgement arguments, decoded lazily (the same
// type as the server's).
type Args = parser.Args

// Socket is a connection to one namespace through a Manager (Node:
// Socket).
type Socket struct {
	m   *Manager
	nsp string

	handlers handler.Registry[*Event]

	mu            sync.Mutex
	id            string
	connected     bool
	active        bool
	connecting    bool   // a CONNECT awaits its reply on connection connectGen
	connectGen    uint64 // the Manager's generation of that connection
	ids           uint64
	acks          map[uint64]*pendingAck
	sendBuffer    []*parser.Packet
	receiveBuffer []*parser.Packet
	onConnect     []func()
	onConnectErr  []func(error)
	onDisconnect  []func(reason Reason, cause error)

	// connection state recovery (recovery.go)
	pid        string
	lastOffset string
	recovered  bool
}

func newSocket(m *Manager, nsp string) *Socket {
	return &Socket{m: m, nsp: nsp, acks: make(map[uint64]*pendingAck)}
}

// ID returns the id the server gave the socket; "" while disconnected.
func (s *Socket) ID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

// Namespace returns the socket's namespace.
func (s *Socket) Namespace() string { return s.nsp }

// Manager returns the socket's Manager (Node: socket.io).
func (s *Socket) Manager() *Manager { return s.m }

// Connected reports whether the socket is connected.
func (s *Socket) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connected
}

// Active reports whether the socket will reconnect: false after
// Disconnect, a server-side disconnect, or a refused connection.
func (s *Socket) Active() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}

// On registers a handler for an event; the same signatures as the server's
// Socket.On (typed arguments, an ack func last, func(*Event)).
func (s *Socket) On(event string, fn any) { s.handlers.On(event, fn, false) }

// Once is On for one call.
func (s *Socket) Once(event string, fn any) { s.handlers.On(event, fn, true) }

// Off removes every handler of event.
func (s *Socket) Off(event string) { s.handlers.Off(event) }

// OnAny registers a handler for every incoming event.
func (s *Socket) OnAny(f func(*Event)) { s.handlers.OnAny(f, false) }

// PrependAny is OnAny, called before the handlers already registered.
func (s *Socket) PrependAny(f func(*Event)) { s.handlers.OnAny(f, true) }

// OffAny removes every catch-all handler.
func (s *Socket) OffAny() { s.handlers.OffAny() }

// OnAnyOutgoing registers a handler for every emitted event.
func (s *Socket) OnAnyOutgoing(f func(event string, args []any)) { s.handlers.OnAnyOutgoing(f) }

// OffAnyOutgoing removes every outgoing catch-all handler.
func (s *Socket) OffAnyOutgoing() { s.handlers.OffAnyOutgoing() }

// OnConnect registers f, called on each (re)connection, on the Manager's
// handler goroutine.
func (s *Socket) OnConnect(f func()) {
	s.mu.Lock()
	s.onConnect = append(s.onConnect, f)
	s.mu.Unlock()
}

// OnConnectError registers f, called on the Manager's handler goroutine
// when a connection attempt fails: a *ConnectError when the server refused
// (no automatic retry then), or the transport's error (retried if
// reconnection is on).
func (s *Socket) OnConnectError(f func(error)) {
	s.mu.Lock()
	s.onConnectErr = append(s.onConnectErr, f)
	s.mu.Unlock()
}

// OnDisconnect registers f, called when the socket disconnects, with the
// reason and the error behind it, where there is one (Node: the
// "disconnect" event's reason and description). cause is the transport's
// error for ReasonTransportError (a network error, the
// engineio/client.ErrWriteBufferFull of a server that stopped reading:
// match it with errors.Is and errors.As), the decoding error for
// ReasonParseError, the transport's error if any for
// ReasonTransportClose, and nil otherwise.
//
// f runs on the Manager's handler goroutine, the one that runs the event
// handlers of all its sockets: after the running handler returns, never
// alongside another handler of the Manager, whichever goroutine started
// the disconnect (Disconnect, the engine's reader, a timer). Acks awaited
// for packets already sent have failed with ErrDisconnected by then.
func (s *Socket) OnDisconnect(f func(reason Reason, cause error)) {
	s.mu.Lock()
	s.onDisconnect = append(s.onDisconnect, f)
	s.mu.Unlock()
}

// dispatch delivers an event to the handlers (task goroutine).
func (s *Socket) dispatch(p *parser.Packet) {
	name, err := parser.EventName(p.Data)
	if err != nil {
		return
	}
	args, err := parser.NewArgs(p.Data, p.Attachments)
	if err != nil {
		return
	}
	e := &Event{Args: args.From(1), Name: name, socket: s, ackID: p.ID, hasAck: p.HasID}
	defer s.noteOffset(p.Data)
	for _, f := range s.handlers.Any() {
		f(e)
	}
	for _, fn := range s.handlers.Take(name) {
		if err := fn(e); err != nil {
			s.m.opts.Logger.Debug("socketio client: handler error", "event", name, "err", err)
		}
	}
}
