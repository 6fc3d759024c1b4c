package streams

import (
	"context"
	"fmt"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/cluster"
	"github.com/gosio/socketio/adapter/redis/internal/pubsub"
	"github.com/gosio/socketio/adapter/redis/internal/wire"
	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// Adapter is the adapter of one namespace: rooms in memory, and the
// ClusterAdapter operations through the stream and pub/sub. Obtain it
// from Cluster.Adapter (through socketio.Options.Adapter).
//
// Broadcasts, socketsJoin/Leave and disconnectSockets are stream entries;
// fetchSockets, serverSideEmit and broadcasts with acks are pub/sub
// requests answered by one message per node, waited for as
// Options.RequestsTimeout says (a *TimeoutError with the partial results
// otherwise). Server-side event handlers run on the goroutine that reads
// the stream or the channel: do not block in them.
type Adapter struct {
	*cluster.Core
	c       *Cluster
	rd      *reader
	stream  string
	public  string // <prefix>#<nsp>#: requests
	private string // <prefix>#<nsp>#<uid>#: answers to this node
}

type transport struct{ a *Adapter }

func (c *Cluster) newAdapter(nsp adapter.Namespace) *Adapter {
	a := &Adapter{c: c}
	a.Core = cluster.New(nsp, transport{a}, cluster.Options{RequestsTimeout: c.opts.RequestsTimeout, Deliver: a.deliver})
	name := nsp.Name()
	a.stream = c.streamOf(name)
	a.rd = c.readers[a.stream]
	a.public = c.opts.ChannelPrefix + "#" + name + "#"
	a.private = a.public + a.UID() + "#"
	c.mu.Lock()
	if !c.closed {
		c.adapters[name] = a
		c.channels[a.public] = a
		c.channels[a.private] = a
	}
	c.mu.Unlock()
	c.sub.Add(a.public, a.private)
	return a
}

func (c *Cluster) adapter(nsp string) *Adapter {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.adapters[nsp]
}

// Close unsubscribes the namespace and fails its pending requests.
func (a *Adapter) Close() error {
	c := a.c
	c.mu.Lock()
	if c.adapters[a.Name()] == a {
		delete(c.adapters, a.Name())
	}
	delete(c.channels, a.public)
	delete(c.channels, a.private)
	c.mu.Unlock()
	c.sub.Remove(a.public, a.private)
	return a.Core.Close()
}

// ephemeral reports whether Node's adapter sends m over pub/sub rather
// than the stream: requests that wait for answers.
func ephemeral(m *cluster.Message) bool {
	switch m.Type {
	case cluster.ServerSideEmit, cluster.FetchSockets:
		return true
	case cluster.Broadcast:
		v, _ := m.Data.Get("requestId")
		return v != nil
	}
	return false
}

func (t transport) Publish(m *cluster.Message) bool {
	a := t.a
	if ephemeral(m) {
		b, err := m.AppendMsgpack(nil)
		return err == nil && a.c.pub.enqueue(op{kind: opPublish, key: a.public, payload: string(b)})
	}
	f, err := cluster.StreamFields(m, a.c.opts.OnlyPlaintext)
	return err == nil && a.c.pub.enqueue(op{kind: opAdd, key: a.stream, fields: f})
}

func (t transport) PublishResponse(requester string, m *cluster.Message) bool {
	a := t.a
	b, err := m.AppendMsgpack(nil)
	return err == nil && a.c.pub.enqueue(op{kind: opPublish, key: a.public + requester + "#", payload: string(b)})
}

// ServerCount is PUBSUB NUMSUB (SHARDNUMSUB with UseShardedPubSub) of the
// request channel, once this node's own channels are subscribed, as the
// Node adapter counts.
func (t transport) ServerCount(ctx context.Context) (int, error) {
	a := t.a
	ctx, cancel := context.WithTimeout(ctx, a.c.opts.RequestsTimeout)
	defer cancel()
	if err := a.c.sub.Wait(ctx, a.public, a.private); err != nil {
		return 0, fmt.Errorf("%w: this node is not subscribed (%w)", ErrUnavailable, err)
	}
	n, err := pubsub.NumSub(ctx, a.c.rdb, a.c.opts.UseShardedPubSub, a.public)
	if err != nil {
		return 0, fmt.Errorf("%w (PUBSUB NUMSUB): %w", ErrUnavailable, err)
	}
	return n, nil
}

// replayable reports whether a broadcast is stored for connection state
// recovery (Node's addOffsetIfNecessary): an EVENT without an ack id, not
// volatile.
func replayable(p *parser.Packet, opts *adapter.BroadcastOptions) bool {
	return (p.Type == parser.Event || p.Type == parser.BinaryEvent) && !p.HasID && !opts.Flags.Volatile
}

// Broadcast sends p to the selected sockets of every node. With
// Options.Recovery, a broadcast that can be replayed reaches this node's
// sockets when the reader reads its entry back, with the entry id as its
// offset, so that every node sends the broadcasts of a stream in the
// stream's order (what a restore relies on); if the entry cannot be
// written it is sent here at once, without an offset. Otherwise this
// node's sockets get it at once, as Node does.
func (a *Adapter) Broadcast(p *parser.Packet, opts adapter.BroadcastOptions) {
	if a.c.opts.Recovery == nil || opts.Flags.Local || !replayable(p, &opts) {
		a.Core.Broadcast(p, opts)
		return
	}
	d, err := a.BroadcastData(p, opts, "")
	var f []any
	if err == nil {
		f, err = cluster.StreamFields(a.Message(cluster.Broadcast, d), a.c.opts.OnlyPlaintext)
	}
	if err != nil {
		a.Memory.Broadcast(p, opts)
		return
	}
	local := func() {
		a.rd.mu.Lock()
		defer a.rd.mu.Unlock()
		a.Memory.Broadcast(p, opts)
	}
	if !a.c.pub.enqueue(op{kind: opAdd, key: a.stream, fields: f, dropped: local}) {
		local()
	}
}

// onStreamBroadcast handles a BROADCAST entry (reader goroutine, under the
// hold): another node's, or this node's own read back (see Broadcast).
func (a *Adapter) onStreamBroadcast(m *cluster.Message, id string) {
	if m.UID != a.UID() {
		a.HandleMessage(m, id)
		return
	}
	if a.c.opts.Recovery == nil {
		return // sent when it was broadcast
	}
	om, _ := m.Data.Get("opts")
	o, _ := om.(notepack.Map)
	if wire.OptsFromWire(o).Flags.Volatile {
		return // volatile: sent when it was broadcast
	}
	a.HandleOwnBroadcast(m, id)
}

// deliver sends a broadcast read from the stream or the channel to this
// node's sockets, appending the entry id as the last argument when
// recovery is on and the packet can be replayed.
func (a *Adapter) deliver(p *parser.Packet, opts adapter.BroadcastOptions, offset string) {
	if a.c.opts.Recovery != nil && offset != "" && replayable(p, &opts) {
		p = withOffset(p, offset)
	}
	a.Memory.Broadcast(p, opts)
}

// withOffset returns p with offset appended to its arguments.
func withOffset(p *parser.Packet, offset string) *parser.Packet {
	q := *p
	data := make([]byte, 0, len(p.Data)+len(offset)+3)
	data = append(data, p.Data[:len(p.Data)-1]...) // without the closing ']'
	data = append(data, ',', '"')
	data = append(data, offset...)
	data = append(data, '"', ']')
	q.Data = data
	return &q
}
