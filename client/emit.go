package client

import (
	"context"
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
