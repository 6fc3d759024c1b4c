// The wire forms of @socket.io/redis-adapter 8.3: packets and broadcast
// options (MessagePack), requests and responses (JSON). Sockets and
// handshakes of REMOTE_FETCH answers are in socket_wire.go.

package redis

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// wireOpts are the socket selection of a JSON request.
type wireOpts struct {
	Rooms  []string `json:"rooms"`
	Except []string `json:"except"`
}

// nonNil returns s, or an empty list for nil (the wire wants [] there).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// flagsMap is f as the Node adapter sends broadcast flags.
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

// optsMap is o as the Node adapter sends broadcast options.
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

// strList converts a decoded list of rooms (strings, or numbers as Node
// allows) into strings, dropping other values.
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

// optsFromWire converts the broadcast options of a MessagePack message.
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
	*l = strList(raw)
	return nil
}

// jsonOpts are the socket selection of a JSON request.
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

// jsonRequest is a JSON request of another node (the fields of every
// request type).
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

// requestID returns the request id (a string, or a number as sent).
func (r *jsonRequest) requestID() string {
	var s string
	if json.Unmarshal(r.RequestID, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(r.RequestID))
}

// jsonResponse is a JSON response to one of this node's requests.
type jsonResponse struct {
	Type        *int            `json:"type"`
	RequestID   json.RawMessage `json:"requestId"`
	Sockets     json.RawMessage `json:"sockets"`
	Rooms       jsonStrList     `json:"rooms"`
	Data        json.RawMessage `json:"data"`
	ClientCount int             `json:"clientCount"`
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
