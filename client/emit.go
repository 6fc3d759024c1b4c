package client

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/gosio/socketio/internal/timeout"
	"github.com/gosio/socketio/parser"
)

// Event is an incoming event, as given to func(*Event) handlers.
type Event struct {
	Args
	Name   string
	socket *Socket
	ackID  uint64
	hasAck bool
	gen    uint64 // the connection it came on: its ack goes back there only
	mu     sync.Mutex
	acked  bool
}

// EventName returns the event name.
func (e *Event) EventName() string { return e.Name }

// Socket returns the socket the event arrived on.
func (e *Event) Socket() *Socket { return e.socket }

// HasAck reports whether the server asked for an acknowledgement.
func (e *Event) HasAck() bool { return e.hasAck }

// Ack sends the acknowledgement once; later calls do nothing. It is
// dropped if the connection the event came on has closed meanwhile.
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
	e.socket.m.writeOn(e.gen, p)
	return nil
}

// pendingAck is an acknowledgement awaited. Exactly one of ch (an
// EmitWithAck waiting) and fn (a try of the at-least-once queue) is set.
type pendingAck struct {
	ch    chan *parser.Packet // nil packet: disconnected
	fn    func(reply *parser.Packet, err error)
	timer *time.Timer // fn's timeout, if any
	sent  bool        // the packet left; a disconnect fails it
}

// resolve delivers the outcome; the ack has left s.acks (exactly once).
func (a *pendingAck) resolve(reply *parser.Packet, err error) {
	if a.timer != nil {
		a.timer.Stop()
	}
	if a.fn != nil {
		a.fn(reply, err)
		return
	}
	a.ch <- reply // buffered, and resolved once
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
		a.resolve(p, nil)
	}
}

// Emitter emits with flags; see Socket.Timeout, Socket.Volatile and
// Socket.Compress.
type Emitter struct {
	s          *Socket
	timeout    time.Duration
	volatile   bool
	noCompress bool
}

// Timeout returns an emitter whose EmitWithAck waits at most d (with
// Retries: each try waits at most d).
func (s *Socket) Timeout(d time.Duration) *Emitter { return &Emitter{s: s, timeout: d} }

// Volatile returns an emitter that drops events while disconnected
// instead of buffering them, and bypasses the Retries queue.
func (s *Socket) Volatile() *Emitter { return &Emitter{s: s, volatile: true} }

// Compress returns an emitter with the compress flag set as given (Node:
// socket.compress(false)). The flag asks the transport not to compress
// the packet; this client never negotiates compression (no WebSocket
// permessage-deflate, no compressed POST bodies), so its packets travel
// uncompressed either way, as socket.io-client's do with a server that
// leaves perMessageDeflate off, its default.
func (s *Socket) Compress(on bool) *Emitter { return &Emitter{s: s, noCompress: !on} }

// Timeout sets the ack timeout.
func (e *Emitter) Timeout(d time.Duration) *Emitter { c := *e; c.timeout = d; return &c }

// Volatile sets the volatile flag.
func (e *Emitter) Volatile() *Emitter { c := *e; c.volatile = true; return &c }

// Compress sets the compress flag (see Socket.Compress).
func (e *Emitter) Compress(on bool) *Emitter { c := *e; c.noCompress = !on; return &c }

// Emit sends an event; while disconnected it is buffered and sent on the
// next connection (ErrBufferFull past Options.MaxBufferedPackets), unless
// volatile. With Retries it joins the at-least-once queue. Reserved names
// return parser.ErrReservedEvent.
func (s *Socket) Emit(event string, args ...any) error { return (&Emitter{s: s}).Emit(event, args...) }

// Send emits the "message" event (Node: socket.send(...args)).
func (s *Socket) Send(args ...any) error { return s.Emit("message", args...) }

// EmitWithAck sends an event and waits for the server's acknowledgement
// until ctx ends (or the socket's AckTimeout passes: ErrTimeout); a
// disconnect after the packet left fails it with ErrDisconnected. With
// Retries, it waits until the queue has delivered the packet or given up
// on it (see SocketOptions.Retries).
func (s *Socket) EmitWithAck(ctx context.Context, event string, args ...any) (Args, error) {
	return (&Emitter{s: s}).EmitWithAck(ctx, event, args...)
}

// Emit sends the event (see Socket.Emit).
func (e *Emitter) Emit(event string, args ...any) error {
	p, err := parser.NewEvent(e.s.nsp, event, args)
	if err != nil {
		return err
	}
	if e.queued() {
		_, err := e.s.enqueue(e, p, event, args, nil)
		return err
	}
	return e.s.send(p, event, args, e.volatile, nil)
}

// EmitWithAckFunc sends an event and calls ack once with the server's
// acknowledgement or the error that ends the wait (Node: socket.emit(ev,
// ...args, (err, ...res) => {})): ErrTimeout after the socket's AckTimeout
// (then a packet still buffered is dropped, as in the reference),
// ErrDisconnected if the connection is lost after the packet left; with
// Retries, the queue's outcome (see SocketOptions.Retries). Unlike
// EmitWithAck it does not wait: successive calls keep their order on the
// wire. ack runs on the socket's handler goroutine, as its event handlers
// do, and in order with them: after the events that arrived before the
// acknowledgement, as in the reference. An error is returned only when
// the emit is refused (reserved name, unencodable argument, full buffer);
// ack is not called then.
func (s *Socket) EmitWithAckFunc(event string, ack func(reply Args, err error), args ...any) error {
	return (&Emitter{s: s}).EmitWithAckFunc(event, ack, args...)
}

// EmitWithAckFunc is Socket.EmitWithAckFunc with the emitter's flags.
func (e *Emitter) EmitWithAckFunc(event string, ack func(reply Args, err error), args ...any) error {
	p, err := parser.NewEvent(e.s.nsp, event, args)
	if err != nil {
		return err
	}
	s := e.s
	done := func(reply *parser.Packet, err error) {
		s.tasks.PushNoWait(func() {
			if err != nil {
				ack(Args{}, err)
				return
			}
			a, err := parser.NewArgs(reply.Data, reply.Attachments)
			ack(a, err)
		})
	}
	if e.queued() {
		_, err := e.s.enqueue(e, p, event, args, done)
		return err
	}
	a := &pendingAck{fn: done}
	if err := e.s.send(p, event, args, e.volatile, a); err != nil {
		return err
	}
	if d := e.ackTimeout(); d > 0 {
		id := p.ID
		e.s.mu.Lock()
		if e.s.acks[id] == a {
			a.timer = time.AfterFunc(d, func() { e.s.expire(id, a) })
		}
		e.s.mu.Unlock()
	}
	return nil
}

// Send emits the "message" event.
func (e *Emitter) Send(args ...any) error { return e.Emit("message", args...) }

func (e *Emitter) queued() bool { return e.s.opts.Retries > 0 && !e.volatile }

// ackTimeout is the emitter's timeout, or the socket's default.
func (e *Emitter) ackTimeout() time.Duration {
	if e.timeout > 0 {
		return e.timeout
	}
	return e.s.opts.AckTimeout
}

// EmitWithAck sends the event and waits for the acknowledgement.
func (e *Emitter) EmitWithAck(ctx context.Context, event string, args ...any) (Args, error) {
	s := e.s
	p, err := parser.NewEvent(s.nsp, event, args)
	if err != nil {
		return Args{}, err
	}
	if e.queued() {
		return s.emitQueuedWithAck(ctx, e, p, event, args)
	}
	if d := e.ackTimeout(); d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
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
		s.forgetLocked(p.ID)
		s.mu.Unlock()
		return Args{}, timeout.FromContext(ctx)
	}
}

// forgetLocked drops the ack awaited with id and, as the reference does
// on an ack timeout, the packet if it still waits in the send buffer.
func (s *Socket) forgetLocked(id uint64) {
	delete(s.acks, id)
	s.sendBuffer = slices.DeleteFunc(s.sendBuffer, func(b buffered) bool { return b.p.HasID && b.p.ID == id })
}

// send writes p now if connected, else buffers it (or drops it if
// volatile). With ack, an id is assigned and the ack registered.
func (s *Socket) send(p *parser.Packet, event string, args []any, volatile bool, ack *pendingAck) error {
	s.mu.Lock()
	if ack != nil {
		p.ID, p.HasID = s.ids, true
		s.ids++
	}
	connected, gen := s.connected, s.connGen
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
		s.sendBuffer = append(s.sendBuffer, buffered{p, event, args})
	}
	s.mu.Unlock()
	if !connected {
		return nil
	}
	if s.m.writeOn(gen, p) {
		s.listeners.notifyOutgoing(event, args)
		return nil
	}
	// The connection just went away (or the socket is not yet on the
	// Manager's new one): keep the packet for the next connection.
	s.mu.Lock()
	if !volatile {
		if ack != nil {
			ack.sent = false
		}
		s.sendBuffer = append(s.sendBuffer, buffered{p, event, args})
		s.mu.Unlock()
		return nil
	}
	if ack != nil && s.acks[p.ID] == ack {
		delete(s.acks, p.ID)
	} else {
		ack = nil // resolved meanwhile, or none
	}
	s.mu.Unlock()
	if ack != nil {
		ack.resolve(nil, ErrDisconnected)
	}
	return nil
}

// buffered is a packet emitted while disconnected, sent on the next
// connection.
type buffered struct {
	p     *parser.Packet
	event string
	args  []any
}
