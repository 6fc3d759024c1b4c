// Handlers of what other nodes publish: broadcasts, requests and the
// responses to this node's requests. They run on the Cluster's subscriber
// goroutine, one message at a time.

package redis

import (
	"context"
	"encoding/json"
	"strings"
	"sync"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/wire"
	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// onMessage handles a broadcast published on the broadcast channel or a
// room channel.
func (a *Adapter) onMessage(channel, payload string) {
	c := a.c
	if !strings.HasPrefix(channel, a.channel) || !strings.HasSuffix(channel[len(a.channel):], "#") && len(channel) > len(a.channel) {
		c.ignored.Add(1)
		return
	}
	room := strings.TrimSuffix(channel[len(a.channel):], "#")
	if room != "" && len(a.Memory.Sockets(adapter.BroadcastOptions{Rooms: []string{room}})) == 0 {
		return // no local socket in that room: skip decoding
	}
	v, err := notepack.Decode([]byte(payload))
	arr, _ := v.([]any)
	if err != nil || len(arr) < 3 {
		c.ignored.Add(1)
		return
	}
	if u, _ := arr[0].(string); u == a.uid {
		return
	}
	pm, _ := arr[1].(notepack.Map)
	p, nsp, ok := wire.PacketFromWire(pm)
	if !ok || nsp != a.name {
		c.ignored.Add(1)
		return
	}
	om, _ := arr[2].(notepack.Map)
	opts := wire.OptsFromWire(om)
	c.received.Add(1)
	a.received("broadcast", len(payload))
	a.Memory.Broadcast(p, opts)
}

// onRequest handles a message on the request or a response channel.
func (a *Adapter) onRequest(channel, payload string) {
	c := a.c
	if strings.HasPrefix(channel, a.responseChannel) {
		a.onResponse(payload)
		return
	}
	if channel != a.requestChannel || payload == "" {
		c.ignored.Add(1)
		return
	}
	if payload[0] != '{' {
		a.onBinaryRequest(payload)
		return
	}
	var req jsonRequest
	if err := json.Unmarshal([]byte(payload), &req); err != nil || req.Type == nil {
		c.ignored.Add(1)
		return
	}
	if req.UID == a.uid {
		return // our own request; the local part was done when it was sent
	}
	c.received.Add(1)
	a.received("request", len(payload))
	reqID := req.requestID()
	switch *req.Type {
	case reqSockets:
		ids := a.Memory.Sockets(adapter.BroadcastOptions{Rooms: req.Rooms})
		a.respond(req.UID, map[string]any{"requestId": reqID, "sockets": nonNil(ids)})
	case reqAllRooms:
		a.respond(req.UID, map[string]any{"requestId": reqID, "rooms": nonNil(a.Rooms())})
	case reqRemoteJoin, reqRemoteLeave, reqRemoteDisconnect:
		if req.Opts != nil {
			o := req.Opts.broadcastOptions()
			switch *req.Type {
			case reqRemoteJoin:
				a.Memory.AddSockets(o, req.Rooms)
			case reqRemoteLeave:
				a.Memory.DelSockets(o, req.Rooms)
			default:
				a.Memory.DisconnectSockets(o, req.Close)
			}
			return
		}
		// legacy form {sid, room}: answered when the socket is here
		if req.Sid == "" || a.SocketRooms(req.Sid) == nil {
			return
		}
		o := adapter.BroadcastOptions{Rooms: []string{req.Sid}}
		switch *req.Type {
		case reqRemoteJoin:
			a.Memory.AddSockets(o, []string{req.Room})
		case reqRemoteLeave:
			a.Memory.DelSockets(o, []string{req.Room})
		default:
			a.Memory.DisconnectSockets(o, req.Close)
		}
		a.respond(req.UID, map[string]any{"requestId": reqID})
	case reqRemoteFetch:
		local, _ := a.Memory.FetchSockets(context.Background(), req.Opts.broadcastOptions())
		out := make([]wire.Socket, 0, len(local))
		for _, s := range local {
			out = append(out, wire.SocketToWire(s))
		}
		a.respond(req.UID, map[string]any{"requestId": reqID, "sockets": out})
	case reqServerSideEmit:
		var data []json.RawMessage
		if err := json.Unmarshal(req.Data, &data); err != nil || len(data) == 0 {
			c.ignored.Add(1)
			return
		}
		p := &parser.Packet{Type: parser.Event, Nsp: a.name, Data: append(json.RawMessage(nil), req.Data...)}
		var reply func([]any)
		if len(req.RequestID) > 0 && string(req.RequestID) != "null" {
			var once sync.Once
			reply = func(args []any) {
				once.Do(func() {
					resp := map[string]any{"type": reqServerSideEmit, "requestId": reqID}
					if len(args) > 0 {
						resp["data"] = args[0]
					}
					// as the Node adapter: always the shared response channel
					a.publishJSON(a.responseChannel, resp)
				})
			}
		}
		a.nsp.ServerSideEvent(p, reply)
	default:
		c.ignored.Add(1)
	}
}

// respond publishes the JSON answer v to a request of requesterUID.
func (a *Adapter) respond(requesterUID string, v any) {
	ch := a.responseChannel
	if a.c.opts.PublishOnSpecificResponseChannel && requesterUID != "" {
		ch = a.responseChannel + requesterUID + "#"
	}
	a.publishJSON(ch, v)
}

// respondBinary publishes a MessagePack answer to a request of
// requesterUID.
func (a *Adapter) respondBinary(requesterUID string, payload []byte) {
	ch := a.responseChannel
	if a.c.opts.PublishOnSpecificResponseChannel && requesterUID != "" {
		ch = a.responseChannel + requesterUID + "#"
	}
	a.published("response", ch, payload)
}

// onBinaryRequest handles a MessagePack request: BROADCAST (with acks).
func (a *Adapter) onBinaryRequest(payload string) {
	c := a.c
	v, err := notepack.Decode([]byte(payload))
	m, _ := v.(notepack.Map)
	if err != nil || m == nil {
		c.ignored.Add(1)
		return
	}
	tv, _ := m.Get("type")
	if t, _ := tv.(int64); t != reqBroadcast {
		c.ignored.Add(1)
		return
	}
	uv, _ := m.Get("uid")
	requester, _ := uv.(string)
	if requester == a.uid {
		return
	}
	a.received("request", len(payload))
	rv, _ := m.Get("requestId")
	reqID, _ := rv.(string)
	pv, _ := m.Get("packet")
	pm, _ := pv.(notepack.Map)
	p, nsp, ok := wire.PacketFromWire(pm)
	if !ok || nsp != a.name {
		c.ignored.Add(1)
		return
	}
	ov, _ := m.Get("opts")
	om, _ := ov.(notepack.Map)
	opts := wire.OptsFromWire(om)
	if opts.Flags.Timeout <= 0 {
		opts.Flags.Timeout = a.c.opts.RequestsTimeout
	}
	opts.Flags.Local = true
	c.received.Add(1)
	p.ID, p.HasID = a.nsp.NextAckID(), true
	a.Memory.BroadcastWithAck(p, opts, func(n int) {
		a.respond(requester, map[string]any{"type": reqBroadcastClientCount, "requestId": reqID, "clientCount": n})
	}, func(ack *parser.Packet) {
		var first any = notepack.Undefined{}
		if v, err := notepack.FromJSON(ack.Data, ack.Attachments); err == nil {
			if arr, ok := v.([]any); ok && len(arr) > 0 {
				first = arr[0]
			}
		}
		msg, err := notepack.Append(nil, notepack.Map{
			{Key: "type", Val: int64(reqBroadcastAck)},
			{Key: "requestId", Val: reqID},
			{Key: "packet", Val: first},
		})
		if err == nil {
			a.respondBinary(requester, msg)
		}
	})
}

// onResponse handles an answer to one of this node's requests.
func (a *Adapter) onResponse(payload string) {
	c := a.c
	if payload == "" {
		c.ignored.Add(1)
		return
	}
	a.received("response", len(payload))
	if payload[0] != '{' {
		// MessagePack: BROADCAST_ACK
		v, err := notepack.Decode([]byte(payload))
		m, _ := v.(notepack.Map)
		if err != nil || m == nil {
			c.ignored.Add(1)
			return
		}
		rv, _ := m.Get("requestId")
		reqID, _ := rv.(string)
		tv, _ := m.Get("type")
		a.mu.Lock()
		r := a.ackReqs[reqID]
		a.mu.Unlock()
		if r == nil {
			return
		}
		if t, _ := tv.(int64); t != reqBroadcastAck {
			return
		}
		pv, ok := m.Get("packet")
		if !ok {
			pv = notepack.Undefined{}
		}
		c.received.Add(1)
		r.ack(wire.AckPacket(a.name, pv))
		return
	}
	var resp jsonResponse
	if err := json.Unmarshal([]byte(payload), &resp); err != nil {
		c.ignored.Add(1)
		return
	}
	var reqID string
	if json.Unmarshal(resp.RequestID, &reqID) != nil {
		return
	}
	a.mu.Lock()
	if r := a.ackReqs[reqID]; r != nil {
		a.mu.Unlock()
		if resp.Type != nil && *resp.Type == reqBroadcastClientCount {
			c.received.Add(1)
			r.clientCount(resp.ClientCount)
		}
		return
	}
	defer a.mu.Unlock()
	p := a.pending[reqID]
	if p == nil || p.finished {
		return
	}
	c.received.Add(1)
	switch p.typ {
	case reqRemoteFetch:
		p.msgCount++
		var socks []wire.Socket
		if err := json.Unmarshal(resp.Sockets, &socks); err == nil {
			for _, s := range socks {
				p.sockets = append(p.sockets, s.Info())
			}
		}
	case reqAllRooms:
		p.msgCount++
		for _, r := range resp.Rooms {
			p.rooms[r] = struct{}{}
		}
	case reqServerSideEmit:
		p.msgCount++
		data := resp.Data
		if len(data) == 0 {
			data = json.RawMessage("null")
		}
		p.replies = append(p.replies, &parser.Packet{Type: parser.Ack, Nsp: a.name, HasID: true,
			Data: append(append(json.RawMessage{'['}, data...), ']')})
	default:
		return
	}
	if p.msgCount >= p.numSub {
		p.finished = true
		close(p.done)
	}
}
