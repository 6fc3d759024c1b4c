package emitter

import (
	"context"
	"encoding/json"
	"errors"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// UID is the adapter id emitters use on the wire.
const UID = "emitter"

// Request types of @socket.io/redis-adapter used by the emitter.
const (
	reqRemoteJoin       = 2
	reqRemoteLeave      = 3
	reqRemoteDisconnect = 4
	reqServerSideEmit   = 6
)

// ErrReservedEvent is returned for the event names Socket.IO reserves
// (connect, connect_error, disconnect, disconnecting, newListener,
// removeListener).
var ErrReservedEvent = errors.New("socketio/emitter: reserved event name")

// Options configure an Emitter.
type Options struct {
	// Key prefixes every channel; it must match the servers' (default
	// "socket.io").
	Key string
}

// Emitter publishes to one namespace ("/" unless made with Of).
type Emitter struct {
	rdb    goredis.UniversalClient
	key    string
	nsp    string
	stream *streamTarget // set by NewStreams
}

// New returns an emitter for the main namespace "/". rdb stays the
// caller's.
func New(rdb goredis.UniversalClient, opts *Options) *Emitter {
	key := "socket.io"
	if opts != nil && opts.Key != "" {
		key = opts.Key
	}
	return &Emitter{rdb: rdb, key: key, nsp: "/"}
}

// Of returns an emitter for namespace nsp (a leading "/" is added if
// missing).
func (e *Emitter) Of(nsp string) *Emitter {
	if len(nsp) == 0 || nsp[0] != '/' {
		nsp = "/" + nsp
	}
	return &Emitter{rdb: e.rdb, key: e.key, nsp: nsp, stream: e.stream}
}

func (e *Emitter) op() *BroadcastOperator { return &BroadcastOperator{e: e} }

// To selects the sockets in rooms (any of them).
func (e *Emitter) To(rooms ...string) *BroadcastOperator { return e.op().To(rooms...) }

// In is To.
func (e *Emitter) In(rooms ...string) *BroadcastOperator { return e.op().To(rooms...) }

// Except excludes the sockets in rooms.
func (e *Emitter) Except(rooms ...string) *BroadcastOperator { return e.op().Except(rooms...) }

// Volatile marks the event as droppable for clients not ready for it.
func (e *Emitter) Volatile() *BroadcastOperator { return e.op().Volatile() }

// Compress sets the compress flag.
func (e *Emitter) Compress(v bool) *BroadcastOperator { return e.op().Compress(v) }

// Emit sends an event to every socket of the namespace.
func (e *Emitter) Emit(ctx context.Context, event string, args ...any) error {
	return e.op().Emit(ctx, event, args...)
}

// SocketsJoin makes every socket join rooms.
func (e *Emitter) SocketsJoin(ctx context.Context, rooms ...string) error {
	return e.op().SocketsJoin(ctx, rooms...)
}

// SocketsLeave makes every socket leave rooms.
func (e *Emitter) SocketsLeave(ctx context.Context, rooms ...string) error {
	return e.op().SocketsLeave(ctx, rooms...)
}

// DisconnectSockets disconnects every socket; close also closes their
// connections.
func (e *Emitter) DisconnectSockets(ctx context.Context, close bool) error {
	return e.op().DisconnectSockets(ctx, close)
}

// ServerSideEmit sends an event to the servers of the namespace (their
// OnServerSideEmit handlers; Node: io.on(event)). Arguments travel as
// JSON. Acknowledgements are not supported.
func (e *Emitter) ServerSideEmit(ctx context.Context, event string, args ...any) error {
	if parser.IsReservedEvent(event) {
		return ErrReservedEvent
	}
	if e.stream != nil {
		return e.streamServerSideEmit(ctx, event, args)
	}
	data := append([]any{event}, args...)
	b, err := json.Marshal(map[string]any{"uid": UID, "type": reqServerSideEmit, "data": data})
	if err != nil {
		return err
	}
	return e.rdb.Publish(ctx, e.requestChannel(), b).Err()
}

func (e *Emitter) broadcastChannel() string { return e.key + "#" + e.nsp + "#" }
func (e *Emitter) requestChannel() string   { return e.key + "-request#" + e.nsp + "#" }

// BroadcastOperator is a selection of sockets; each method refining it
// returns a new operator.
type BroadcastOperator struct {
	e        *Emitter
	rooms    []string
	except   []string
	volatile bool
	compress *bool
}

func (b *BroadcastOperator) clone() *BroadcastOperator {
	c := *b
	c.rooms = append([]string(nil), b.rooms...)
	c.except = append([]string(nil), b.except...)
	return &c
}

func addUnique(list []string, items []string) []string {
	for _, r := range items {
		found := false
		for _, x := range list {
			if x == r {
				found = true
				break
			}
		}
		if !found {
			list = append(list, r)
		}
	}
	return list
}

// To adds rooms to the selection.
func (b *BroadcastOperator) To(rooms ...string) *BroadcastOperator {
	c := b.clone()
	c.rooms = addUnique(c.rooms, rooms)
	return c
}

// In is To.
func (b *BroadcastOperator) In(rooms ...string) *BroadcastOperator { return b.To(rooms...) }

// Except excludes the sockets in rooms.
func (b *BroadcastOperator) Except(rooms ...string) *BroadcastOperator {
	c := b.clone()
	c.except = addUnique(c.except, rooms)
	return c
}

// Volatile marks the event as droppable.
func (b *BroadcastOperator) Volatile() *BroadcastOperator {
	c := b.clone()
	c.volatile = true
	return c
}

// Compress sets the compress flag.
func (b *BroadcastOperator) Compress(v bool) *BroadcastOperator {
	c := b.clone()
	c.compress = &v
	return c
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Emit sends an event to the selected sockets. []byte arguments (also
// inside []any and map[string]any) arrive as binary; other values are
// encoded as encoding/json would.
func (b *BroadcastOperator) Emit(ctx context.Context, event string, args ...any) error {
	p, err := parser.NewEvent(b.e.nsp, event, args)
	if err != nil {
		if errors.Is(err, parser.ErrReservedEvent) {
			return ErrReservedEvent
		}
		return err
	}
	data, err := notepack.FromJSON(p.Data, p.Attachments)
	if err != nil {
		return err
	}
	if b.e.stream != nil {
		return b.streamEmit(ctx, data)
	}
	flags := notepack.Map{}
	if b.compress != nil {
		flags = append(flags, notepack.KV{Key: "compress", Val: *b.compress})
	}
	if b.volatile {
		flags = append(flags, notepack.KV{Key: "volatile", Val: true})
	}
	msg, err := notepack.Append(nil, []any{
		UID,
		notepack.Map{{Key: "type", Val: int64(parser.Event)}, {Key: "data", Val: data}, {Key: "nsp", Val: b.e.nsp}},
		notepack.Map{{Key: "rooms", Val: nonNil(b.rooms)}, {Key: "flags", Val: flags}, {Key: "except", Val: nonNil(b.except)}},
	})
	if err != nil {
		return err
	}
	ch := b.e.broadcastChannel()
	if len(b.rooms) == 1 {
		ch += b.rooms[0] + "#"
	}
	return b.e.rdb.Publish(ctx, ch, msg).Err()
}

type wireOpts struct {
	Rooms  []string `json:"rooms"`
	Except []string `json:"except"`
}

func (b *BroadcastOperator) request(ctx context.Context, v map[string]any) error {
	if b.e.stream != nil {
		return b.streamRequest(ctx, v)
	}
	v["opts"] = wireOpts{Rooms: nonNil(b.rooms), Except: nonNil(b.except)}
	msg, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.e.rdb.Publish(ctx, b.e.requestChannel(), msg).Err()
}

// SocketsJoin makes the selected sockets join rooms.
func (b *BroadcastOperator) SocketsJoin(ctx context.Context, rooms ...string) error {
	return b.request(ctx, map[string]any{"type": reqRemoteJoin, "rooms": nonNil(rooms)})
}

// SocketsLeave makes the selected sockets leave rooms.
func (b *BroadcastOperator) SocketsLeave(ctx context.Context, rooms ...string) error {
	return b.request(ctx, map[string]any{"type": reqRemoteLeave, "rooms": nonNil(rooms)})
}

// DisconnectSockets disconnects the selected sockets; close also closes
// their connections.
func (b *BroadcastOperator) DisconnectSockets(ctx context.Context, close bool) error {
	return b.request(ctx, map[string]any{"type": reqRemoteDisconnect, "close": close})
}
