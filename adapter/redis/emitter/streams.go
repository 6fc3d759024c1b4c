package emitter

import (
	"context"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gosio/socketio/adapter/redis/internal/cluster"
	"github.com/gosio/socketio/adapter/redis/internal/wire"
	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// StreamsOptions configure an emitter for servers that use the Redis
// Streams adapter (Go: package adapter/redis/streams; Node:
// @socket.io/redis-streams-adapter).
type StreamsOptions struct {
	// StreamName is the servers' stream (default "socket.io"; with
	// several streams, the one of the namespace: "<name>-<i>").
	StreamName string
	// MaxLen is the stream's approximate bound (default 10000, as the
	// servers').
	MaxLen int64
}

type streamTarget struct {
	name   string
	maxLen int64
}

// NewStreams returns an emitter for the main namespace "/" of servers
// using the Redis Streams adapter, like the monorepo's
// @socket.io/redis-streams-emitter: each call is one XADD of a
// ClusterAdapter message with uid "emitter", so servers that are away
// from Redis get it when they read the stream again. The builder methods
// are the same as New's; acknowledgements are not supported.
func NewStreams(rdb goredis.UniversalClient, opts *StreamsOptions) *Emitter {
	t := &streamTarget{name: "socket.io", maxLen: 10000}
	if opts != nil {
		if opts.StreamName != "" {
			t.name = opts.StreamName
		}
		if opts.MaxLen > 0 {
			t.maxLen = opts.MaxLen
		}
	}
	return &Emitter{rdb: rdb, key: "socket.io", nsp: "/", stream: t}
}

func (e *Emitter) xadd(ctx context.Context, t cluster.Type, data notepack.Map) error {
	f, err := cluster.StreamFields(&cluster.Message{UID: UID, Nsp: e.nsp, Type: t, Data: data}, false)
	if err != nil {
		return err
	}
	return e.rdb.XAdd(ctx, &goredis.XAddArgs{Stream: e.stream.name, MaxLen: e.stream.maxLen, Approx: true, ID: "*", Values: f}).Err()
}

// streamEmit writes a BROADCAST of the event data ([event, ...args]).
func (b *BroadcastOperator) streamEmit(ctx context.Context, data any) error {
	flags := notepack.Map{}
	if b.compress != nil {
		flags = append(flags, notepack.KV{Key: "compress", Val: *b.compress})
	}
	if b.volatile {
		flags = append(flags, notepack.KV{Key: "volatile", Val: true})
	}
	return b.e.xadd(ctx, cluster.Broadcast, notepack.Map{
		{Key: "packet", Val: notepack.Map{{Key: "type", Val: int64(parser.Event)}, {Key: "data", Val: data}, {Key: "nsp", Val: b.e.nsp}}},
		{Key: "opts", Val: notepack.Map{{Key: "rooms", Val: wire.List(b.rooms)}, {Key: "flags", Val: flags}, {Key: "except", Val: wire.List(b.except)}}},
	})
}

// streamRequest writes SOCKETS_JOIN, SOCKETS_LEAVE or DISCONNECT_SOCKETS
// for the classic request v built by the operator.
func (b *BroadcastOperator) streamRequest(ctx context.Context, v map[string]any) error {
	sel := notepack.Map{{Key: "rooms", Val: wire.List(b.rooms)}, {Key: "except", Val: wire.List(b.except)}, {Key: "flags", Val: notepack.Map{}}}
	switch v["type"] {
	case reqRemoteJoin, reqRemoteLeave:
		t := cluster.SocketsJoin
		if v["type"] == reqRemoteLeave {
			t = cluster.SocketsLeave
		}
		rooms, _ := v["rooms"].([]string)
		return b.e.xadd(ctx, t, notepack.Map{{Key: "opts", Val: sel}, {Key: "rooms", Val: wire.List(rooms)}})
	default:
		cl, _ := v["close"].(bool)
		return b.e.xadd(ctx, cluster.DisconnectSockets, notepack.Map{{Key: "opts", Val: sel}, {Key: "close", Val: cl}})
	}
}

// streamServerSideEmit writes a SERVER_SIDE_EMIT; binary arguments stay
// binary.
func (e *Emitter) streamServerSideEmit(ctx context.Context, event string, args []any) error {
	p, err := parser.NewEvent(e.nsp, event, args)
	if err != nil {
		return err
	}
	v, err := notepack.FromJSON(p.Data, p.Attachments)
	if err != nil {
		return err
	}
	return e.xadd(ctx, cluster.ServerSideEmit, notepack.Map{{Key: "packet", Val: v}})
}
