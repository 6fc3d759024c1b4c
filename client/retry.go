package client

import (
	"context"
	"slices"
	"time"

	"github.com/gosio/socketio/internal/timeout"
	"github.com/gosio/socketio/parser"
)

// At-least-once delivery (SocketOptions.Retries), as socket.io-client's
// _queue and _drainQueue: emits join a queue; the first one is sent with
// an ack id (pending), and the next only once it is settled: acknowledged
// (it leaves the queue, its EmitWithAck returns the reply), or failed
// after Retries more tries (it leaves with the error). A failed try (ack
// timeout, connection lost) with tries left is sent again at once if
// connected, or on the next connection. The queue is drained on each
// connection, before OnConnect runs.
//
// Locking: the queue is under s.mu. A try's outcome arrives on the
// engine's reader (the ack), a timer goroutine (the timeout), or whichever
// goroutine disconnects the socket; each settles it after s.mu is
// released.

// queuedEmit is a packet of the queue (Node: QueuedPacket).
type queuedEmit struct {
	p        *parser.Packet // the event; each try sends a copy with a new ack id
	event    string
	args     []any
	timeout  time.Duration // of each try; 0: none
	tryCount int
	pending  bool                                  // a try is in flight
	ackID    uint64                                // of the try in flight
	done     func(reply *parser.Packet, err error) // the outcome; nil for Emit
}

func nop() {}

// enqueue adds an emit to the queue and sends it if it is first; done,
// if not nil, receives its outcome.
func (s *Socket) enqueue(e *Emitter, p *parser.Packet, event string, args []any, done func(*parser.Packet, error)) (*queuedEmit, error) {
	q := &queuedEmit{p: p, event: event, args: args, timeout: e.ackTimeout(), done: done}
	s.mu.Lock()
	if len(s.queue) >= s.m.opts.MaxBufferedPackets {
		s.mu.Unlock()
		return nil, ErrBufferFull
	}
	s.queue = append(s.queue, q)
	after := s.drainLocked(false)
	s.mu.Unlock()
	after()
	return q, nil
}

// drainLocked sends the first packet of the queue unless it is in flight
// (force: even then, as on a new connection) or the socket is not
// connected. It returns the outgoing listeners' call, to make once s.mu is
// released.
func (s *Socket) drainLocked(force bool) func() {
	if !s.connected || len(s.queue) == 0 {
		return nop
	}
	q := s.queue[0]
	if q.pending && !force {
		return nop
	}
	q.pending = true
	q.tryCount++
	p := *q.p
	p.ID, p.HasID = s.ids, true
	s.ids++
	q.ackID = p.ID
	a := &pendingAck{sent: true}
	a.fn = func(reply *parser.Packet, err error) { s.settle(q, reply, err) }
	if q.timeout > 0 {
		id := p.ID
		a.timer = time.AfterFunc(q.timeout, func() { s.expire(id, a) })
	}
	s.acks[p.ID] = a
	if !s.m.writeOn(s.connGen, &p) {
		// The connection is going away: this was no try. The queue goes
		// on with the next connection.
		delete(s.acks, p.ID)
		if a.timer != nil {
			a.timer.Stop()
		}
		q.pending = false
		q.tryCount--
		return nop
	}
	return func() { s.listeners.notifyOutgoing(q.event, q.args) }
}

// expire fails a try whose ack did not come in time (timer goroutine).
func (s *Socket) expire(id uint64, a *pendingAck) {
	s.mu.Lock()
	mine := s.acks[id] == a
	if mine {
		s.forgetLocked(id)
	}
	s.mu.Unlock()
	if mine {
		a.resolve(nil, ErrTimeout)
	}
}

// settle handles the outcome of a try of q (Node: the callback
// _addToQueue appends).
func (s *Socket) settle(q *queuedEmit, reply *parser.Packet, err error) {
	s.mu.Lock()
	if len(s.queue) == 0 || s.queue[0] != q {
		s.mu.Unlock()
		return // settled already
	}
	settled := err == nil || q.tryCount > s.opts.Retries
	if settled {
		s.queue[0] = nil
		s.queue = s.queue[1:]
	}
	q.pending = false
	after := s.drainLocked(false)
	s.mu.Unlock()
	if settled && q.done != nil {
		q.done(reply, err)
	}
	after()
}

// emitQueuedWithAck enqueues p and waits for its outcome; if ctx ends
// first, p leaves the queue (an ack of its try in flight is then
// ignored) and the next packet goes.
func (s *Socket) emitQueuedWithAck(ctx context.Context, e *Emitter, p *parser.Packet, event string, args []any) (Args, error) {
	ch := make(chan *parser.Packet, 1)
	var failure error
	q, err := s.enqueue(e, p, event, args, func(reply *parser.Packet, err error) {
		failure = err // before the send: the receiver reads it after
		ch <- reply
	})
	if err != nil {
		return Args{}, err
	}
	select {
	case r := <-ch:
		if failure != nil {
			return Args{}, failure
		}
		return parser.NewArgs(r.Data, r.Attachments)
	case <-ctx.Done():
		s.abandon(q)
		return Args{}, timeout.FromContext(ctx)
	}
}

func (s *Socket) abandon(q *queuedEmit) {
	s.mu.Lock()
	if i := slices.Index(s.queue, q); i >= 0 {
		if q.pending {
			if a := s.acks[q.ackID]; a != nil && a.timer != nil {
				a.timer.Stop()
			}
			delete(s.acks, q.ackID)
		}
		s.queue = slices.Delete(s.queue, i, i+1)
	}
	after := s.drainLocked(false)
	s.mu.Unlock()
	after()
}
