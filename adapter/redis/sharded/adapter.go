package sharded

import (
	"context"
	"fmt"
	"sync"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/cluster"
	"github.com/gosio/socketio/adapter/redis/internal/pubsub"
	"github.com/gosio/socketio/internal/notepack"
)

// Adapter is the adapter of one namespace: rooms in memory, and the
// ClusterAdapter operations over sharded pub/sub. Obtain it from
// Cluster.Adapter (through socketio.Options.Adapter). Server-side event
// handlers run on a subscriber goroutine: do not block in them.
type Adapter struct {
	*cluster.Core
	c        *Cluster
	channel  string // <prefix>#<nsp>#
	response string // <prefix>#<nsp>#<uid>#

	roomsMu  sync.Mutex      // orders room subscription changes
	roomSubs map[string]bool // rooms whose channel is subscribed
}

type transport struct{ a *Adapter }

func (c *Cluster) newAdapter(nsp adapter.Namespace) *Adapter {
	a := &Adapter{c: c, roomSubs: map[string]bool{}}
	opts := cluster.Options{RequestsTimeout: c.opts.RequestsTimeout}
	if c.opts.SubscriptionMode != Static {
		opts.RoomsChanged = a.roomsChanged
	}
	a.Core = cluster.New(nsp, transport{a}, opts)
	a.channel = c.opts.ChannelPrefix + "#" + nsp.Name() + "#"
	a.response = a.channel + a.UID() + "#"
	c.mu.Lock()
	c.channels[a.channel] = a
	c.channels[a.response] = a
	c.mu.Unlock()
	c.sub.Add(a.channel, a.response)
	return a
}

func (a *Adapter) roomChannel(room string) string { return a.channel + room + "#" }

// separate reports whether room gets a channel of its own (Node:
// shouldUseASeparateNamespace): any room in DynamicPrivate, a room that
// is not a socket id of this node in Dynamic.
func (a *Adapter) separate(room string) bool {
	switch a.c.opts.SubscriptionMode {
	case DynamicPrivate:
		return true
	case Dynamic:
		return a.SocketRooms(room) == nil
	}
	return false
}

// roomsChanged subscribes the channels of rooms that now exist here and
// unsubscribes those of rooms that are gone (Node: the create-room and
// delete-room events). The state is read under roomsMu, after the change,
// so concurrent changes end with the subscriptions matching the rooms.
func (a *Adapter) roomsChanged(rooms []string) {
	a.roomsMu.Lock()
	defer a.roomsMu.Unlock()
	var add, del []string
	for _, r := range rooms {
		want := len(a.Memory.Sockets(adapter.BroadcastOptions{Rooms: []string{r}})) > 0 && a.separate(r)
		if want == a.roomSubs[r] {
			continue
		}
		ch := a.roomChannel(r)
		if want {
			a.roomSubs[r] = true
			add = append(add, ch)
		} else {
			delete(a.roomSubs, r)
			del = append(del, ch)
		}
	}
	a.c.mu.Lock()
	for _, ch := range add {
		a.c.channels[ch] = a
	}
	for _, ch := range del {
		if a.c.channels[ch] == a {
			delete(a.c.channels, ch)
		}
	}
	a.c.mu.Unlock()
	if len(add) > 0 {
		a.c.sub.Add(add...)
	}
	if len(del) > 0 {
		a.c.sub.Remove(del...)
	}
}

// Close unsubscribes the namespace's channels and fails its pending
// requests.
func (a *Adapter) Close() error {
	a.roomsMu.Lock()
	chs := []string{a.channel, a.response}
	for r := range a.roomSubs {
		chs = append(chs, a.roomChannel(r))
	}
	a.roomSubs = map[string]bool{}
	a.roomsMu.Unlock()
	a.c.mu.Lock()
	for _, ch := range chs {
		if a.c.channels[ch] == a {
			delete(a.c.channels, ch)
		}
	}
	a.c.mu.Unlock()
	a.c.sub.Remove(chs...)
	return a.Core.Close()
}

// looksLikeASocketID is Node's test: a 20-character room.
func looksLikeASocketID(room string) bool { return len(room) == 20 }

// channelOf is where Node publishes m (computeChannel): a broadcast
// without acks to exactly one room goes to the room's channel in the
// dynamic modes (Dynamic: unless the room looks like a socket id);
// everything else to the namespace's channel (a broadcast with acks
// cannot use a room channel: the node count is the namespace's).
func (a *Adapter) channelOf(m *cluster.Message) string {
	if m.Type != cluster.Broadcast || a.c.opts.SubscriptionMode == Static {
		return a.channel
	}
	if v, _ := m.Data.Get("requestId"); v != nil {
		return a.channel
	}
	ov, _ := m.Data.Get("opts")
	o, _ := ov.(notepack.Map)
	if o == nil {
		return a.channel
	}
	rv, _ := o.Get("rooms")
	rooms, _ := rv.([]any)
	if len(rooms) != 1 {
		return a.channel
	}
	room, ok := rooms[0].(string)
	if !ok || a.c.opts.SubscriptionMode == Dynamic && looksLikeASocketID(room) {
		return a.channel
	}
	return a.roomChannel(room)
}

func (t transport) Publish(m *cluster.Message) bool {
	b, err := m.Encode()
	return err == nil && t.a.c.publish(t.a.channelOf(m), b)
}

func (t transport) PublishResponse(requester string, m *cluster.Message) bool {
	b, err := m.Encode()
	return err == nil && t.a.c.publish(t.a.channel+requester+"#", b)
}

// ServerCount is PUBSUB SHARDNUMSUB of the namespace's channel, summed
// over the masters, once this node's own channels are subscribed.
func (t transport) ServerCount(ctx context.Context) (int, error) {
	a := t.a
	ctx, cancel := context.WithTimeout(ctx, a.c.opts.RequestsTimeout)
	defer cancel()
	if err := a.c.sub.Wait(ctx, a.channel, a.response); err != nil {
		return 0, fmt.Errorf("%w: this node is not subscribed (%w)", ErrUnavailable, err)
	}
	n, err := pubsub.NumSub(ctx, a.c.rdb, true, a.channel)
	if err != nil {
		return 0, fmt.Errorf("%w (PUBSUB SHARDNUMSUB): %w", ErrUnavailable, err)
	}
	return n, nil
}
