package cluster

import (
	"context"
	"sync"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/wire"
	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// HandleMessage handles a message another node (or an emitter) sent: what
// Node's ClusterAdapter.onMessage does, answers included. Messages of
// this node and of other namespaces are ignored. offset is the transport's
// offset of the message ("" if none), passed to Options.Deliver for
// broadcasts. It runs on the transport's receiving goroutine; server-side
// event handlers run on it too.
func (c *Core) HandleMessage(m *Message, offset string) {
	if m.UID == c.uid {
		return
	}
	if m.Nsp != c.name {
		c.ignored.Add(1)
		return
	}
	c.hookReceived(kindOf(m.Type))
	switch m.Type {
	case Broadcast:
		c.onBroadcast(m, offset)
	case SocketsJoin, SocketsLeave:
		opts, ok := selectionFrom(m.Data)
		if !ok {
			c.ignored.Add(1)
			return
		}
		v, _ := m.Data.Get("rooms")
		rooms := wire.Strings(v)
		c.received.Add(1)
		if m.Type == SocketsJoin {
			c.Memory.AddSockets(opts, rooms)
		} else {
			c.Memory.DelSockets(opts, rooms)
		}
		c.roomsChanged(rooms)
	case DisconnectSockets:
		opts, ok := selectionFrom(m.Data)
		if !ok {
			c.ignored.Add(1)
			return
		}
		cl, _ := m.Data.Get("close")
		c.received.Add(1)
		c.Memory.DisconnectSockets(opts, cl == true)
	case FetchSockets:
		opts, ok := selectionFrom(m.Data)
		reqID := str(m.Data, "requestId")
		if !ok || reqID == "" {
			c.ignored.Add(1)
			return
		}
		c.received.Add(1)
		local, _ := c.Memory.FetchSockets(context.Background(), opts)
		socks := make([]any, len(local))
		for i, s := range local {
			socks[i] = wire.SocketValue(s)
		}
		c.respond(m.UID, FetchSocketsResponse, notepack.Map{{Key: "requestId", Val: reqID}, {Key: "sockets", Val: socks}})
	case ServerSideEmit:
		c.onServerSideEmit(m)
	case BroadcastClientCount, BroadcastAck, FetchSocketsResponse, ServerSideEmitResponse:
		// transports that do not tell responses apart deliver them here
		c.onResponse(m)
	default:
		c.ignored.Add(1) // heartbeats and ADAPTER_CLOSE mean nothing without liveness tracking
	}
}

// HandleResponse handles a message received on this node's own response
// channel.
func (c *Core) HandleResponse(m *Message) {
	if m.Nsp != c.name || m.Data == nil {
		c.ignored.Add(1)
		return
	}
	c.hookReceived("response")
	c.onResponse(m)
}

// selectionFrom returns the selection {opts: {rooms, except}} of data.
func selectionFrom(data notepack.Map) (adapter.BroadcastOptions, bool) {
	o := mapAt(data, "opts")
	if o == nil {
		return adapter.BroadcastOptions{}, false
	}
	opts := wire.OptsFromWire(o)
	opts.Flags = adapter.Flags{}
	return opts, true
}

func (c *Core) onBroadcast(m *Message, offset string) {
	pm := mapAt(m.Data, "packet")
	// The message's nsp was checked: Node's ClusterAdapter publishes the
	// packet before the in-memory adapter sets its nsp.
	p, _, ok := wire.PacketFromWire(pm)
	om := mapAt(m.Data, "opts")
	if !ok || om == nil {
		c.ignored.Add(1)
		return
	}
	p.Nsp = c.name
	opts := wire.OptsFromWire(om)
	opts.Flags.Local = true
	c.received.Add(1)
	reqID := str(m.Data, "requestId")
	if reqID == "" {
		c.opts.Deliver(p, opts, offset)
		return
	}
	if opts.Flags.Timeout <= 0 {
		opts.Flags.Timeout = c.opts.RequestsTimeout
	}
	requester := m.UID
	p.ID, p.HasID = c.nsp.NextAckID(), true
	c.Memory.BroadcastWithAck(p, opts, func(n int) {
		c.respond(requester, BroadcastClientCount, notepack.Map{{Key: "requestId", Val: reqID}, {Key: "clientCount", Val: int64(n)}})
	}, func(ack *parser.Packet) {
		c.respond(requester, BroadcastAck, notepack.Map{{Key: "requestId", Val: reqID}, {Key: "packet", Val: wire.FirstArg(ack)}})
	})
}

func (c *Core) onServerSideEmit(m *Message) {
	v, _ := m.Data.Get("packet")
	args, ok := v.([]any)
	if !ok || len(args) == 0 {
		c.ignored.Add(1)
		return
	}
	if _, ok := args[0].(string); !ok {
		c.ignored.Add(1)
		return
	}
	var att [][]byte
	data, err := notepack.AppendJSON(nil, args, &att)
	if err != nil {
		c.ignored.Add(1)
		return
	}
	t := parser.Event
	if len(att) > 0 {
		t = parser.BinaryEvent
	}
	p := &parser.Packet{Type: t, Nsp: c.name, Data: data, Attachments: att}
	c.received.Add(1)
	reqID := str(m.Data, "requestId")
	var reply func([]any)
	if reqID != "" {
		requester := m.UID
		var once sync.Once
		reply = func(args []any) {
			once.Do(func() {
				var first any = notepack.Undefined{}
				if len(args) > 0 {
					first = valueOf(args[0])
				}
				c.respond(requester, ServerSideEmitResponse, notepack.Map{{Key: "requestId", Val: reqID}, {Key: "packet", Val: first}})
			})
		}
	}
	c.nsp.ServerSideEvent(p, reply)
}

// valueOf converts an acknowledgement argument of a Go handler into a
// notepack value, as the server's encoder would send it ([]byte stays
// binary).
func valueOf(v any) any {
	p, err := parser.NewAck("/", 0, []any{v})
	if err != nil {
		return nil
	}
	tree, err := notepack.FromJSON(p.Data, p.Attachments)
	if err != nil {
		return nil
	}
	if arr, ok := tree.([]any); ok && len(arr) == 1 {
		return arr[0]
	}
	return nil
}

// HandleOwnBroadcast delivers a broadcast of this node that the transport
// read back (a stream adapter delivering its own broadcasts in stream
// order): as HandleMessage would deliver another node's.
func (c *Core) HandleOwnBroadcast(m *Message, offset string) {
	if m.Type == Broadcast && m.Nsp == c.name && str(m.Data, "requestId") == "" {
		c.onBroadcast(m, offset)
	}
}
