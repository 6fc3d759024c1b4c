package socketio

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/internal/handler"
	"github.com/gosio/socketio/parser"
)

// Socket is a client's connection to one namespace (Node: Socket).
//
// Handlers registered with On, OnAny, OnDisconnecting, OnDisconnect run on
// the connection's handler goroutine, one at a time, in arrival order,
// whichever goroutine started a disconnect.
type Socket struct {
	id      string
	nsp     *Namespace
	client  *client
	created int64          // Handshake.Time, Unix nanoseconds
	auth    map[string]any // Handshake.Auth

	handlers handler.Registry[*Event]

	mu          sync.Mutex
	live        atomic.Bool // connected and not closing, for the broadcast path
	clientLeft  atomic.Bool // a DISCONNECT from the client arrived
	connected   bool
	closing     bool // beginClose ran: no more joins, emits or acks
	closed      bool // finishClose ran
	closeReason Reason
	closeErr    error
	data        any
	cb          *socketCallbacks // nil until one is registered
	acks        map[uint64]*pendingAck
	ctx         context.Context    // made by the first Context call
	cancel      context.CancelFunc // nil until then
	released    bool               // releaseWaiters ran: a new context is made cancelled

	// connection state recovery (see recovery.go)
	pid       string // private session id; "" when recovery is off
	start     string // the store's offset when the socket connected
	recovered bool
}

func newSocket(nsp *Namespace, c *client, auth map[string]any) *Socket {
	return &Socket{
		id:      c.socketID(nsp.name),
		nsp:     nsp,
		client:  c,
		created: time.Now().UnixNano(),
		auth:    auth,
	}
}

// ID returns the socket id: random, distinct from the Engine.IO id; for a
// Socket.IO v2 client, as in Node, the Engine.IO id on "/" and
// "<namespace>#<Engine.IO id>" elsewhere.
func (s *Socket) ID() string { return s.id }

// Namespace returns the socket's namespace.
func (s *Socket) Namespace() *Namespace { return s.nsp }

// Conn returns the underlying Engine.IO connection (Node: socket.conn).
func (s *Socket) Conn() *engineio.Socket { return s.client.conn }

// Client returns the Engine.IO connection the socket shares with the
// client's other namespaces (Node: socket.client.conn); the same as Conn.
func (s *Socket) Client() *engineio.Socket { return s.client.conn }

// Request returns the first HTTP request of the connection, a new copy
// each call (see engineio.Socket.Request).
func (s *Socket) Request() *http.Request { return s.client.conn.Request() }

// Handshake returns how the socket connected. The socket keeps its
// handshake in compact form (the connection's request, the time, the
// auth payload), so each call builds a new Handshake with new Headers and
// Query maps (about 2 KB and 2.5 µs for a browser's headers); keep it if
// you need it often. Auth is the socket's own map, the same each call.
func (s *Socket) Handshake() *Handshake {
	return newHandshake(s.client.conn.Request(), time.Unix(0, s.created), s.auth)
}

// Context returns a context cancelled when the socket disconnects (made
// on the first call; already cancelled if the socket has disconnected).
func (s *Socket) Context() context.Context {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx == nil {
		s.ctx, s.cancel = context.WithCancel(context.Background())
		if s.released {
			s.cancel()
		}
	}
	return s.ctx
}

// Data returns the value set with SetData (Node: socket.data), nil until
// set; FetchSockets reports an unset value as an empty object, as the
// reference's {}.
func (s *Socket) Data() any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data
}

// SetData attaches an arbitrary value to the socket; it is returned by
// FetchSockets.
func (s *Socket) SetData(v any) {
	s.mu.Lock()
	s.data = v
	s.mu.Unlock()
	s.hookData(v)
}

// Connected reports whether the socket is connected. It is false from the
// moment a disconnect starts, before the disconnect handlers run.
func (s *Socket) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connected && !s.closing
}

// Disconnected is !Connected.
func (s *Socket) Disconnected() bool { return !s.Connected() }

// Rooms returns the rooms the socket is in, its own id included; empty
// after disconnect.
func (s *Socket) Rooms() []string { return s.nsp.adapter.SocketRooms(s.id) }

// Join adds the socket to rooms. It does nothing once the socket is
// disconnecting.
func (s *Socket) Join(rooms ...string) {
	// The lock orders Join with finishClose: a join cannot land after the
	// socket left all its rooms (it would stay in them forever).
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.connected && !s.closing {
		s.nsp.adapter.AddAll(s.seam(), rooms...)
	}
}

// Leave removes the socket from room.
func (s *Socket) Leave(room string) { s.nsp.adapter.Del(s.id, room) }

// On registers a handler for event. Accepted signatures:
//
//	func(*Event)                       raw: arguments decoded on demand
//	func(a A, b B, ...)                each argument decoded into its type
//	func(a A, ..., rest ...T)          remaining arguments into rest
//	func(..., ack func(R1, R2, ...))   last parameter: the acknowledgement
//	func(..., ack func(R...) error)    the same, reporting an encoding error
//	func(...any)                       every argument, generically decoded
//
// A []byte at any depth of a parameter receives a binary attachment;
// missing arguments leave zero values; a returned error, and an ack's
// error when the ack returns none, go to the OnError handlers. To relay
// what arrived unchanged (key order and binary included), pass the
// Event's Args: s.To(room).Emit(e.Name, e.Args). On panics, at
// registration, on a signature it cannot call. Several handlers for one
// event run in registration order, on the connection's handler
// goroutine.
func (s *Socket) On(event string, handler any) { s.handlers.On(event, handler, false) }

// Once is On for one call only.
func (s *Socket) Once(event string, handler any) { s.handlers.On(event, handler, true) }

// Off removes every handler of event.
func (s *Socket) Off(event string) { s.handlers.Off(event) }

// OnAny registers a handler called for every incoming event, before the
// event's own handlers.
func (s *Socket) OnAny(f func(*Event)) { s.handlers.OnAny(f, false) }

// PrependAny is OnAny, called before the handlers already registered.
func (s *Socket) PrependAny(f func(*Event)) { s.handlers.OnAny(f, true) }

// OffAny removes every catch-all handler.
func (s *Socket) OffAny() { s.handlers.OffAny() }

// OnAnyOutgoing registers a handler called for every event the socket
// emits (broadcasts included), on the emitting goroutine.
func (s *Socket) OnAnyOutgoing(f func(event string, args []any)) { s.handlers.OnAnyOutgoing(f) }

// OffAnyOutgoing removes every outgoing catch-all handler.
func (s *Socket) OffAnyOutgoing() { s.handlers.OffAnyOutgoing() }

// Use adds a per-packet middleware: it sees each incoming event before the
// handlers; an error drops the event and goes to the OnError handlers.
func (s *Socket) Use(f func(*Event) error) {
	s.mu.Lock()
	cb := s.callbacksLocked()
	cb.middlewares = append(cb.middlewares[:len(cb.middlewares):len(cb.middlewares)], f)
	s.mu.Unlock()
}

// OnError registers a handler for errors of this socket: middleware
// errors, argument decoding errors, and the decode error that closes the
// connection (Node: socket.on("error")).
func (s *Socket) OnError(f func(error)) {
	s.mu.Lock()
	cb := s.callbacksLocked()
	cb.onError = append(cb.onError, f)
	s.mu.Unlock()
}

// OnDisconnecting registers a handler called when the socket is about to
// disconnect, while it is still in its rooms, with the reason and the
// error behind it (nil when there is none to tell: see OnDisconnect). It
// runs on the connection's handler goroutine after the running handler
// returns.
func (s *Socket) OnDisconnecting(f func(reason Reason, cause error)) {
	s.mu.Lock()
	cb := s.callbacksLocked()
	cb.onDisconnecting = append(cb.onDisconnecting, f)
	s.mu.Unlock()
}

// OnDisconnect registers a handler called after the socket disconnected
// and left its rooms (Node: "disconnect", with reason and description). It
// runs on the connection's handler goroutine, after the running handler
// has returned, whichever goroutine started the disconnect (an HTTP
// request, a timer, the adapter, another handler). cause is the error
// behind reason where there is one: for ReasonTransportError the
// transport's error (errors.Is(cause, engineio.ErrWriteBufferFull) for a
// client too slow to read), for ReasonForcedClose the packet error, for
// ReasonForcedServerClose what the connection did wrong; nil for a
// disconnect asked by either side.
func (s *Socket) OnDisconnect(f func(reason Reason, cause error)) {
	s.mu.Lock()
	cb := s.callbacksLocked()
	cb.onDisconnect = append(cb.onDisconnect, f)
	s.mu.Unlock()
}

func (s *Socket) emitError(err error) {
	s.mu.Lock()
	var hs []func(error)
	if s.cb != nil {
		hs = s.cb.onError
	}
	s.mu.Unlock()
	for _, f := range hs {
		f(err)
	}
}

// emitter returns an emitter with the socket's default flags.
func (s *Socket) emitter() *Emitter { return &Emitter{s: s} }

// Emit sends an event to the client. A []byte at any depth of an
// argument goes as a binary attachment; the rest as JSON (an Args or Arg
// received earlier is written back exactly as it arrived). It returns
// ErrReservedEvent for a reserved name, and ErrDisconnected if the socket
// is not connected, except with connection state recovery on: then the
// event goes through the adapter, as in Node, and is stored for the
// socket's room even while it is away, to be replayed if it recovers
// (nil is returned).
func (s *Socket) Emit(event string, args ...any) error { return s.emitter().Emit(event, args...) }

// EmitWithAck sends an event asking for an acknowledgement and waits for
// it until ctx ends (ErrTimeout on a deadline) or the socket disconnects
// (ErrDisconnected).
func (s *Socket) EmitWithAck(ctx context.Context, event string, args ...any) (Args, error) {
	return s.emitter().EmitWithAck(ctx, event, args...)
}

// Timeout returns an emitter whose EmitWithAck waits at most d.
func (s *Socket) Timeout(d time.Duration) *Emitter { return s.emitter().Timeout(d) }

// Volatile returns an emitter whose events are dropped if the client
// cannot receive them now.
func (s *Socket) Volatile() *Emitter { return s.emitter().Volatile() }

// Compress returns an emitter with the compress flag set to c.
func (s *Socket) Compress(c bool) *Emitter { return s.emitter().Compress(c) }

// To broadcasts to rooms, excluding this socket (Node: socket.to).
func (s *Socket) To(rooms ...string) *BroadcastOperator { return s.Broadcast().To(rooms...) }

// In is To.
func (s *Socket) In(rooms ...string) *BroadcastOperator { return s.To(rooms...) }

// Except broadcasts to the namespace except rooms and this socket.
func (s *Socket) Except(rooms ...string) *BroadcastOperator { return s.Broadcast().Except(rooms...) }

// Broadcast targets every other socket of the namespace.
func (s *Socket) Broadcast() *BroadcastOperator {
	return &BroadcastOperator{nsp: s.nsp, except: []string{s.id}}
}

// Local targets every other socket of the namespace on this node.
func (s *Socket) Local() *BroadcastOperator { return s.Broadcast().Local() }

// Disconnect disconnects the socket: it sends DISCONNECT and the
// disconnect reason is "server namespace disconnect". With close, every
// namespace of the connection is disconnected and the connection closed.
// It may be called from any goroutine; the socket stops being Connected
// at once, its context is cancelled and its pending acknowledgements fail,
// and the disconnect handlers run on the connection's handler goroutine
// after the running handler returns (so when called from a handler, after
// that handler returns).
func (s *Socket) Disconnect(close bool) {
	if close {
		s.client.disconnectAll()
		return
	}
	if s.beginClose(ReasonServerNamespaceDisconnect, nil) {
		s.client.writePacket(&parser.Packet{Type: parser.Disconnect, Nsp: s.nsp.name}, false)
		s.client.tasks.PushNoWait(s.finishClose)
		s.releaseWaiters()
	}
}

// onConnect completes the connection: join the namespace and the own
// room, then reply CONNECT, as the reference does, so that once the client
// knows it is connected every broadcast reaches it. (A broadcast from
// another goroutine may be queued just before the CONNECT reply; clients
// buffer events that precede it, as socket.io-client does.) It holds s.mu
// throughout so that a Disconnect from another goroutine, which can find
// the socket as soon as it is in the namespace or the adapter, runs after
// it; otherwise the socket could be added back after leaving.
func (s *Socket) onConnect() {
	if store := s.nsp.sessions; store != nil {
		s.pid = s.client.srv.engine.NewID()
		s.start = store.Offset()
	}
	data := s.connectReply()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.connected = true
	s.live.Store(true)
	s.nsp.add(s)
	s.nsp.adapter.AddAll(s.seam(), s.id)
	s.client.writePacket(&parser.Packet{Type: parser.Connect, Nsp: s.nsp.name, Data: data}, false)
}

// disconnectedByServer reports whether Socket.Disconnect was called.
func (s *Socket) disconnectedByServer() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closing && s.closeReason == ReasonServerNamespaceDisconnect
}

// beginClose starts the disconnect with reason and cause, once, on any
// goroutine: the socket stops being Connected (no more joins, emits or
// acks). It reports whether this call started the disconnect; the caller
// then queues finishClose on the handler goroutine and only after that
// calls releaseWaiters, so that a handler that returns because of it
// finds the lifecycle handlers queued behind it (on the same goroutine).
func (s *Socket) beginClose(reason Reason, cause error) bool {
	s.mu.Lock()
	if !s.connected || s.closing {
		s.mu.Unlock()
		return false
	}
	if s.clientLeft.Load() {
		reason, cause = ReasonClientNamespaceDisconnect, nil
	}
	s.closing = true
	s.live.Store(false)
	s.closeReason, s.closeErr = reason, cause
	s.mu.Unlock()
	return true
}

// releaseWaiters fails the socket's pending acknowledgements with
// ErrDisconnected and cancels its context, so that a handler waiting on
// either returns (any goroutine, after beginClose).
func (s *Socket) releaseWaiters() {
	s.mu.Lock()
	acks := s.acks
	s.acks = nil
	s.released = true
	cancel := s.cancel
	s.mu.Unlock()
	// Acks first: a handler waiting with the socket's own context then
	// sees ErrDisconnected rather than the cancel.
	for _, a := range acks {
		if a.timer != nil {
			a.timer.Stop()
		}
		a.cb(nil)
	}
	if cancel != nil {
		cancel()
	}
}

// finishClose completes a started disconnect, once (handler goroutine):
// disconnecting handlers, leave every room and the namespace, disconnect
// handlers.
func (s *Socket) finishClose() {
	s.mu.Lock()
	if !s.closing || s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	reason, cause := s.closeReason, s.closeErr
	var before []func(Reason, error)
	if s.cb != nil {
		before = s.cb.onDisconnecting
	}
	s.mu.Unlock()
	for _, f := range before {
		f(reason, cause)
	}
	var rooms []string
	if s.nsp.sessions != nil {
		rooms = s.Rooms()
	}
	s.nsp.adapter.DelAll(s.id)
	s.nsp.remove(s)
	s.client.remove(s)
	s.persistSession(reason, rooms) // after leaving: a restore may reuse the id at once
	s.mu.Lock()
	s.connected = false
	var after []func(Reason, error)
	if s.cb != nil {
		after = s.cb.onDisconnect
	}
	s.mu.Unlock()
	s.hookDisconnect(reason, cause)
	for _, f := range after {
		f(reason, cause)
	}
}

// onPacket handles a packet for this namespace (task goroutine).
func (s *Socket) onPacket(p *parser.Packet) {
	switch p.Type {
	case parser.Event, parser.BinaryEvent:
		s.onEvent(p)
	case parser.Ack, parser.BinaryAck:
		s.onAck(p)
	case parser.Disconnect:
		if s.beginClose(ReasonClientNamespaceDisconnect, nil) {
			s.releaseWaiters()
		}
		s.finishClose()
	}
}

func (s *Socket) onEvent(p *parser.Packet) {
	name, err := parser.EventName(p.Data)
	if err != nil {
		return // the parser validated it
	}
	args, err := newArgs(p.Data, p.Attachments, 1)
	if err != nil {
		return
	}
	e := &Event{Args: args, Name: name, socket: s, ackID: p.ID, hasAck: p.HasID}
	// An event that arrived before its connection closed is dispatched
	// even if the close started since (Node handles each packet as it
	// arrives, so a client's last emit before it leaves reaches the
	// handlers); what that holds is bounded by MaxInboundBacklog, and the
	// handlers see the socket disconnected (Context done, acks failing).
	// After the server disconnected the socket it is gone and its events
	// are dropped (events after a client's DISCONNECT come after it in the
	// queue and find no socket); a middleware that disconnects the socket
	// stops the handlers of its event.
	s.mu.Lock()
	closedBefore, reason := s.closing, s.closeReason
	var mws []func(*Event) error
	if s.cb != nil {
		mws = s.cb.middlewares
	}
	s.mu.Unlock()
	if closedBefore && reason == ReasonServerNamespaceDisconnect {
		return
	}
	if h := s.nsp.srv.observer(); h != nil && h.Event != nil {
		if done := h.Event(s, e); done != nil {
			s.dispatchObserved(e, mws, closedBefore, done)
			return
		}
	}
	s.dispatchEvent(e, mws, closedBefore)
}

// dispatchEvent runs the handlers of e (handler goroutine): catch-alls,
// middlewares, then those of its name. It returns the first error a
// middleware or handler returned.
func (s *Socket) dispatchEvent(e *Event, mws []func(*Event) error, closedBefore bool) error {
	for _, f := range s.handlers.Any() {
		f(e)
	}
	for _, mw := range mws {
		if err := mw(e); err != nil {
			s.emitError(err)
			return err
		}
	}
	if !closedBefore && !s.Connected() {
		return nil // a middleware disconnected the socket
	}
	var first error
	for _, fn := range s.handlers.Take(e.Name) {
		if err := fn(e); err != nil {
			s.emitError(err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// expectAck registers cb for the ack with id, for broadcasts with acks. cb only
// ever sees the client's reply: a disconnect drops the entry without
// calling it (the broadcast then times out, as in the reference). After
// timeout the entry is forgotten, so the map does not keep the ids of
// clients that never answered.
func (s *Socket) expectAck(id uint64, cb func(*parser.Packet), timeout time.Duration) {
	a := &pendingAck{cb: func(p *parser.Packet) {
		if p != nil {
			cb(p)
		}
	}}
	if timeout > 0 {
		a.deadline = time.Now().Add(timeout)
		a.timer = time.AfterFunc(timeout, func() { s.forgetAck(id, a) })
	}
	if !s.addAck(id, a) && a.timer != nil {
		a.timer.Stop()
	}
}

// writeEncoded queues a packet encoded once for many recipients.
func (s *Socket) writeEncoded(enc *adapter.Encoded, flags adapter.Flags) {
	if outgoing := s.handlers.Outgoing(); len(outgoing) > 0 && enc.Packet != nil {
		// As the reference, outgoing listeners see broadcasts too.
		if name, err := parser.EventName(enc.Packet.Data); err == nil {
			if args, err := newArgs(enc.Packet.Data, enc.Packet.Attachments, 1); err == nil {
				vals := args.Values()
				for _, f := range outgoing {
					f(name, vals)
				}
			}
		}
	}
	if !s.live.Load() {
		return // disconnecting: nothing more for this namespace
	}
	s.client.writeEncoded(enc.Packets, flags.Volatile)
}

func (s *Socket) notifyOutgoing(event string, args []any) {
	s.handlers.NotifyOutgoing(event, args)
}
