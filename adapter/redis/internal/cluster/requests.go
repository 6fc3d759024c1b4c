package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/wire"
	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// ErrClosed is returned by requests made after Close, and by those pending
// when it is called.
var ErrClosed = errors.New("socketio/redis: adapter closed")

// ErrUnavailable is wrapped by the errors of requests that could not be
// sent (the transport dropped them: Redis away and the queue full, or the
// transport closed).
var ErrUnavailable = errors.New("socketio/redis: Redis unreachable")

// request waits for the answers of the other nodes to a FETCH_SOCKETS or
// SERVER_SIDE_EMIT of this node: want of them (got so far).
type request struct {
	typ     Type
	want    int
	got     int
	sockets []adapter.SocketInfo
	replies []*parser.Packet
	done    chan struct{}
	over    bool
}

func (r *request) finish() {
	if !r.over {
		r.over = true
		close(r.done)
	}
}

// TimeoutError is returned when the other nodes did not all answer a
// request in time: RequestsTimeout (or the broadcast's Timeout) passed, or
// the caller's context ended. errors.Is(err, adapter.ErrTimeout) holds,
// and when the context ended the wait errors.Is matches its error too.
// The results returned with it are partial.
type TimeoutError struct {
	Op   string // "fetchSockets", "serverSideEmit"
	Got  int    // answers received from other nodes
	Want int    // answers expected from other nodes
	// Cause is context.Cause of the caller's context if it ended the
	// wait, nil if the request's own timeout did.
	Cause error

	ctxErr error
}

func (e *TimeoutError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "socketio/redis: timeout reached while waiting for %s response: only %d responses received out of %d", e.Op, e.Got, e.Want)
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Is makes errors.Is(err, adapter.ErrTimeout) true.
func (e *TimeoutError) Is(target error) bool { return target == adapter.ErrTimeout }

// Unwrap returns the context's errors, if it ended the wait.
func (e *TimeoutError) Unwrap() []error {
	switch {
	case e.Cause == nil:
		return nil
	case e.ctxErr == nil || e.ctxErr == e.Cause:
		return []error{e.Cause}
	}
	return []error{e.ctxErr, e.Cause}
}

// countFailed wraps an error of the node count: the caller's context
// ending is a *TimeoutError, anything else stays as the transport said.
func countFailed(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return &TimeoutError{Op: op, Cause: context.Cause(ctx), ctxErr: ctx.Err()}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// ask publishes a request of type t with data (requestId added) to the
// other nodes and waits until want of them answered, wait passed or ctx
// ended.
func (c *Core) ask(ctx context.Context, op string, t Type, data notepack.Map, r *request, wait time.Duration) error {
	reqID := RandomID()
	r.done = make(chan struct{})
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return ErrClosed
	}
	c.requests[reqID] = r
	c.mu.Unlock()
	data = append(data, notepack.KV{Key: "requestId", Val: reqID})
	if !c.publish(t, data) {
		c.mu.Lock()
		delete(c.requests, reqID)
		c.mu.Unlock()
		return fmt.Errorf("%s: %w: request dropped", op, ErrUnavailable)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-r.done:
	case <-timer.C:
	case <-ctx.Done():
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.requests, reqID)
	complete := r.over && r.got >= r.want
	r.over = true
	switch {
	case c.closed:
		return ErrClosed
	case complete:
		return nil
	}
	c.hookTimedOut(op)
	te := &TimeoutError{Op: op, Got: r.got, Want: r.want}
	if ctx.Err() != nil {
		te.Cause, te.ctxErr = context.Cause(ctx), ctx.Err()
	}
	return te
}

// FetchSockets returns the selected sockets of every node, this one's
// first. It waits for one answer per other node (as counted by the
// transport) for the selection's Timeout, RequestsTimeout if none, within
// ctx; then it returns what it has with a *TimeoutError.
func (c *Core) FetchSockets(ctx context.Context, opts adapter.BroadcastOptions) ([]adapter.SocketInfo, error) {
	local, _ := c.Memory.FetchSockets(ctx, opts)
	if opts.Flags.Local {
		return local, nil
	}
	n, err := c.ServerCount(ctx)
	if err != nil {
		return local, countFailed(ctx, "fetchSockets", err)
	}
	if n <= 1 {
		return local, nil
	}
	wait := opts.Flags.Timeout
	if wait <= 0 {
		wait = c.opts.RequestsTimeout
	}
	r := &request{typ: FetchSockets, want: n - 1, sockets: local}
	err = c.ask(ctx, "fetchSockets", FetchSockets, notepack.Map{{Key: "opts", Val: selection(opts)}}, r, wait)
	c.mu.Lock()
	out := r.sockets
	c.mu.Unlock()
	return out, err
}

// ServerSideEmit sends the event p (data [event, ...args]) to the other
// nodes. Without wantAck it only publishes (an error wrapping
// ErrUnavailable if the message is dropped). With wantAck it waits, as
// FetchSockets, for one reply per other node: an ACK packet holding the
// one value that node's handler acknowledged with (Node carries only the
// first argument). Binary arguments stay binary.
func (c *Core) ServerSideEmit(ctx context.Context, p *parser.Packet, wantAck bool) ([]*parser.Packet, error) {
	args, err := notepack.FromJSON(p.Data, p.Attachments)
	if err != nil {
		return nil, err
	}
	data := notepack.Map{{Key: "packet", Val: args}}
	if !wantAck {
		if !c.publish(ServerSideEmit, data) {
			return nil, fmt.Errorf("serverSideEmit: %w: message dropped", ErrUnavailable)
		}
		return nil, nil
	}
	n, err := c.ServerCount(ctx)
	if err != nil {
		return nil, countFailed(ctx, "serverSideEmit", err)
	}
	if n <= 1 {
		return nil, nil
	}
	r := &request{typ: ServerSideEmit, want: n - 1}
	err = c.ask(ctx, "serverSideEmit", ServerSideEmit, data, r, c.opts.RequestsTimeout)
	c.mu.Lock()
	out := r.replies
	c.mu.Unlock()
	return out, err
}

// onResponse handles an answer to one of this node's requests.
func (c *Core) onResponse(m *Message) {
	reqID := str(m.Data, "requestId")
	switch m.Type {
	case BroadcastClientCount, BroadcastAck:
		c.mu.Lock()
		r := c.acks[reqID]
		c.mu.Unlock()
		if r == nil {
			return
		}
		c.received.Add(1)
		if m.Type == BroadcastClientCount {
			n, _ := m.Data.Get("clientCount")
			r.clientCount(toInt(n))
			return
		}
		v, ok := m.Data.Get("packet")
		if !ok {
			v = notepack.Undefined{}
		}
		r.ack(wire.AckPacket(c.name, v))
	case FetchSocketsResponse, ServerSideEmitResponse:
		c.mu.Lock()
		defer c.mu.Unlock()
		r := c.requests[reqID]
		if r == nil || r.over || (r.typ == FetchSockets) != (m.Type == FetchSocketsResponse) {
			return
		}
		c.received.Add(1)
		r.got++
		if m.Type == FetchSocketsResponse {
			v, _ := m.Data.Get("sockets")
			list, _ := v.([]any)
			for _, s := range list {
				if info, ok := wire.SocketFromValue(s); ok {
					r.sockets = append(r.sockets, info)
				}
			}
		} else {
			v, ok := m.Data.Get("packet")
			if !ok {
				v = nil // JSON drops undefined: Node's reply was undefined or null
			}
			r.replies = append(r.replies, wire.AckPacket(c.name, v))
		}
		if r.got >= r.want {
			r.finish()
		}
	}
}

// toInt converts a decoded number, 0 for anything else.
func toInt(v any) int {
	switch x := v.(type) {
	case int64:
		return int(x)
	case uint64:
		return int(min(x, 1<<31))
	case float64:
		if x >= 0 && x < 1<<31 {
			return int(x)
		}
	}
	return 0
}

func (c *Core) hookTimedOut(op string) {
	if h := c.hooks(); h != nil && h.RequestTimedOut != nil {
		h.RequestTimedOut(c.name, op)
	}
}
