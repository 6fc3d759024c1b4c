// Outgoing operations that expect no answer (broadcasts, remote joins,
// leaves and disconnects), and broadcasts with acknowledgements, whose
// answers arrive through incoming.go.

package redis

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// ackReq is a broadcast with acknowledgements that other nodes answer:
// their client counts and client replies, until timer forgets it.
type ackReq struct {
	clientCount func(int)
	ack         func(*parser.Packet)
	timer       *time.Timer
}

// Broadcast sends p to the selected sockets of this node and publishes it
// for the others (unless Flags.Local).
func (a *Adapter) Broadcast(p *parser.Packet, opts adapter.BroadcastOptions) {
	if !opts.Flags.Local {
		if wp, err := a.wirePacket(p); err == nil {
			msg, err := notepack.Append(nil, []any{a.uid, wp, optsMap(opts)})
			if err == nil {
				ch := a.channel
				if len(opts.Rooms) == 1 {
					ch += opts.Rooms[0] + "#"
				}
				a.published("broadcast", ch, msg)
			}
		}
	}
	a.Memory.Broadcast(p, opts)
}

// BroadcastWithAck sends p to the selected sockets of every node;
// clientCount is called once per node that answers, ack once per client
// reply. Replies from other nodes are accepted for the broadcast's
// timeout (RequestsTimeout if it has none).
func (a *Adapter) BroadcastWithAck(p *parser.Packet, opts adapter.BroadcastOptions, clientCount func(int), ack func(*parser.Packet)) {
	if !opts.Flags.Local {
		if wp, err := a.wirePacket(p); err == nil {
			reqID := uid(6)
			msg, err := notepack.Append(nil, notepack.Map{
				{Key: "uid", Val: a.uid},
				{Key: "requestId", Val: reqID},
				{Key: "type", Val: int64(reqBroadcast)},
				{Key: "packet", Val: wp},
				{Key: "opts", Val: optsMap(opts)},
			})
			if err == nil {
				d := opts.Flags.Timeout
				if d <= 0 {
					d = a.c.opts.RequestsTimeout
				}
				r := &ackReq{clientCount: clientCount, ack: ack}
				a.mu.Lock()
				if !a.isClosed {
					a.ackReqs[reqID] = r
					r.timer = time.AfterFunc(d, func() {
						a.mu.Lock()
						delete(a.ackReqs, reqID)
						a.mu.Unlock()
					})
				}
				a.mu.Unlock()
				a.published("request", a.requestChannel, msg)
			}
		}
	}
	a.Memory.BroadcastWithAck(p, opts, clientCount, ack)
}

// AddSockets makes the selected sockets of every node join rooms.
func (a *Adapter) AddSockets(opts adapter.BroadcastOptions, rooms []string) {
	a.Memory.AddSockets(opts, rooms)
	if !opts.Flags.Local {
		a.publishJSON(a.requestChannel, map[string]any{
			"uid": a.uid, "type": reqRemoteJoin,
			"opts":  wireOpts{Rooms: nonNil(opts.Rooms), Except: nonNil(opts.Except)},
			"rooms": nonNil(rooms),
		})
	}
}

// DelSockets makes the selected sockets of every node leave rooms.
func (a *Adapter) DelSockets(opts adapter.BroadcastOptions, rooms []string) {
	a.Memory.DelSockets(opts, rooms)
	if !opts.Flags.Local {
		a.publishJSON(a.requestChannel, map[string]any{
			"uid": a.uid, "type": reqRemoteLeave,
			"opts":  wireOpts{Rooms: nonNil(opts.Rooms), Except: nonNil(opts.Except)},
			"rooms": nonNil(rooms),
		})
	}
}

// DisconnectSockets disconnects the selected sockets of every node.
func (a *Adapter) DisconnectSockets(opts adapter.BroadcastOptions, close bool) {
	if !opts.Flags.Local {
		a.publishJSON(a.requestChannel, map[string]any{
			"uid": a.uid, "type": reqRemoteDisconnect,
			"opts":  wireOpts{Rooms: nonNil(opts.Rooms), Except: nonNil(opts.Except)},
			"close": close,
		})
	}
	a.Memory.DisconnectSockets(opts, close)
}

func (a *Adapter) publishJSON(channel string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	kind := "request"
	if channel != a.requestChannel {
		kind = "response"
	}
	if !a.published(kind, channel, b) {
		return fmt.Errorf("%w: message dropped (Redis away, or the publish queue is full)", ErrUnavailable)
	}
	return nil
}
