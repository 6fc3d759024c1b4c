// Outgoing requests that wait for one answer per node: FetchSockets,
// AllRooms, ServerSideEmit with acks, and how long they wait.

package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// pendingReq is a request waiting for numSub answers (msgCount so far);
// done is closed when they are all in, or when the adapter closes.
type pendingReq struct {
	typ      int
	numSub   int
	msgCount int
	sockets  []adapter.SocketInfo
	ids      []string
	rooms    map[string]struct{}
	replies  []*parser.Packet
	done     chan struct{}
	finished bool
}

// ServerCount returns the number of nodes serving this namespace (PUBSUB
// NUMSUB of its request channel), this one included. While this node is
// not subscribed the count would leave it out: ServerCount then fails
// with an error wrapping ErrUnavailable at once if Redis is known to be
// away, or waits (within ctx and RequestsTimeout) for the subscription of
// a namespace just created. A count that cannot be read fails with
// ErrUnavailable too, or with a *TimeoutError if ctx ended first.
func (a *Adapter) ServerCount(ctx context.Context) (int, error) {
	rctx, cancel := context.WithTimeout(ctx, a.c.opts.RequestsTimeout)
	defer cancel()
	return a.countNodes(ctx, rctx, "serverCount", 1, false)
}

// countNodes returns how many nodes (this one included) a request op must
// hear from, as ServerCount does. With rejoin, while this node is
// rejoining after it lost Redis, it waits until the nodes counted before
// have subscribed again, and fails with a *TimeoutError (NotBack set) if
// they have not when rctx ends. self is 1 if this node's own part counts
// as a response of op (fetchSockets, allRooms), else 0. ctx is the
// caller's context, rctx the request's (ctx bounded by RequestsTimeout).
func (a *Adapter) countNodes(ctx, rctx context.Context, op string, self int, rejoin bool) (int, error) {
	a.mu.Lock()
	closed := a.isClosed
	a.mu.Unlock()
	if closed {
		return 0, ErrClosed
	}
	up, isUp, epoch := a.members.state()
	if !isUp {
		if !a.c.Healthy() {
			return 0, fmt.Errorf("%s: %w: this node is not connected to Redis", op, ErrUnavailable)
		}
		select {
		case <-up:
		case <-rctx.Done():
			if ctx.Err() != nil {
				return 0, a.timeoutError(ctx, &TimeoutError{Op: op})
			}
			return 0, fmt.Errorf("%s: %w: not subscribed within RequestsTimeout", op, ErrUnavailable)
		}
		_, _, epoch = a.members.state()
	}
	if !a.c.pubOK.Load() {
		return 0, fmt.Errorf("%s: %w: publishing to Redis fails", op, ErrUnavailable)
	}
	// failed is the error of a count that could not be read: a timeout if
	// the caller's ctx ended, else Redis is unavailable.
	failed := func(err error) error {
		if ctx.Err() != nil {
			return a.timeoutError(ctx, &TimeoutError{Op: op})
		}
		return fmt.Errorf("%s: %w (PUBSUB NUMSUB): %w", op, ErrUnavailable, err)
	}
	n, err := a.c.numSub(rctx, a.requestChannel)
	if err != nil {
		return 0, failed(err)
	}
	want := a.members.count(n, epoch, time.Now())
	if !rejoin {
		return n, nil
	}
	// Rejoining: wait for the nodes that are not back, reading the count
	// again with backoff. If rctx ends first, say how many are missing.
	delay := 20 * time.Millisecond
	for n < want {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
			m, err := a.c.numSub(rctx, a.requestChannel)
			if err == nil {
				n = m
				a.members.count(n, epoch, time.Now())
			} else if rctx.Err() == nil {
				return 0, failed(err)
			}
		case <-rctx.Done():
			t.Stop()
		}
		if n < want && rctx.Err() != nil {
			return 0, a.timeoutError(ctx, &TimeoutError{Op: op, Got: self, Want: want - 1 + self, NotBack: want - n})
		}
		delay = min(2*delay, 200*time.Millisecond)
	}
	return n, nil
}

// timeoutError returns te, with the errors of ctx if the caller's ctx
// ended the wait.
func (a *Adapter) timeoutError(ctx context.Context, te *TimeoutError) *TimeoutError {
	a.timedOut(te.Op)
	return timeoutError(ctx, te)
}

func timeoutError(ctx context.Context, te *TimeoutError) *TimeoutError {
	if err := ctx.Err(); err != nil {
		te.ctxErr, te.Cause = err, context.Cause(ctx)
	}
	return te
}

// request sends req (with a fresh requestId) to the other nodes and waits
// for p's answers (the local part is already in p) until rctx ends (the
// caller's ctx, bounded by RequestsTimeout).
func (a *Adapter) request(ctx, rctx context.Context, name string, p *pendingReq, req map[string]any) error {
	reqID := uid(6)
	req["uid"] = a.uid
	req["requestId"] = reqID
	p.done = make(chan struct{})
	a.mu.Lock()
	if a.isClosed {
		a.mu.Unlock()
		return ErrClosed
	}
	a.pending[reqID] = p
	a.mu.Unlock()
	if err := a.publishJSON(a.requestChannel, req); err != nil {
		a.mu.Lock()
		delete(a.pending, reqID)
		p.finished = true
		a.mu.Unlock()
		return fmt.Errorf("%s: %w", name, err)
	}

	select {
	case <-p.done:
	case <-rctx.Done():
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.pending, reqID)
	complete := p.finished && !a.isClosed
	p.finished = true
	switch {
	case complete:
		return nil
	case a.isClosed:
		return ErrClosed
	}
	return a.timeoutError(ctx, &TimeoutError{Op: name, Got: p.msgCount, Want: p.numSub})
}

// TimeoutError is returned when nodes did not all answer a request in
// time: RequestsTimeout passed, or the caller's context ended.
// errors.Is(err, adapter.ErrTimeout) holds, and when the context ended the
// wait errors.Is matches its error too (context.DeadlineExceeded or
// context.Canceled, and the cause given to the context). The results
// returned with it are partial.
type TimeoutError struct {
	Op   string // "fetchSockets", "serverSideEmit", "allRooms", "serverCount"
	Got  int    // responses received (this node counts as one for fetchSockets and allRooms)
	Want int    // responses expected (0 if the nodes were not counted yet)
	// NotBack is the number of nodes that served the namespace before
	// this node lost Redis and had not subscribed again: the request was
	// not sent, as they could not have received it.
	NotBack int
	// Cause is context.Cause of the caller's context if it ended the wait
	// (context.DeadlineExceeded, context.Canceled, or the cause given to
	// the context), nil if RequestsTimeout did.
	Cause error

	ctxErr error // the context's Err, when Cause is set
}

func (e *TimeoutError) Error() string {
	var b strings.Builder
	if e.Want == 0 {
		fmt.Fprintf(&b, "socketio/redis: timeout reached while counting the nodes for %s", e.Op)
	} else {
		fmt.Fprintf(&b, "socketio/redis: timeout reached while waiting for %s response: only %d responses received out of %d", e.Op, e.Got, e.Want)
	}
	if e.NotBack > 0 {
		fmt.Fprintf(&b, " (%d of the nodes counted before Redis was lost not subscribed again)", e.NotBack)
	}
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

// FetchSockets returns the selected sockets of every node. It never
// returns a part of them without an error; with one it returns those it
// has (this node's first):
//   - an error wrapping ErrUnavailable at once while this node is cut off
//     from Redis, or when the node count cannot be read within
//     RequestsTimeout;
//   - a *TimeoutError when a counted node does not answer in time, or
//     when, right after this node reconnected, nodes that served the
//     namespace before have not subscribed again in time (NotBack): the
//     request waits for them before it is sent;
//   - a *TimeoutError matching the context's error when ctx ends first.
//
// Every wait is bounded by ctx and RequestsTimeout together. A namespace
// created a moment ago is waited for until subscribed.
func (a *Adapter) FetchSockets(ctx context.Context, opts adapter.BroadcastOptions) ([]adapter.SocketInfo, error) {
	local, _ := a.Memory.FetchSockets(ctx, opts)
	if opts.Flags.Local {
		return local, nil
	}
	rctx, cancel := context.WithTimeout(ctx, a.c.opts.RequestsTimeout)
	defer cancel()
	n, err := a.countNodes(ctx, rctx, "fetchSockets", 1, true)
	if err != nil || n <= 1 {
		return local, err
	}
	p := &pendingReq{typ: reqRemoteFetch, numSub: n, msgCount: 1, sockets: local}
	err = a.request(ctx, rctx, "fetchSockets", p, map[string]any{
		"type": reqRemoteFetch,
		"opts": wireOpts{Rooms: nonNil(opts.Rooms), Except: nonNil(opts.Except)},
	})
	a.mu.Lock()
	out := p.sockets
	a.mu.Unlock()
	return out, err
}

// AllRooms returns the rooms of every node, with the errors of
// FetchSockets (and the rooms it has).
func (a *Adapter) AllRooms(ctx context.Context) ([]string, error) {
	p := &pendingReq{typ: reqAllRooms, msgCount: 1, rooms: map[string]struct{}{}}
	for _, r := range a.Rooms() {
		p.rooms[r] = struct{}{}
	}
	collect := func() []string {
		a.mu.Lock()
		defer a.mu.Unlock()
		out := make([]string, 0, len(p.rooms))
		for r := range p.rooms {
			out = append(out, r)
		}
		return out
	}
	rctx, cancel := context.WithTimeout(ctx, a.c.opts.RequestsTimeout)
	defer cancel()
	n, err := a.countNodes(ctx, rctx, "allRooms", 1, true)
	if err != nil || n <= 1 {
		return collect(), err
	}
	p.numSub = n
	err = a.request(ctx, rctx, "allRooms", p, map[string]any{"type": reqAllRooms})
	return collect(), err
}

// ServerSideEmit sends the event p (data [event, ...args]) to the other
// nodes. Without wantAck it only publishes, and fails with an error
// wrapping ErrUnavailable if the message is dropped (Redis away, queue
// full). With wantAck it waits for one reply per other node, with the
// errors of FetchSockets (and the replies that arrived); each reply is an
// ACK packet holding the one value the node acknowledged with (the Node
// adapter carries only the first argument). Arguments travel as JSON, as
// in the Node adapter: binary values are not supported.
func (a *Adapter) ServerSideEmit(ctx context.Context, p *parser.Packet, wantAck bool) ([]*parser.Packet, error) {
	data := json.RawMessage(p.Data)
	if len(p.Attachments) > 0 {
		v, err := notepack.FromJSON(p.Data, p.Attachments)
		if err != nil {
			return nil, err
		}
		b, err := notepack.AppendJSON(nil, v, nil) // Buffer.toJSON form
		if err != nil {
			return nil, err
		}
		data = b
	}
	if !wantAck {
		if err := a.publishJSON(a.requestChannel, map[string]any{"uid": a.uid, "type": reqServerSideEmit, "data": data}); err != nil {
			return nil, fmt.Errorf("serverSideEmit: %w", err)
		}
		return nil, nil
	}
	rctx, cancel := context.WithTimeout(ctx, a.c.opts.RequestsTimeout)
	defer cancel()
	n, err := a.countNodes(ctx, rctx, "serverSideEmit", 0, true)
	if err != nil || n-1 <= 0 {
		return nil, err
	}
	pr := &pendingReq{typ: reqServerSideEmit, numSub: n - 1}
	err = a.request(ctx, rctx, "serverSideEmit", pr, map[string]any{"type": reqServerSideEmit, "data": data})
	a.mu.Lock()
	out := pr.replies
	a.mu.Unlock()
	return out, err
}
