package socketio

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/engineio/packet"
	"github.com/gosio/socketio/parser"
)

// Namespace is a communication channel multiplexed over the connection
// (Node: Namespace). Sockets join it with a CONNECT packet.
type Namespace struct {
	name    string
	srv     *Server
	adapter adapter.Adapter
	parent  *ParentNamespace
	// sessions is the adapter when recovery is on and it keeps sessions.
	sessions adapter.SessionAware
	ackIDs   atomic.Uint64

	// creator counts this child against the connection that created it
	// (MaxDynamicNamespacesPerConnection); nil once it no longer counts.
	// Guarded by srv.mu.
	creator *childCount

	mu          sync.RWMutex
	sockets     map[string]*Socket
	connecting  int         // CONNECTs in progress (lookupNamespace to release)
	pinned      bool        // a child the application asked for with Of
	reclaim     *time.Timer // removes an empty child (EmptyChildNamespaceGrace)
	emptySince  time.Time   // when reclaim was last armed
	middlewares []func(*Socket) error
	onConnect   []func(*Socket)
	serverSide  serverListeners
}

func newNamespace(srv *Server, name string, parent *ParentNamespace) *Namespace {
	n := &Namespace{name: name, srv: srv, parent: parent, sockets: make(map[string]*Socket)}
	n.adapter = srv.adapter(n.seam())
	if srv.opts.ConnectionStateRecovery != nil {
		var ok bool
		if n.sessions, ok = n.adapter.(adapter.SessionAware); !ok {
			srv.log.Warn("socketio: ConnectionStateRecovery is on but the namespace's adapter keeps no sessions (adapter.SessionAware): no recovery there", "nsp", name)
		}
	}
	return n
}

// Name returns the namespace name, e.g. "/" or "/admin".
func (n *Namespace) Name() string { return n.name }

// Adapter returns the namespace's adapter.
func (n *Namespace) Adapter() adapter.Adapter { return n.adapter }

// encodePacket returns p as the Engine.IO packets of the wire format f:
// for the JSON format its text part, then one binary message per
// attachment.
func encodePacket(f parser.Parser, p *parser.Packet) *adapter.Encoded {
	text, bins, err := f.Encode(p)
	if err != nil {
		// Only packets built by this package reach here; a failure is a
		// bug, not bad input.
		panic(err)
	}
	n := len(bins)
	if text != nil {
		n++
	}
	pkts := make([]packet.Packet, 0, n)
	if text != nil {
		pkts = append(pkts, packet.Packet{Type: packet.Message, Data: text})
	}
	for _, b := range bins {
		pkts = append(pkts, packet.Packet{Type: packet.Message, Data: b, Binary: true})
	}
	return &adapter.Encoded{Packets: pkts, Packet: p}
}

// Sockets returns the sockets connected to this namespace on this node
// (Node: nsp.sockets).
func (n *Namespace) Sockets() map[string]*Socket {
	n.mu.RLock()
	defer n.mu.RUnlock()
	out := make(map[string]*Socket, len(n.sockets))
	for id, s := range n.sockets {
		out[id] = s
	}
	return out
}

// Socket returns the local socket with id, or nil.
func (n *Namespace) Socket(id string) *Socket {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.sockets[id]
}

// Use adds a connection middleware. Middlewares run in order, on the
// connection's handler goroutine, before the socket is connected; an error
// refuses the connection with a CONNECT_ERROR carrying its message (and
// Data for a *ConnectError).
func (n *Namespace) Use(f func(*Socket) error) {
	n.mu.Lock()
	n.middlewares = append(n.middlewares[:len(n.middlewares):len(n.middlewares)], f)
	n.mu.Unlock()
}

// OnConnection registers f, called for each socket that connects, on the
// connection's handler goroutine (Node: nsp.on("connection")).
func (n *Namespace) OnConnection(f func(*Socket)) {
	n.mu.Lock()
	n.onConnect = append(n.onConnect[:len(n.onConnect):len(n.onConnect)], f)
	n.mu.Unlock()
}

func (n *Namespace) handlers() ([]func(*Socket) error, []func(*Socket)) {
	n.mu.RLock()
	mw, oc := n.middlewares, n.onConnect
	n.mu.RUnlock()
	if p := n.parent; p != nil {
		pmw, poc := p.handlers()
		mw = append(pmw[:len(pmw):len(pmw)], mw...)
		oc = append(poc[:len(poc):len(poc)], oc...)
	}
	return mw, oc
}

func (n *Namespace) add(s *Socket) {
	n.mu.Lock()
	n.sockets[s.id] = s
	n.mu.Unlock()
}

func (n *Namespace) remove(s *Socket) {
	n.mu.Lock()
	delete(n.sockets, s.id)
	n.mu.Unlock()
	n.cleanupIfEmpty()
}

// acquire counts a CONNECT in progress, so that cleanup does not remove
// the namespace under it; release ends it. The caller holds srv.mu.
func (n *Namespace) acquire() {
	n.mu.Lock()
	n.connecting++
	if n.reclaim != nil {
		n.reclaim.Stop()
	}
	n.mu.Unlock()
}

// release ends a CONNECT counted by acquire, then cleans up if the
// namespace is left unused (a refused CONNECT).
func (n *Namespace) release() {
	n.mu.Lock()
	n.connecting--
	n.mu.Unlock()
	n.cleanupIfEmpty()
}

// unused reports whether no socket and no CONNECT use the namespace.
func (n *Namespace) unused() bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return len(n.sockets) == 0 && n.connecting == 0
}

// cleanupIfEmpty handles a dynamic child namespace left unused: after its
// last socket left, or after a CONNECT that created it was refused. With
// CleanupEmptyChildNamespaces it is removed at once; otherwise it is
// removed once unused for EmptyChildNamespaceGrace.
func (n *Namespace) cleanupIfEmpty() {
	if n.parent == nil {
		return
	}
	if n.srv.opts.CleanupEmptyChildNamespaces {
		if n.unused() {
			n.srv.removeNamespace(n)
		}
		return
	}
	n.scheduleReclaim()
}

// scheduleReclaim arms the child's reclaim timer if the child is unused,
// not pinned, still the server's, and the server open. One timer per
// child, reset each time it is left empty; acquire stops it, and so does
// Server.Close.
func (n *Namespace) scheduleReclaim() {
	grace := n.srv.opts.EmptyChildNamespaceGrace
	if grace < 0 {
		return
	}
	// Under srv.mu, so that Close, which sets closed under it before it
	// stops the timers, stops this one too.
	n.srv.mu.RLock()
	defer n.srv.mu.RUnlock()
	if n.srv.closed || n.srv.nsps[n.name] != n {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.pinned || len(n.sockets) > 0 || n.connecting > 0 {
		return
	}
	n.emptySince = time.Now()
	if n.reclaim == nil {
		n.reclaim = time.AfterFunc(grace, func() { n.srv.reclaimNamespace(n) })
	} else {
		n.reclaim.Reset(grace)
	}
}

// reclaimable reports whether the child may be reclaimed now: not pinned,
// and empty for the whole grace (a timer that fired just as the child was
// used and left again finds it empty for less: the re-armed timer will
// come).
func (n *Namespace) reclaimable() bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return !n.pinned && time.Since(n.emptySince) >= n.srv.opts.EmptyChildNamespaceGrace
}

// stopReclaim stops the reclaim timer, if any.
func (n *Namespace) stopReclaim() {
	n.mu.Lock()
	if n.reclaim != nil {
		n.reclaim.Stop()
	}
	n.mu.Unlock()
}

// pin keeps a child for good (Server.Of asked for it by name): it is no
// longer reclaimed when empty, nor counted against its creator. The
// caller holds srv.mu.
func (n *Namespace) pin() {
	n.mu.Lock()
	n.pinned = true
	if n.reclaim != nil {
		n.reclaim.Stop()
	}
	n.mu.Unlock()
	n.uncountLocked()
}

// uncountLocked stops counting the child against the connection that
// created it. The caller holds srv.mu.
func (n *Namespace) uncountLocked() {
	if n.creator != nil {
		n.creator.n--
		n.creator = nil
	}
}

func (n *Namespace) op() *BroadcastOperator { return &BroadcastOperator{nsp: n} }

// To selects sockets in rooms (Node: nsp.to).
func (n *Namespace) To(rooms ...string) *BroadcastOperator { return n.op().To(rooms...) }

// In is To.
func (n *Namespace) In(rooms ...string) *BroadcastOperator { return n.op().In(rooms...) }

// Except excludes sockets in rooms.
func (n *Namespace) Except(rooms ...string) *BroadcastOperator { return n.op().Except(rooms...) }

// Timeout sets the acknowledgement timeout of a broadcast.
func (n *Namespace) Timeout(d time.Duration) *BroadcastOperator { return n.op().Timeout(d) }

// Volatile marks a broadcast as droppable for clients not ready for it.
func (n *Namespace) Volatile() *BroadcastOperator { return n.op().Volatile() }

// Local limits a broadcast to this node.
func (n *Namespace) Local() *BroadcastOperator { return n.op().Local() }

// Compress sets the compress flag of a broadcast.
func (n *Namespace) Compress(c bool) *BroadcastOperator { return n.op().Compress(c) }

// Emit broadcasts an event to every socket of the namespace.
func (n *Namespace) Emit(event string, args ...any) error { return n.op().Emit(event, args...) }

// EmitWithAck broadcasts and gathers every reply.
func (n *Namespace) EmitWithAck(ctx context.Context, event string, args ...any) ([]Args, error) {
	return n.op().EmitWithAck(ctx, event, args...)
}

// AllSockets returns the ids of every socket of the namespace across the
// cluster (deprecated in Node in favour of FetchSockets).
func (n *Namespace) AllSockets(ctx context.Context) ([]string, error) {
	return n.op().AllSockets(ctx)
}

// FetchSockets returns the sockets of the namespace across the cluster.
func (n *Namespace) FetchSockets(ctx context.Context) ([]*RemoteSocket, error) {
	return n.op().FetchSockets(ctx)
}

// SocketsJoin makes every socket join rooms.
func (n *Namespace) SocketsJoin(rooms ...string) { n.op().SocketsJoin(rooms...) }

// SocketsLeave makes every socket leave rooms.
func (n *Namespace) SocketsLeave(rooms ...string) { n.op().SocketsLeave(rooms...) }

// DisconnectSockets disconnects every socket; close also closes their
// connections.
func (n *Namespace) DisconnectSockets(close bool) { n.op().DisconnectSockets(close) }

// ServerSideEmit sends an event to the namespace on the other nodes.
func (n *Namespace) ServerSideEmit(ctx context.Context, event string, args ...any) error {
	if reservedServerSide(event) {
		return ErrReservedEvent
	}
	p, err := eventPacket(n.name, event, args)
	if err != nil {
		return err
	}
	_, err = n.adapter.ServerSideEmit(ctx, p, false)
	return err
}

// ServerSideEmitWithAck sends an event to the other nodes and returns their
// replies.
func (n *Namespace) ServerSideEmitWithAck(ctx context.Context, event string, args ...any) ([]Args, error) {
	if reservedServerSide(event) {
		return nil, ErrReservedEvent
	}
	p, err := eventPacket(n.name, event, args)
	if err != nil {
		return nil, err
	}
	replies, err := n.adapter.ServerSideEmit(ctx, p, true)
	out := make([]Args, 0, len(replies))
	for _, r := range replies {
		a, _ := newArgs(r.Data, r.Attachments, 0)
		out = append(out, a)
	}
	return out, err
}

// eventPacket builds an EVENT (or BINARY_EVENT) packet.
func eventPacket(nsp, event string, args []any) (*parser.Packet, error) {
	return parser.NewEvent(nsp, event, args)
}

// ParentNamespace creates child namespaces on demand for names its match
// function accepts (Node: ParentNamespace). Middlewares and connection
// handlers registered on it apply to every child; Emit reaches all of them.
type ParentNamespace struct {
	srv   *Server
	match func(string, map[string]any) bool

	mu          sync.RWMutex
	children    map[*Namespace]struct{}
	middlewares []func(*Socket) error
	onConnect   []func(*Socket)
}

func newParentNamespace(srv *Server, match func(string, map[string]any) bool) *ParentNamespace {
	return &ParentNamespace{srv: srv, match: match, children: make(map[*Namespace]struct{})}
}

// Use adds a connection middleware to every child.
func (p *ParentNamespace) Use(f func(*Socket) error) {
	p.mu.Lock()
	p.middlewares = append(p.middlewares[:len(p.middlewares):len(p.middlewares)], f)
	p.mu.Unlock()
}

// OnConnection registers f for sockets connecting to any child.
func (p *ParentNamespace) OnConnection(f func(*Socket)) {
	p.mu.Lock()
	p.onConnect = append(p.onConnect[:len(p.onConnect):len(p.onConnect)], f)
	p.mu.Unlock()
}

func (p *ParentNamespace) handlers() ([]func(*Socket) error, []func(*Socket)) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.middlewares, p.onConnect
}

func (p *ParentNamespace) addChild(n *Namespace) {
	p.mu.Lock()
	p.children[n] = struct{}{}
	p.mu.Unlock()
}

func (p *ParentNamespace) removeChild(n *Namespace) {
	p.mu.Lock()
	delete(p.children, n)
	p.mu.Unlock()
}

// Children returns the child namespaces created so far.
func (p *ParentNamespace) Children() []*Namespace {
	p.mu.RLock()
	defer p.mu.RUnlock()
	out := make([]*Namespace, 0, len(p.children))
	for n := range p.children {
		out = append(out, n)
	}
	return out
}

// Emit broadcasts an event to every socket of every child.
func (p *ParentNamespace) Emit(event string, args ...any) error {
	for _, n := range p.Children() {
		if err := n.Emit(event, args...); err != nil {
			return err
		}
	}
	return nil
}

// FetchSockets is not supported on a parent namespace, as in the
// reference.
func (p *ParentNamespace) FetchSockets(context.Context) ([]*RemoteSocket, error) {
	return nil, ErrParentNamespace
}
