package client

import (
	"context"
	"encoding/json"
	"github.com/gosio/socketio/internal/timeout"
	"sync"
	"time"

	"github.com/gosio/socketio/internal/handler"
	"github.com/gosio/socketio/parser"
)

// Args are event or acknowledgement arguments, decoded lazily (the same
// type as the server's).
type Args = parser.Args

// Event is an incoming event, as given to func(*Event) handlers.
type Event struct {
	Args
	Name   string
	socket *Socket
	ackID  uint64
	hasAck bool
	mu     sync.Mutex
	acked  bool
}

// EventName returns the event name.
func (e *Event) EventName() string { return e.Name }

// Socket returns the socket the event arrived on.
func (e *Event) Socket() *Socket { return e.socket }

// HasAck reports whether the server asked for an acknowledgement.
func (e *Event) HasAck() bool { return e.hasAck }

// Ack sends the acknowledgement once; later calls do nothing.
func (e *Event) Ack(args ...any) error {
	if !e.hasAck {
		return nil
	}
	e.mu.Lock()
	done := e.acked
	e.acked = true
	e.mu.Unlock()
	if done {
		return nil
	}
	p, err := parser.NewAck(e.socket.nsp, e.ackID, args)
	if err != nil {
		return err
	}
	e.socket.m.write(p)
	return nil
}

type pendingAck struct {
	ch   chan *parser.Packet // nil packet: disconnected
	sent bool                // the packet left; a disconnect fails it
}

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
	ids           uint64
	acks          map[uint64]*pendingAck
	sendBuffer    []*parser.Packet
	receiveBuffer []*parser.Packet
	onConnect     []func()
	onConnectErr  []func(error)
	onDisconnect  []func(reason string)
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

// Recovered reports whether the last connection restored a previous
// session (connection state recovery; always false for now).
func (s *Socket) Recovered() bool { return false }

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

// OnConnect registers f, called on each (re)connection.
func (s *Socket) OnConnect(f func()) {
	s.mu.Lock()
	s.onConnect = append(s.onConnect, f)
	s.mu.Unlock()
}

// OnConnectError registers f, called when a connection attempt fails: a
// *ConnectError when the server refused (no automatic retry then), or the
// transport's error (retried if reconnection is on).
func (s *Socket) OnConnectError(f func(error)) {
	s.mu.Lock()
	s.onConnectErr = append(s.onConnectErr, f)
	s.mu.Unlock()
}

// OnDisconnect registers f, called with the reason ("io server
// disconnect", "io client disconnect", "ping timeout", "transport close",
// "transport error", "parse error").
func (s *Socket) OnDisconnect(f func(reason string)) {
	s.mu.Lock()
	s.onDisconnect = append(s.onDisconnect, f)
	s.mu.Unlock()
}

// Connect connects the socket (again, after Disconnect); it returns at
// once. OnConnect or OnConnectError report the outcome.
func (s *Socket) Connect() {
	s.mu.Lock()
	if s.connected || s.active {
		s.mu.Unlock()
		return
	}
	s.active = true
	s.mu.Unlock()
	if s.m.subscribe(s) {
		s.sendConnect()
	}
}

// Disconnect leaves the namespace (reason "io client disconnect") and
// stops reconnecting; the Manager's connection closes with its last
// socket.
func (s *Socket) Disconnect() {
	s.mu.Lock()
	wasConnected := s.connected
	s.active = false
	s.mu.Unlock()
	if wasConnected {
		s.m.write(&parser.Packet{Type: parser.Disconnect, Nsp: s.nsp})
	}
	s.m.unsubscribe(s)
	if wasConnected {
		s.m.tasks.Push(func() { s.onClose("io client disconnect") })
	}
}

// Close is Disconnect.
func (s *Socket) Close() { s.Disconnect() }

// sendConnect sends CONNECT with the auth payload.
func (s *Socket) sendConnect() {
	auth := s.m.opts.Auth
	if f := s.m.opts.AuthFunc; f != nil {
		auth = f()
	}
	p := &parser.Packet{Type: parser.Connect, Nsp: s.nsp}
	if auth != nil {
		data, err := json.Marshal(auth)
		if err == nil {
			p.Data = data
		}
	}
	s.m.write(p)
}

// onEngineError reports a failed connection attempt.
func (s *Socket) onEngineError(err error) {
	s.mu.Lock()
	connected := s.connected
	hs := s.onConnectErr
	s.mu.Unlock()
	if !connected {
		for _, f := range hs {
			f(err)
		}
	}
}

// onPacket handles a packet for this namespace (task goroutine).
func (s *Socket) onPacket(p *parser.Packet) {
	switch p.Type {
	case parser.Connect:
		var body struct {
			SID string `json:"sid"`
		}
		if json.Unmarshal(p.Data, &body) == nil && body.SID != "" {
			s.onConnected(body.SID)
		} else {
			s.emitConnectError(ErrV2Server)
		}
	case parser.Event, parser.BinaryEvent:
		s.mu.Lock()
		if !s.connected {
			s.receiveBuffer = append(s.receiveBuffer, p)
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		s.dispatch(p)
	case parser.Disconnect:
		s.mu.Lock()
		s.active = false
		s.mu.Unlock()
		s.m.unsubscribe(s)
		s.onClose("io server disconnect")
	case parser.ConnectError:
		s.mu.Lock()
		s.active = false
		s.mu.Unlock()
		s.m.unsubscribe(s)
		ce := &ConnectError{}
		var body struct {
			Message string `json:"message"`
			Data    any    `json:"data"`
		}
		if json.Unmarshal(p.Data, &body) == nil {
			ce.Message, ce.Data = body.Message, body.Data
		} else {
			var msg string
			json.Unmarshal(p.Data, &msg)
			ce.Message = msg
		}
		s.emitConnectError(ce)
	}
}

func (s *Socket) emitConnectError(err error) {
	s.mu.Lock()
	hs := s.onConnectErr
	s.mu.Unlock()
	for _, f := range hs {
		f(err)
	}
}

// onConnected completes a connection: events received early are delivered,
// packets emitted while offline are sent, then OnConnect runs.
func (s *Socket) onConnected(sid string) {
	s.mu.Lock()
	s.id = sid
	s.connected = true
	recv := s.receiveBuffer
	s.receiveBuffer = nil
	// Buffered packets leave before any emitted from now on: the lock
	// keeps concurrent Emits behind them.
	for _, p := range s.sendBuffer {
		if a := s.acks[p.ID]; p.HasID && a != nil {
			a.sent = true
		}
		s.m.write(p)
	}
	s.sendBuffer = nil
	hs := s.onConnect
	s.mu.Unlock()
	for _, p := range recv {
		s.dispatch(p)
	}
	for _, f := range hs {
		f()
	}
}

// onClose marks the socket disconnected with reason (task goroutine).
// Acks of packets already sent fail with ErrDisconnected; those of packets
// still buffered wait for the next connection.
func (s *Socket) onClose(reason string) {
	s.mu.Lock()
	if !s.connected {
		s.mu.Unlock()
		return
	}
	s.connected = false
	s.id = ""
	var failed []*pendingAck
	for id, a := range s.acks {
		if a.sent {
			failed = append(failed, a)
			delete(s.acks, id)
		}
	}
	hs := s.onDisconnect
	s.mu.Unlock()
	for _, a := range failed {
		a.ch <- nil
	}
	for _, f := range hs {
		f(reason)
	}
}

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
	for _, f := range s.handlers.Any() {
		f(e)
	}
	for _, fn := range s.handlers.Take(name) {
		if err := fn(e); err != nil {
			s.m.opts.Logger.Debug("socketio client: handler error", "event", name, "err", err)
		}
	}
}

// onAck resolves an acknowledgement (engine reader goroutine).
func (s *Socket) onAck(p *parser.Packet) {
	if !p.HasID {
		return
	}
	s.mu.Lock()
	a := s.acks[p.ID]
	delete(s.acks, p.ID)
	s.mu.Unlock()
	if a != nil {
		a.ch <- p
	}
}

// Emitter emits with flags; see Socket.Timeout and Socket.Volatile.
type Emitter struct {
	s        *Socket
	timeout  time.Duration
	volatile bool
}

// Timeout returns an emitter whose EmitWithAck waits at most d.
func (s *Socket) Timeout(d time.Duration) *Emitter { return &Emitter{s: s, timeout: d} }

// Volatile returns an emitter that drops events while disconnected
// instead of buffering them.
func (s *Socket) Volatile() *Emitter { return &Emitter{s: s, volatile: true} }

// Timeout sets the ack timeout.
func (e *Emitter) Timeout(d time.Duration) *Emitter { c := *e; c.timeout = d; return &c }

// Volatile sets the volatile flag.
func (e *Emitter) Volatile() *Emitter { c := *e; c.volatile = true; return &c }

// Emit sends an event; while disconnected it is buffered and sent on the
// next connection (ErrBufferFull past Options.MaxBufferedPackets), unless
// volatile. Reserved names return parser.ErrReservedEvent.
func (s *Socket) Emit(event string, args ...any) error { return (&Emitter{s: s}).Emit(event, args...) }

// EmitWithAck sends an event and waits for the server's acknowledgement
// until ctx ends (or Options.AckTimeout passes: ErrTimeout); a disconnect
// after the packet left fails it with ErrDisconnected.
func (s *Socket) EmitWithAck(ctx context.Context, event string, args ...any) (Args, error) {
	return (&Emitter{s: s, timeout: s.m.opts.AckTimeout}).EmitWithAck(ctx, event, args...)
}

// Emit sends the event (see Socket.Emit).
func (e *Emitter) Emit(event string, args ...any) error {
	p, err := parser.NewEvent(e.s.nsp, event, args)
	if err != nil {
		return err
	}
	return e.s.send(p, event, args, e.volatile, nil)
}

// EmitWithAck sends the event and waits for the acknowledgement.
func (e *Emitter) EmitWithAck(ctx context.Context, event string, args ...any) (Args, error) {
	s := e.s
	p, err := parser.NewEvent(s.nsp, event, args)
	if err != nil {
		return Args{}, err
	}
	if e.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.timeout)
		defer cancel()
	}
	a := &pendingAck{ch: make(chan *parser.Packet, 1)}
	if err := s.send(p, event, args, e.volatile, a); err != nil {
		return Args{}, err
	}
	select {
	case r := <-a.ch:
		if r == nil {
			return Args{}, ErrDisconnected
		}
		return parser.NewArgs(r.Data, r.Attachments)
	case <-ctx.Done():
		s.mu.Lock()
		delete(s.acks, p.ID)
		s.mu.Unlock()
		return Args{}, timeout.FromContext(ctx)
	}
}

// send writes p now if connected, else buffers it (or drops it if
// volatile). With ack, an id is assigned and the ack registered.
func (s *Socket) send(p *parser.Packet, event string, args []any, volatile bool, ack *pendingAck) error {
	s.mu.Lock()
	if ack != nil {
		p.ID, p.HasID = s.ids, true
		s.ids++
	}
	connected := s.connected
	switch {
	case connected:
		if ack != nil {
			ack.sent = true
			s.acks[p.ID] = ack
		}
	case volatile:
		s.mu.Unlock()
		return nil
	case len(s.sendBuffer) >= s.m.opts.MaxBufferedPackets:
		s.mu.Unlock()
		return ErrBufferFull
	default:
		if ack != nil {
			s.acks[p.ID] = ack
		}
		s.sendBuffer = append(s.sendBuffer, p)
	}
	s.mu.Unlock()
	s.handlers.NotifyOutgoing(event, args)
	if connected && !s.m.write(p) {
		// The connection just went away: keep the packet for the next one.
		s.mu.Lock()
		if ack != nil {
			ack.sent = false
		}
		s.sendBuffer = append(s.sendBuffer, p)
		s.mu.Unlock()
	}
	return nil
}
