package socketio

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/parser"
)

// BroadcastOperator selects sockets of a namespace, by rooms, and acts on
// all of them (Node: BroadcastOperator). Every method that refines the
// selection returns a new operator; an operator can be reused.
type BroadcastOperator struct {
	nsp    *Namespace
	rooms  []string
	except []string
	flags  adapter.Flags
}

func (b *BroadcastOperator) clone() *BroadcastOperator {
	c := *b
	c.rooms = slices.Clip(c.rooms)
	c.except = slices.Clip(c.except)
	return &c
}

// To adds rooms to the selection (a socket in several is targeted once).
func (b *BroadcastOperator) To(rooms ...string) *BroadcastOperator {
	c := b.clone()
	for _, r := range rooms {
		if !slices.Contains(c.rooms, r) {
			c.rooms = append(c.rooms, r)
		}
	}
	return c
}

// In is To.
func (b *BroadcastOperator) In(rooms ...string) *BroadcastOperator { return b.To(rooms...) }

// Except excludes sockets in rooms.
func (b *BroadcastOperator) Except(rooms ...string) *BroadcastOperator {
	c := b.clone()
	c.except = append(c.except, rooms...)
	return c
}

// Timeout sets how long EmitWithAck waits for replies.
func (b *BroadcastOperator) Timeout(d time.Duration) *BroadcastOperator {
	c := b.clone()
	c.flags.Timeout = d
	return c
}

// Volatile drops the event for clients that cannot receive it now.
func (b *BroadcastOperator) Volatile() *BroadcastOperator {
	c := b.clone()
	c.flags.Volatile = true
	return c
}

// Local limits the operation to this node.
func (b *BroadcastOperator) Local() *BroadcastOperator {
	c := b.clone()
	c.flags.Local = true
	return c
}

// Compress sets the compress flag.
func (b *BroadcastOperator) Compress(v bool) *BroadcastOperator {
	c := b.clone()
	c.flags.NoCompress = !v
	return c
}

func (b *BroadcastOperator) opts() adapter.BroadcastOptions {
	return adapter.BroadcastOptions{Rooms: b.rooms, Except: b.except, Flags: b.flags}
}

// Emit sends the event to every selected socket, encoded once.
func (b *BroadcastOperator) Emit(event string, args ...any) error {
	p, err := eventPacket(b.nsp.name, event, args)
	if err != nil {
		return err
	}
	done := b.nsp.hookEmit(nil, event, b.rooms)
	b.nsp.adapter.Broadcast(p, b.opts())
	endEmit(done)
	return nil
}

// EmitWithAck sends the event to every selected socket and gathers their
// replies until all have answered, the operator's Timeout passes or ctx
// ends. If some did not answer it returns an *AckTimeoutError (errors.Is
// ErrTimeout) holding the replies that arrived. A recipient that
// disconnects never answers, so with neither a Timeout nor a ctx deadline
// this may wait forever: set one.
func (b *BroadcastOperator) EmitWithAck(ctx context.Context, event string, args ...any) ([]Args, error) {
	p, err := eventPacket(b.nsp.name, event, args)
	if err != nil {
		return nil, err
	}
	if b.flags.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, b.flags.Timeout)
		defer cancel()
	}
	if dl, ok := ctx.Deadline(); ok && b.flags.Timeout == 0 {
		b = b.Timeout(time.Until(dl))
	}
	p.ID, p.HasID = b.nsp.ackIDs.Add(1)-1, true
	g := &ackGather{done: make(chan struct{}), expected: -1}
	servers, err := b.nsp.adapter.ServerCount(ctx)
	if err != nil || b.flags.Local {
		servers = 1
	}
	g.servers = servers
	done := b.nsp.hookEmit(nil, event, b.rooms)
	b.nsp.adapter.BroadcastWithAck(p, b.opts(), g.clientCount, g.ack)
	endEmit(done)
	select {
	case <-g.done:
		return g.result(), nil
	case <-ctx.Done():
		g.mu.Lock()
		defer g.mu.Unlock()
		g.closed = true
		exp := g.expected
		if exp < 0 {
			exp = len(g.responses)
		}
		return nil, &AckTimeoutError{Expected: exp, Responses: slices.Clone(g.responses), Cause: context.Cause(ctx)}
	}
}

// ackGather counts the replies of a broadcast with acks across nodes.
type ackGather struct {
	mu        sync.Mutex
	servers   int // nodes that will report a client count
	counted   int
	expected  int // sum of client counts, -1 until every node reported
	responses []Args
	closed    bool
	done      chan struct{}
}

func (g *ackGather) clientCount(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.expected < 0 {
		g.expected = 0
	}
	g.expected += n
	g.counted++
	g.check()
}

func (g *ackGather) ack(p *parser.Packet) {
	if p == nil {
		return
	}
	a, err := newArgs(p.Data, p.Attachments, 0)
	if err != nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return
	}
	g.responses = append(g.responses, a)
	g.check()
}

func (g *ackGather) check() {
	if !g.closed && g.counted >= g.servers && len(g.responses) >= g.expected {
		g.closed = true
		close(g.done)
	}
}

func (g *ackGather) result() []Args {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.responses
}

// AllSockets returns the ids of the selected sockets across the cluster.
func (b *BroadcastOperator) AllSockets(ctx context.Context) ([]string, error) {
	infos, err := b.nsp.adapter.FetchSockets(ctx, b.opts())
	ids := make([]string, len(infos))
	for i, in := range infos {
		ids[i] = in.ID
	}
	return ids, err
}

// FetchSockets returns the selected sockets across the cluster.
func (b *BroadcastOperator) FetchSockets(ctx context.Context) ([]*RemoteSocket, error) {
	infos, err := b.nsp.adapter.FetchSockets(ctx, b.opts())
	out := make([]*RemoteSocket, len(infos))
	for i, in := range infos {
		out[i] = &RemoteSocket{nsp: b.nsp, info: in}
	}
	return out, err
}

// SocketsJoin makes the selected sockets join rooms.
func (b *BroadcastOperator) SocketsJoin(rooms ...string) { b.nsp.adapter.AddSockets(b.opts(), rooms) }

// SocketsLeave makes the selected sockets leave rooms.
func (b *BroadcastOperator) SocketsLeave(rooms ...string) { b.nsp.adapter.DelSockets(b.opts(), rooms) }

// DisconnectSockets disconnects the selected sockets; close also closes
// their connections.
func (b *BroadcastOperator) DisconnectSockets(close bool) {
	b.nsp.adapter.DisconnectSockets(b.opts(), close)
}

// RemoteSocket is a socket found by FetchSockets, on this node or another
// (Node: RemoteSocket). Its methods act through the adapter.
type RemoteSocket struct {
	nsp  *Namespace
	info adapter.SocketInfo
}

// ID returns the socket id.
func (r *RemoteSocket) ID() string { return r.info.ID }

// Handshake returns the socket's handshake.
func (r *RemoteSocket) Handshake() *Handshake { return handshakeFromAdapter(r.info.Handshake) }

// Rooms returns the socket's rooms when it was fetched.
func (r *RemoteSocket) Rooms() []string { return r.info.Rooms }

// Data returns the socket's data when it was fetched.
func (r *RemoteSocket) Data() any { return r.info.Data }

// Local returns the socket if it lives on this node, else nil.
func (r *RemoteSocket) Local() *Socket {
	if r.info.Local == nil {
		return nil
	}
	return r.nsp.Socket(r.info.ID)
}

func (r *RemoteSocket) op() *BroadcastOperator { return r.nsp.To(r.info.ID) }

// Emit sends an event to the socket.
func (r *RemoteSocket) Emit(event string, args ...any) error { return r.op().Emit(event, args...) }

// Join makes the socket join rooms.
func (r *RemoteSocket) Join(rooms ...string) { r.op().SocketsJoin(rooms...) }

// Leave makes the socket leave rooms.
func (r *RemoteSocket) Leave(rooms ...string) { r.op().SocketsLeave(rooms...) }

// Disconnect disconnects the socket; close also closes its connection.
func (r *RemoteSocket) Disconnect(close bool) { r.op().DisconnectSockets(close) }
