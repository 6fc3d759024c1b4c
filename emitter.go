package socketio

import (
	"context"
	"github.com/gosio/socketio/internal/timeout"
	"time"

	"github.com/gosio/socketio/parser"
)

// Emitter emits to one socket with flags (Node: socket.timeout(ms),
// socket.volatile, socket.compress(c)). Each call returns a new Emitter.
type Emitter struct {
	s          *Socket
	timeout    time.Duration
	volatile   bool
	noCompress bool
}

// Timeout sets how long EmitWithAck waits.
func (e *Emitter) Timeout(d time.Duration) *Emitter { c := *e; c.timeout = d; return &c }

// Volatile drops the event if the client cannot receive it now.
func (e *Emitter) Volatile() *Emitter { c := *e; c.volatile = true; return &c }

// Compress sets the compress flag.
func (e *Emitter) Compress(v bool) *Emitter { c := *e; c.noCompress = !v; return &c }

// Emit sends the event (see Socket.Emit).
func (e *Emitter) Emit(event string, args ...any) error {
	s := e.s
	if s.nsp.sessions != nil && !e.volatile {
		// Recovery on: through the adapter, so the event is stored and
		// replayed, also while the socket is away (as Node).
		p, err := eventPacket(s.nsp.name, event, args)
		if err != nil {
			return err
		}
		done := s.nsp.hookEmit(s, event, nil)
		s.emitThroughAdapter(p, e.volatile, e.noCompress)
		endEmit(done)
		return nil
	}
	if !s.Connected() {
		return ErrDisconnected
	}
	p, err := eventPacket(s.nsp.name, event, args)
	if err != nil {
		return err
	}
	done := s.nsp.hookEmit(s, event, nil)
	s.notifyOutgoing(event, args)
	s.client.writePacket(p, e.volatile)
	endEmit(done)
	return nil
}

// EmitWithAck sends the event with an ack id and waits for the reply until
// ctx ends, the Emitter's timeout passes (ErrTimeout) or the socket
// disconnects (ErrDisconnected).
func (e *Emitter) EmitWithAck(ctx context.Context, event string, args ...any) (Args, error) {
	s := e.s
	p, err := eventPacket(s.nsp.name, event, args)
	if err != nil {
		return Args{}, err
	}
	if e.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.timeout)
		defer cancel()
	}
	p.ID, p.HasID = s.nsp.ackIDs.Add(1)-1, true
	reply := make(chan *parser.Packet, 1)
	if !s.addAck(p.ID, &pendingAck{cb: func(p *parser.Packet) { reply <- p }}) {
		return Args{}, ErrDisconnected
	}
	done := s.nsp.hookEmit(s, event, nil)
	s.notifyOutgoing(event, args)
	s.client.writePacket(p, e.volatile)
	endEmit(done)
	select {
	case r := <-reply:
		if r == nil {
			return Args{}, ErrDisconnected
		}
		return newArgs(r.Data, r.Attachments, 0)
	case <-ctx.Done():
		select {
		case r := <-reply: // the disconnect fails acks before it cancels
			if r == nil {
				return Args{}, ErrDisconnected
			}
			return newArgs(r.Data, r.Attachments, 0)
		default:
		}
		s.removeAck(p.ID)
		return Args{}, timeout.FromContext(ctx)
	}
}
