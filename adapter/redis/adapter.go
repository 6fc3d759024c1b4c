package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// Request types of @socket.io/redis-adapter.
const (
	reqSockets              = 0
	reqAllRooms             = 1
	reqRemoteJoin           = 2
	reqRemoteLeave          = 3
	reqRemoteDisconnect     = 4
	reqRemoteFetch          = 5
	reqServerSideEmit       = 6
	reqBroadcast            = 7
	reqBroadcastClientCount = 8
	reqBroadcastAck         = 9
)

// Adapter is the adapter of one namespace: rooms are kept in memory (an
// embedded adapter.Memory) and namespace-wide operations reach the other
// nodes through Redis. Obtain it from Cluster.Adapter (through
// socketio.Options.Adapter); Namespace.Adapter() returns it, for
// AllRooms.
type Adapter struct {
	*adapter.Memory
	c    *Cluster
	nsp  adapter.Namespace
	name string
	uid  string

	channel                 string
	requestChannel          string
	responseChannel         string
	specificResponseChannel string

	mu       sync.Mutex
	pending  map[string]*pendingReq
	ackReqs  map[string]*ackReq
	isClosed bool
}

type pendingReq struct {
	typ      int
	numSub   int
	msgCount int
	sockets  []adapter.SocketInfo
	ids      []string
	rooms    map[string]struct{}
	replies  []*parser.Packet
	done     chan struct{}
	finished bool
}

type ackReq struct {
	clientCount func(int)
	ack         func(*parser.Packet)
	timer       *time.Timer
}

func (c *Cluster) newAdapter(nsp adapter.Namespace) *Adapter {
	name := nsp.Name()
	key := c.opts.Key
	a := &Adapter{
		Memory:          adapter.NewMemory(nsp),
		c:               c,
		nsp:             nsp,
		name:            name,
		uid:             uid(6),
		channel:         key + "#" + name + "#",
		requestChannel:  key + "-request#" + name + "#",
		responseChannel: key + "-response#" + name + "#",
		pending:         map[string]*pendingReq{},
		ackReqs:         map[string]*ackReq{},
	}
	a.specificResponseChannel = a.responseChannel + a.uid + "#"
	c.register(a)
	return a
}

// UID returns the adapter's id on the wire (6 characters).
func (a *Adapter) UID() string { return a.uid }

// Close unsubscribes the namespace and fails its pending requests.
func (a *Adapter) Close() error {
	a.c.unregister(a)
	a.failPending(ErrClosed)
	return nil
}

func (a *Adapter) failPending(err error) {
	a.mu.Lock()
	a.isClosed = true
	for id, p := range a.pending {
		if !p.finished {
			p.finished = true
			close(p.done)
		}
		delete(a.pending, id)
	}
	for id, r := range a.ackReqs {
		r.timer.Stop()
		delete(a.ackReqs, id)
	}
	a.mu.Unlock()
}

// ---- outgoing ----

type wireOpts struct {
	Rooms  []string `json:"rooms"`
	Except []string `json:"except"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func flagsMap(f adapter.Flags) notepack.Map {
	m := notepack.Map{}
	if f.Volatile {
		m = append(m, notepack.KV{Key: "volatile", Val: true})
	}
	if f.NoCompress {
		m = append(m, notepack.KV{Key: "compress", Val: false})
	}
	if f.Timeout > 0 {
		m = append(m, notepack.KV{Key: "timeout", Val: f.Timeout.Milliseconds()})
	}
	return m
}

func optsMap(o adapter.BroadcastOptions) notepack.Map {
	return notepack.Map{
		{Key: "rooms", Val: nonNil(o.Rooms)},
		{Key: "except", Val: nonNil(o.Except)},
		{Key: "flags", Val: flagsMap(o.Flags)},
	}
}

// wirePacket is p as the Node adapter sends it: {type: 2, data, nsp}, with
// binary values as MessagePack bin (the receiving node's encoder turns it
// into a BINARY_EVENT).
func (a *Adapter) wirePacket(p *parser.Packet) (notepack.Map, error) {
	data, err := notepack.FromJSON(p.Data, p.Attachments)
	if err != nil {
		return nil, err
	}
	return notepack.Map{
		{Key: "type", Val: int64(parser.Event)},
		{Key: "data", Val: data},
		{Key: "nsp", Val: a.name},
	}, nil
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
				a.c.publish(ch, msg)
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
				a.c.publish(a.requestChannel, msg)
			}
		}
	}
	a.Memory.BroadcastWithAck(p, opts, clientCount, ack)
}

// ServerCount returns the number of nodes serving this namespace (PUBSUB
// NUMSUB of its request channel), this one included.
func (a *Adapter) ServerCount(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, a.c.opts.RequestsTimeout)
	defer cancel()
	n, err := a.c.serverCount(ctx, a.requestChannel)
	if err != nil {
		return 0, fmt.Errorf("%w (PUBSUB NUMSUB): %w", ErrUnavailable, err)
	}
	return n, nil
}

func (a *Adapter) publishJSON(channel string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	a.c.publish(channel, b)
}

// request sends req (with a fresh requestId) to the other nodes and waits
// for numSub-1 responses (the local part is already in p) until ctx ends
// or RequestsTimeout passes.
func (a *Adapter) request(ctx context.Context, name string, p *pendingReq, req map[string]any) error {
	reqID := uid(6)
	req["uid"] = a.uid
	req["requestId"] = reqID
	p.done = make(chan struct{})
	a.mu.Lock()
	if a.isClosed {
		a.mu.Unlock()
		return ErrClosed
	}
	a.pending[reqID] = p
	a.mu.Unlock()
	a.publishJSON(a.requestChannel, req)

	t := time.NewTimer(a.c.opts.RequestsTimeout)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
	case <-ctx.Done():
	}
	a.mu.Lock()
	delete(a.pending, reqID)
	complete := p.finished && !a.isClosed
	closed := a.isClosed
	p.finished = true
	a.mu.Unlock()
	if complete {
		return nil
	}
	if closed {
		return ErrClosed
	}
	return &TimeoutError{Op: name, Got: p.msgCount, Want: p.numSub}
}

// TimeoutError is returned when other nodes did not all answer a request
// in time (RequestsTimeout, or the context's deadline). errors.Is(err,
// adapter.ErrTimeout) holds. The results returned with it are partial.
type TimeoutError struct {
	Op   string // "fetchSockets", "serverSideEmit", "allRooms"
	Got  int    // responses received (this node counts as one for fetchSockets and allRooms)
	Want int    // responses expected
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("socketio/redis: timeout reached while waiting for %s response: only %d responses received out of %d", e.Op, e.Got, e.Want)
}

// Is makes errors.Is(err, adapter.ErrTimeout) true.
func (e *TimeoutError) Is(target error) bool { return target == adapter.ErrTimeout }

// FetchSockets returns the selected sockets of every node. On timeout it
// returns those that arrived with a *TimeoutError.
func (a *Adapter) FetchSockets(ctx context.Context, opts adapter.BroadcastOptions) ([]adapter.SocketInfo, error) {
	local, _ := a.Memory.FetchSockets(ctx, opts)
	if opts.Flags.Local {
		return local, nil
	}
	n, err := a.ServerCount(ctx)
	if err != nil {
		return local, fmt.Errorf("fetchSockets: %w", err)
	}
	if n <= 1 {
		return local, nil
	}
	p := &pendingReq{typ: reqRemoteFetch, numSub: n, msgCount: 1, sockets: local}
	err = a.request(ctx, "fetchSockets", p, map[string]any{
		"type": reqRemoteFetch,
		"opts": wireOpts{Rooms: nonNil(opts.Rooms), Except: nonNil(opts.Except)},
	})
	a.mu.Lock()
	out := p.sockets
	a.mu.Unlock()
	return out, err
}

// AllRooms returns the rooms of every node.
func (a *Adapter) AllRooms(ctx context.Context) ([]string, error) {
	p := &pendingReq{typ: reqAllRooms, msgCount: 1, rooms: map[string]struct{}{}}
	for _, r := range a.Rooms() {
		p.rooms[r] = struct{}{}
	}
	collect := func() []string {
		a.mu.Lock()
		defer a.mu.Unlock()
		out := make([]string, 0, len(p.rooms))
		for r := range p.rooms {
			out = append(out, r)
		}
		return out
	}
	n, err := a.ServerCount(ctx)
	if err != nil {
		return collect(), fmt.Errorf("allRooms: %w", err)
	}
	if n <= 1 {
		return collect(), nil
	}
	p.numSub = n
	err = a.request(ctx, "allRooms", p, map[string]any{"type": reqAllRooms})
	return collect(), err
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

// ServerSideEmit sends the event p (data [event, ...args]) to the other
// nodes. With wantAck it waits for one reply per other node until ctx ends
// or RequestsTimeout passes; each reply is an ACK packet holding the one
// value the node acknowledged with (the Node adapter carries only the
// first argument). On timeout it returns the replies that arrived with a
// *TimeoutError. Arguments travel as JSON, as in the Node adapter: binary
// values are not supported.
func (a *Adapter) ServerSideEmit(ctx context.Context, p *parser.Packet, wantAck bool) ([]*parser.Packet, error) {
	data := json.RawMessage(p.Data)
	if len(p.Attachments) > 0 {
		v, err := notepack.FromJSON(p.Data, p.Attachments)
		if err != nil {
			return nil, err
		}
		b, err := notepack.AppendJSON(nil, v, nil) // Buffer.toJSON form
		if err != nil {
			return nil, err
		}
		data = b
	}
	if !wantAck {
		a.publishJSON(a.requestChannel, map[string]any{"uid": a.uid, "type": reqServerSideEmit, "data": data})
		return nil, nil
	}
	n, err := a.ServerCount(ctx)
	if err != nil {
		return nil, fmt.Errorf("serverSideEmit: %w", err)
	}
	if n-1 <= 0 {
		return nil, nil
	}
	pr := &pendingReq{typ: reqServerSideEmit, numSub: n - 1}
	err = a.request(ctx, "serverSideEmit", pr, map[string]any{"type": reqServerSideEmit, "data": data})
	a.mu.Lock()
	out := pr.replies
	a.mu.Unlock()
	return out, err
}

// ---- incoming ----

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
	p, nsp, ok := packetFromWire(pm)
	if !ok || nsp != a.name {
		c.ignored.Add(1)
		return
	}
	om, _ := arr[2].(notepack.Map)
	opts := optsFromWire(om)
	c.received.Add(1)
	a.Memory.Broadcast(p, opts)
}

// packetFromWire converts {type, data, nsp} into an EVENT (or
// BINARY_EVENT) packet.
func packetFromWire(m notepack.Map) (*parser.Packet, string, bool) {
	if m == nil {
		return nil, "", false
	}
	nsp := "/"
	if v, ok := m.Get("nsp"); ok {
		s, ok := v.(string)
		if !ok {
			return nil, "", false
		}
		nsp = s
	}
	dv, _ := m.Get("data")
	data, ok := dv.([]any)
	if !ok || len(data) == 0 {
		return nil, "", false
	}
	if _, ok := data[0].(string); !ok {
		return nil, "", false
	}
	var att [][]byte
	js, err := notepack.AppendJSON(nil, data, &att)
	if err != nil {
		return nil, "", false
	}
	t := parser.Event
	if len(att) > 0 {
		t = parser.BinaryEvent
	}
	return &parser.Packet{Type: t, Nsp: nsp, Data: js, Attachments: att}, nsp, true
}

func strList(v any) []string {
	arr, _ := v.([]any)
	out := make([]string, 0, len(arr))
	for _, e := range arr {
		switch x := e.(type) {
		case string:
			out = append(out, x)
		case int64:
			out = append(out, strconv.FormatInt(x, 10))
		case uint64:
			out = append(out, strconv.FormatUint(x, 10))
		case float64:
			out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
		}
	}
	return out
}

func optsFromWire(m notepack.Map) adapter.BroadcastOptions {
	var o adapter.BroadcastOptions
	if m == nil {
		return o
	}
	r, _ := m.Get("rooms")
	o.Rooms = strList(r)
	e, _ := m.Get("except")
	o.Except = strList(e)
	fv, _ := m.Get("flags")
	if f, ok := fv.(notepack.Map); ok {
		if v, _ := f.Get("volatile"); v == true {
			o.Flags.Volatile = true
		}
		if v, ok := f.Get("compress"); ok && v == false {
			o.Flags.NoCompress = true
		}
		if v, ok := f.Get("timeout"); ok {
			switch t := v.(type) {
			case int64:
				o.Flags.Timeout = time.Duration(t) * time.Millisecond
			case float64:
				o.Flags.Timeout = time.Duration(t * float64(time.Millisecond))
			}
		}
	}
	return o
}

// jsonStrList accepts an array of strings or numbers (Node rooms may be
// numbers).
type jsonStrList []string

func (l *jsonStrList) UnmarshalJSON(b []byte) error {
	var raw []any
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*l = strList(fromJSONAny(raw))
	return nil
}

func fromJSONAny(raw []any) any {
	out := make([]any, len(raw))
	for i, v := range raw {
		out[i] = v
	}
	return out
}

type jsonOpts struct {
	Rooms  jsonStrList `json:"rooms"`
	Except jsonStrList `json:"except"`
}

func (o *jsonOpts) broadcastOptions() adapter.BroadcastOptions {
	if o == nil {
		return adapter.BroadcastOptions{}
	}
	return adapter.BroadcastOptions{Rooms: o.Rooms, Except: o.Except}
}

type jsonRequest struct {
	UID       string          `json:"uid"`
	RequestID json.RawMessage `json:"requestId"`
	Type      *int            `json:"type"`
	Opts      *jsonOpts       `json:"opts"`
	Rooms     jsonStrList     `json:"rooms"`
	Close     bool            `json:"close"`
	Data      json.RawMessage `json:"data"`
	Sid       string          `json:"sid"`
	Room      string          `json:"room"`
}

func (r *jsonRequest) requestID() string {
	var s string
	if json.Unmarshal(r.RequestID, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(r.RequestID))
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
		out := make([]wireSocket, 0, len(local))
		for _, s := range local {
			out = append(out, socketToWire(s))
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

func (a *Adapter) respond(requesterUID string, v any) {
	ch := a.responseChannel
	if a.c.opts.PublishOnSpecificResponseChannel && requesterUID != "" {
		ch = a.responseChannel + requesterUID + "#"
	}
	a.publishJSON(ch, v)
}

func (a *Adapter) respondBinary(requesterUID string, payload []byte) {
	ch := a.responseChannel
	if a.c.opts.PublishOnSpecificResponseChannel && requesterUID != "" {
		ch = a.responseChannel + requesterUID + "#"
	}
	a.c.publish(ch, payload)
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
	rv, _ := m.Get("requestId")
	reqID, _ := rv.(string)
	pv, _ := m.Get("packet")
	pm, _ := pv.(notepack.Map)
	p, nsp, ok := packetFromWire(pm)
	if !ok || nsp != a.name {
		c.ignored.Add(1)
		return
	}
	ov, _ := m.Get("opts")
	om, _ := ov.(notepack.Map)
	opts := optsFromWire(om)
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

type jsonResponse struct {
	Type        *int            `json:"type"`
	RequestID   json.RawMessage `json:"requestId"`
	Sockets     json.RawMessage `json:"sockets"`
	Rooms       jsonStrList     `json:"rooms"`
	Data        json.RawMessage `json:"data"`
	ClientCount int             `json:"clientCount"`
}

func (a *Adapter) onResponse(payload string) {
	c := a.c
	if payload == "" {
		c.ignored.Add(1)
		return
	}
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
		r.ack(ackPacket(a.name, pv))
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
		var socks []wireSocket
		if err := json.Unmarshal(resp.Sockets, &socks); err == nil {
			for _, s := range socks {
				p.sockets = append(p.sockets, s.info())
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

// ackPacket is the ACK packet [v] for one client reply relayed by another
// node.
func ackPacket(nsp string, v any) *parser.Packet {
	var att [][]byte
	var data []byte
	if _, undef := v.(notepack.Undefined); undef {
		data = []byte("[]")
	} else {
		b, err := notepack.AppendJSON([]byte{'['}, v, &att)
		if err != nil {
			b = []byte("[null")
		}
		data = append(b, ']')
	}
	t := parser.Ack
	if len(att) > 0 {
		t = parser.BinaryAck
	}
	return &parser.Packet{Type: t, Nsp: nsp, HasID: true, Data: data, Attachments: att}
}

var _ adapter.Adapter = (*Adapter)(nil)

// ErrUnavailable is wrapped by the errors of requests that could not
// reach Redis (for instance while it restarts).
var ErrUnavailable = errors.New("socketio/redis: Redis unreachable")
