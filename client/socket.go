package client

import (
	"sync"

	"github.com/gosio/socketio/internal/serial"
	"github.com/gosio/socketio/parser"
)

// Args are event or acknowledgement arguments, decoded lazily (the same
// type as the server's).
type Args = parser.Args

// Bounds of a socket's handler queue: past them the connection's reader
// waits for the socket's handlers, and so do the Manager's other sockets
// (TCP then slows the server down).
const (
	socketQueueTasks = 1024
	socketQueueBytes = 16 << 20
)

// Socket is a connection to one namespace through a Manager (Node:
// Socket).
//
// Its handlers (event listeners, OnConnect, OnConnectError, OnDisconnect)
// run on the socket's own handler goroutine, one at a time, in the order
// their packets arrived; it exists while there is work. Sockets of one
// Manager run their handlers independently: a slow handler on /chat does
// not hold up the events or the CONNECT reply of /.
type Socket struct {
	m     *Manager
	nsp   string
	opts  SocketOptions
	tasks *serial.Queue

	listeners listeners

	mu            sync.Mutex
	id            string
	connected     bool
	connGen       uint64 // the Manager's connection the socket is connected on
	active        bool
	connecting    bool   // a CONNECT awaits its reply on connection connectGen
	connectGen    uint64 // the Manager's connection of that CONNECT
	ids           uint64
	acks          map[uint64]*pendingAck
	sendBuffer    []buffered
	receiveBuffer []*parser.Packet
	onConnect     []func()
	onConnectErr  []func(error)
	onDisconnect  []func(reason Reason, cause error)

	// at-least-once delivery (retry.go)
	queue    []*queuedEmit
	queueSeq uint64

	// connection state recovery (recovery.go)
	pid        string
	lastOffset string
	recovered  bool
}

func newSocket(m *Manager, nsp string, opts SocketOptions) *Socket {
	s := &Socket{m: m, nsp: nsp, opts: opts, acks: make(map[uint64]*pendingAck)}
	s.tasks = serial.New(socketQueueTasks, func(v any, stack []byte) {
		m.opts.Logger.Error("socketio client: handler panicked", "nsp", nsp, "panic", v, "stack", string(stack))
	})
	s.tasks.SetMaxBytes(socketQueueBytes)
	return s
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
// Socket.On (typed arguments, an ack func last, func(*Event)). It panics
// on a signature it cannot call.
func (s *Socket) On(event string, fn any) { s.listeners.on(event, fn, false) }

// Once is On for one call.
func (s *Socket) Once(event string, fn any) { s.listeners.on(event, fn, true) }

// Off removes listeners of event: all of them without fns (Node:
// off(event)), or, for each fn, the first one registered with that func
// (Node: off(event, fn)). Funcs are compared as JavaScript compares
// functions: the same func value (one variable, one named function) is
// the same listener; two closures made by one literal are two. Keep the
// func you registered to remove it.
func (s *Socket) Off(event string, fns ...any) { s.listeners.off(event, fns) }

// Listeners returns the funcs registered for event, in call order (Node:
// listeners(event)).
func (s *Socket) Listeners(event string) []any { return s.listeners.list(event) }

// HasListeners reports whether event has listeners (Node:
// hasListeners(event)).
func (s *Socket) HasListeners(event string) bool { return len(s.listeners.list(event)) > 0 }

// OnAny registers a handler for every incoming event, called before the
// event's own listeners.
func (s *Socket) OnAny(f func(*Event)) { s.listeners.onAny(f, false) }

// PrependAny is OnAny, called before the handlers already registered.
func (s *Socket) PrependAny(f func(*Event)) { s.listeners.onAny(f, true) }

// OffAny removes every catch-all handler, or, for each f, the first one
// registered with it (compared as in Off).
func (s *Socket) OffAny(fs ...func(*Event)) { s.listeners.offAny(fs) }

// ListenersAny returns the catch-all handlers, in call order.
func (s *Socket) ListenersAny() []func(*Event) {
	ls := s.listeners.anyListeners()
	out := make([]func(*Event), len(ls))
	for i, a := range ls {
		out[i] = a.fn
	}
	return out
}

// OnAnyOutgoing registers a handler for every event the socket sends,
// called when the packet leaves (for an emit buffered while offline: on
// the next connection; with Retries: at each try), on the goroutine that
// sends it: Emit's caller, the socket's handler goroutine for buffered
// packets, or the one that settled the previous packet of the Retries
// queue (the engine's reader, a timer).
func (s *Socket) OnAnyOutgoing(f func(event string, args []any)) {
	s.listeners.onAnyOutgoing(f, false)
}

// PrependAnyOutgoing is OnAnyOutgoing, called before the handlers already
// registered.
func (s *Socket) PrependAnyOutgoing(f func(event string, args []any)) {
	s.listeners.onAnyOutgoing(f, true)
}

// OffAnyOutgoing removes every outgoing catch-all handler, or, for each
// f, the first one registered with it (compared as in Off).
func (s *Socket) OffAnyOutgoing(fs ...func(event string, args []any)) {
	s.listeners.offAnyOutgoing(fs)
}

// ListenersAnyOutgoing returns the outgoing catch-all handlers, in call
// order.
func (s *Socket) ListenersAnyOutgoing() []func(event string, args []any) {
	return s.listeners.outgoingList()
}

// OnConnect registers f, called on each (re)connection, on the socket's
// handler goroutine.
func (s *Socket) OnConnect(f func()) {
	s.mu.Lock()
	s.onConnect = append(s.onConnect, f)
	s.mu.Unlock()
}

// OnConnectError registers f, called on the socket's handler goroutine
// when a connection attempt fails: a *ConnectError when the server refused
// (no automatic retry then), or the transport's error (an
// engineio/client.TransportError, ErrConnectTimeout; retried if
// reconnection is on).
func (s *Socket) OnConnectError(f func(error)) {
	s.mu.Lock()
	s.onConnectErr = append(s.onConnectErr, f)
	s.mu.Unlock()
}

// OnDisconnect registers f, called when the socket disconnects, with the
// reason and the error behind it, where there is one (Node: the
// "disconnect" event's reason and description). cause is the transport's
// error for ReasonTransportError (an engineio/client.TransportError around
// a network error, the engineio/client.ErrWriteBufferFull of a server that
// stopped reading: match it with errors.Is and errors.As), the decoding
// error for ReasonParseError, the transport's error if any for
// ReasonTransportClose, and nil otherwise.
//
// f runs on the socket's handler goroutine, the one that runs its event
// handlers: after the events that arrived before the disconnect, never
// alongside another handler of the socket, whichever goroutine started
// the disconnect (Disconnect, the engine's reader, a timer). Acks awaited
// for packets already sent have failed with ErrDisconnected by then.
func (s *Socket) OnDisconnect(f func(reason Reason, cause error)) {
	s.mu.Lock()
	s.onDisconnect = append(s.onDisconnect, f)
	s.mu.Unlock()
}

// dispatch delivers an event to the handlers (the socket's handler
// goroutine).
func (s *Socket) dispatch(p *parser.Packet) {
	name, err := parser.EventName(p.Data)
	if err != nil {
		return
	}
	args, err := parser.NewArgs(p.Data, p.Attachments)
	if err != nil {
		return
	}
	e := &Event{Args: args.From(1), Name: name, socket: s, ackID: p.ID, hasAck: p.HasID, gen: s.connectedGen()}
	defer s.noteOffset(p.Data)
	for _, a := range s.listeners.anyListeners() {
		a.fn(e)
	}
	for _, fn := range s.listeners.take(name) {
		if err := fn(e); err != nil {
			s.m.opts.Logger.Debug("socketio client: handler error", "nsp", s.nsp, "event", name, "err", err)
		}
	}
}

func (s *Socket) connectedGen() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connGen
}
