// Outgoing requests that wait for one answer per node: FetchSockets,
// AllRooms, ServerSideEmit with acks, and how long they wait.

package redis

import (
	"context"
	"encoding/json"
	"fmt"
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
// NUMSUB of its request channel), this one included.
func (a *Adapter) ServerCount(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, a.c.opts.RequestsTimeout)
	defer cancel()
	n, err := a.c.serverCount(ctx, a.requestChannel)
	if err != nil {
		return 0, fmt.Errorf("%w (PUBSUB NUMSUB): %w", ErrUnavailable, err)
	}
	return n, nil
}

// request sends req (with a fresh requestId) to the other nodes and waits
// for numSub-1 responses (the local part is already in p) until ctx ends
// or RequestsTimeout passes.
func (a *Adapter) request(ctx context.Context, name string, p *pendingReq, req map[string]any) error {
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
	a.publishJSON(a.requestChannel, req)

	t := time.NewTimer(a.c.opts.RequestsTimeout)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
	case <-ctx.Done():
	}
	a.mu.Lock()
	delete(a.pending, reqID)
	complete := p.finished && !a.isClosed
	closed := a.isClosed
	p.finished = true
	a.mu.Unlock()
	if complete {
		return nil
	}
	if closed {
		return ErrClosed
	}
	return &TimeoutError{Op: name, Got: p.msgCount, Want: p.numSub}
}

// TimeoutError is returned when other nodes did not all answer a request
// in time (RequestsTimeout, or the context's deadline). errors.Is(err,
// adapter.ErrTimeout) holds. The results returned with it are partial.
type TimeoutError struct {
	Op   string // "fetchSockets", "serverSideEmit", "allRooms"
	Got  int    // responses received (this node counts as one for fetchSockets and allRooms)
	Want int    // responses expected
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("socketio/redis: timeout reached while waiting for %s response: only %d responses received out of %d", e.Op, e.Got, e.Want)
}

// Is makes errors.Is(err, adapter.ErrTimeout) true.
func (e *TimeoutError) Is(target error) bool { return target == adapter.ErrTimeout }

// FetchSockets returns the selected sockets of every node. On timeout it
// returns those that arrived with a *TimeoutError.
func (a *Adapter) FetchSockets(ctx context.Context, opts adapter.BroadcastOptions) ([]adapter.SocketInfo, error) {
	local, _ := a.Memory.FetchSockets(ctx, opts)
	if opts.Flags.Local {
		return local, nil
	}
	n, err := a.ServerCount(ctx)
	if err != nil {
		return local, fmt.Errorf("fetchSockets: %w", err)
	}
	if n <= 1 {
		return local, nil
	}
	p := &pendingReq{typ: reqRemoteFetch, numSub: n, msgCount: 1, sockets: local}
	err = a.request(ctx, "fetchSockets", p, map[string]any{
		"type": reqRemoteFetch,
		"opts": wireOpts{Rooms: nonNil(opts.Rooms), Except: nonNil(opts.Except)},
	})
	a.mu.Lock()
	out := p.sockets
	a.mu.Unlock()
	return out, err
}

// AllRooms returns the rooms of every node.
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
	n, err := a.ServerCount(ctx)
	if err != nil {
		return collect(), fmt.Errorf("allRooms: %w", err)
	}
	if n <= 1 {
		return collect(), nil
	}
	p.numSub = n
	err = a.request(ctx, "allRooms", p, map[string]any{"type": reqAllRooms})
	return collect(), err
}

// ServerSideEmit sends the event p (data [event, ...args]) to the other
// nodes. With wantAck it waits for one reply per other node until ctx ends
// or RequestsTimeout passes; each reply is an ACK packet holding the one
// value the node acknowledged with (the Node adapter carries only the
// first argument). On timeout it returns the replies that arrived with a
// *TimeoutError. Arguments travel as JSON, as in the Node adapter: binary
// values are not supported.
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
		a.publishJSON(a.requestChannel, map[string]any{"uid": a.uid, "type": reqServerSideEmit, "data": data})
		return nil, nil
	}
	n, err := a.ServerCount(ctx)
	if err != nil {
		return nil, fmt.Errorf("serverSideEmit: %w", err)
	}
	if n-1 <= 0 {
		return nil, nil
	}
	pr := &pendingReq{typ: reqServerSideEmit, numSub: n - 1}
	err = a.request(ctx, "serverSideEmit", pr, map[string]any{"type": reqServerSideEmit, "data": data})
	a.mu.Lock()
	out := pr.replies
	a.mu.Unlock()
	return out, err
}
