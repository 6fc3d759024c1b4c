package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/wire"
	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// Transport carries the messages of one namespace's Core to the other
// nodes. Its methods are called from any goroutine and must not block on
// the network: they queue, and report false when a message is dropped
// (queue full, transport closed).
type Transport interface {
	// Publish sends msg to every other node of the namespace.
	Publish(msg *Message) bool
	// PublishResponse sends msg to the node whose uid is requester.
	PublishResponse(requester string, msg *Message) bool
	// ServerCount returns how many nodes serve the namespace, this one
	// included, once this node can receive answers (its subscription is
	// confirmed), within ctx.
	ServerCount(ctx context.Context) (int, error)
}

// Options configure a Core.
type Options struct {
	// RequestsTimeout bounds FetchSockets and ServerSideEmit with acks when
	// neither the caller's context nor the broadcast flags set a shorter
	// bound, and how long a broadcast with acks without a timeout accepts
	// replies (default 5s, as Node's DEFAULT_TIMEOUT).
	RequestsTimeout time.Duration
	// Deliver sends a broadcast that another node published to this
	// node's sockets; offset is the transport's offset of the message ("" if
	// none). Nil means Memory.Broadcast. It runs on the transport's
	// receiving goroutine.
	Deliver func(p *parser.Packet, opts adapter.BroadcastOptions, offset string)
	// RoomsChanged, if set, is called after the rooms of this node may
	// have changed (a room created or deleted), with the rooms concerned,
	// on the goroutine that changed them.
	RoomsChanged func(rooms []string)
}

// Stats count what a Core received.
type Stats struct {
	Received uint64 // messages handled
	Ignored  uint64 // messages of another namespace, unknown types, malformed data
	Dropped  uint64 // messages the transport did not take
}

// Core is the cluster part of a namespace's adapter: the local rooms (an
// embedded Memory) and the cluster operations of Node's ClusterAdapter.
// A transport creates one per namespace and feeds it what it receives
// through HandleMessage.
type Core struct {
	*adapter.Memory
	nsp  adapter.Namespace
	name string
	uid  string
	t    Transport
	opts Options

	mu       sync.Mutex
	requests map[string]*request
	acks     map[string]*ackRequest
	closed   bool

	received, ignored, dropped atomic.Uint64
}

// New returns the Core of nsp publishing through t. Set the transport's
// receiving side up before messages can arrive.
func New(nsp adapter.Namespace, t Transport, opts Options) *Core {
	if opts.RequestsTimeout <= 0 {
		opts.RequestsTimeout = 5 * time.Second
	}
	c := &Core{
		Memory: adapter.NewMemory(nsp), nsp: nsp, name: nsp.Name(), uid: RandomID(), t: t, opts: opts,
		requests: map[string]*request{}, acks: map[string]*ackRequest{},
	}
	if c.opts.Deliver == nil {
		c.opts.Deliver = func(p *parser.Packet, o adapter.BroadcastOptions, _ string) { c.Memory.Broadcast(p, o) }
	}
	return c
}

// RandomID returns 16 random hex digits, as Node's randomId() for node
// uids and request ids.
func RandomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// UID returns this node's uid for the namespace.
func (c *Core) UID() string { return c.uid }

// Name returns the namespace name.
func (c *Core) Name() string { return c.name }

// Namespace returns the namespace served.
func (c *Core) Namespace() adapter.Namespace { return c.nsp }

// Stats returns the counters.
func (c *Core) Stats() Stats {
	return Stats{Received: c.received.Load(), Ignored: c.ignored.Load(), Dropped: c.dropped.Load()}
}

// Message returns a message of this node for its namespace.
func (c *Core) Message(t Type, data notepack.Map) *Message {
	return &Message{UID: c.uid, Nsp: c.name, Type: t, Data: data}
}

func (c *Core) publish(t Type, data notepack.Map) bool {
	if c.t.Publish(c.Message(t, data)) {
		c.hookPublished(kindOf(t))
		return true
	}
	c.dropped.Add(1)
	return false
}

func (c *Core) respond(requester string, t Type, data notepack.Map) {
	if !c.t.PublishResponse(requester, c.Message(t, data)) {
		c.dropped.Add(1)
		return
	}
	c.hookPublished("response")
}

// kindOf names a message type for adapter.ClusterHooks: "broadcast", or
// "request" for every other message to the other nodes.
func kindOf(t Type) string {
	if t == Broadcast {
		return "broadcast"
	}
	return "request"
}

// hooks returns the namespace's cluster hooks (socketio.Hooks.Cluster).
func (c *Core) hooks() *adapter.ClusterHooks {
	if o, ok := c.nsp.(adapter.ClusterObserver); ok {
		return o.ClusterHooks()
	}
	return nil
}

// hookPublished reports a message sent; the transport encodes it, so its
// size is not known here and is reported as 0.
func (c *Core) hookPublished(kind string) {
	if h := c.hooks(); h != nil && h.Published != nil {
		h.Published(c.name, kind, 0)
	}
}

func (c *Core) hookReceived(kind string) {
	if h := c.hooks(); h != nil && h.Received != nil {
		h.Received(c.name, kind, 0)
	}
}

// BroadcastData is the data of a BROADCAST message for p and opts, with
// requestID for a broadcast with acks ("" for none).
func (c *Core) BroadcastData(p *parser.Packet, opts adapter.BroadcastOptions, requestID string) (notepack.Map, error) {
	wp, err := wire.Packet(c.name, p)
	if err != nil {
		return nil, err
	}
	d := notepack.Map{{Key: "opts", Val: wire.OptsMap(opts)}, {Key: "packet", Val: wp}}
	if requestID != "" {
		d = append(d, notepack.KV{Key: "requestId", Val: requestID})
	}
	return d, nil
}

// Broadcast sends p to the selected sockets of this node and publishes it
// for the others (unless Flags.Local).
func (c *Core) Broadcast(p *parser.Packet, opts adapter.BroadcastOptions) {
	if !opts.Flags.Local {
		if d, err := c.BroadcastData(p, opts, ""); err == nil {
			c.publish(Broadcast, d)
		}
	}
	c.Memory.Broadcast(p, opts)
}

// ackRequest is a broadcast with acks that other nodes answer until timer
// forgets it.
type ackRequest struct {
	clientCount func(int)
	ack         func(*parser.Packet)
	timer       *time.Timer
}

// BroadcastWithAck sends p to the selected sockets of every node;
// clientCount is called once per node that answers, ack once per client
// reply. Replies from other nodes are accepted for the broadcast's
// timeout (RequestsTimeout if it has none), on the transport's receiving
// goroutine.
func (c *Core) BroadcastWithAck(p *parser.Packet, opts adapter.BroadcastOptions, clientCount func(int), ack func(*parser.Packet)) {
	if !opts.Flags.Local {
		reqID := RandomID()
		if d, err := c.BroadcastData(p, opts, reqID); err == nil {
			wait := opts.Flags.Timeout
			if wait <= 0 {
				wait = c.opts.RequestsTimeout
			}
			r := &ackRequest{clientCount: clientCount, ack: ack}
			c.mu.Lock()
			if !c.closed {
				c.acks[reqID] = r
				r.timer = time.AfterFunc(wait, func() {
					c.mu.Lock()
					delete(c.acks, reqID)
					c.mu.Unlock()
				})
			}
			c.mu.Unlock()
			c.publish(Broadcast, d)
		}
	}
	c.Memory.BroadcastWithAck(p, opts, clientCount, ack)
}

func selection(opts adapter.BroadcastOptions) notepack.Map {
	return notepack.Map{
		{Key: "rooms", Val: wire.List(opts.Rooms)},
		{Key: "except", Val: wire.List(opts.Except)},
		{Key: "flags", Val: notepack.Map{}},
	}
}

// AddAll adds s to rooms, then reports the rooms to RoomsChanged.
func (c *Core) AddAll(s adapter.Socket, rooms ...string) {
	c.Memory.AddAll(s, rooms...)
	c.roomsChanged(rooms)
}

// Del removes socket id from room, then reports it to RoomsChanged.
func (c *Core) Del(id, room string) {
	c.Memory.Del(id, room)
	c.roomsChanged([]string{room})
}

// DelAll removes socket id from every room, then reports them to
// RoomsChanged.
func (c *Core) DelAll(id string) {
	var rooms []string
	if c.opts.RoomsChanged != nil {
		rooms = c.Memory.SocketRooms(id)
	}
	c.Memory.DelAll(id)
	c.roomsChanged(rooms)
}

func (c *Core) roomsChanged(rooms []string) {
	if c.opts.RoomsChanged != nil && len(rooms) > 0 {
		c.opts.RoomsChanged(rooms)
	}
}

// AddSockets makes the selected sockets of every node join rooms.
func (c *Core) AddSockets(opts adapter.BroadcastOptions, rooms []string) {
	if !opts.Flags.Local {
		c.publish(SocketsJoin, notepack.Map{{Key: "opts", Val: selection(opts)}, {Key: "rooms", Val: wire.List(rooms)}})
	}
	c.Memory.AddSockets(opts, rooms)
	c.roomsChanged(rooms)
}

// DelSockets makes the selected sockets of every node leave rooms.
func (c *Core) DelSockets(opts adapter.BroadcastOptions, rooms []string) {
	if !opts.Flags.Local {
		c.publish(SocketsLeave, notepack.Map{{Key: "opts", Val: selection(opts)}, {Key: "rooms", Val: wire.List(rooms)}})
	}
	c.Memory.DelSockets(opts, rooms)
	c.roomsChanged(rooms)
}

// DisconnectSockets disconnects the selected sockets of every node.
func (c *Core) DisconnectSockets(opts adapter.BroadcastOptions, close bool) {
	if !opts.Flags.Local {
		c.publish(DisconnectSockets, notepack.Map{{Key: "opts", Val: selection(opts)}, {Key: "close", Val: close}})
	}
	c.Memory.DisconnectSockets(opts, close)
}

// ServerCount returns the transport's count of nodes.
func (c *Core) ServerCount(ctx context.Context) (int, error) {
	c.mu.Lock()
	closed := c.closed
	c.mu.Unlock()
	if closed {
		return 0, ErrClosed
	}
	return c.t.ServerCount(ctx)
}

// Close fails the pending requests with ErrClosed and forgets the
// broadcasts with acks. The transport stops feeding the Core first.
func (c *Core) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for id, r := range c.requests {
		r.finish()
		delete(c.requests, id)
	}
	for id, r := range c.acks {
		r.timer.Stop()
		delete(c.acks, id)
	}
	return nil
}

var _ adapter.Adapter = (*Core)(nil)
