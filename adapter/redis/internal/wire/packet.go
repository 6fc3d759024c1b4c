// Package wire holds the forms Socket.IO's Node adapters share on the
// wire: packets and broadcast options as notepack values, and sockets and
// handshakes of fetchSockets answers as Node lists them. Both the classic
// adapter (package redis) and the ClusterAdapter ones (internal/cluster)
// use them.
package wire

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// NonNil returns s, or an empty list for nil (the wire wants [] there).
func NonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// List is s as a notepack list value (encodable as JSON and MessagePack).
func List(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// FlagsMap is f as Node sends broadcast flags.
func FlagsMap(f adapter.Flags) notepack.Map {
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

// OptsMap is o as Node sends broadcast options: {rooms, except, flags}.
func OptsMap(o adapter.BroadcastOptions) notepack.Map {
	return notepack.Map{
		{Key: "rooms", Val: List(o.Rooms)},
		{Key: "except", Val: List(o.Except)},
		{Key: "flags", Val: FlagsMap(o.Flags)},
	}
}

// Packet is p as Node's adapters send it: {type: 2, data, nsp}, binary
// values as []byte (MessagePack bin; the receiving node's encoder turns
// the packet into a BINARY_EVENT). The acknowledgement id is left out, as
// Node's ClusterAdapter publishes a broadcast before it numbers it.
func Packet(nsp string, p *parser.Packet) (notepack.Map, error) {
	data, err := notepack.FromJSON(p.Data, p.Attachments)
	if err != nil {
		return nil, err
	}
	return notepack.Map{
		{Key: "type", Val: int64(parser.Event)},
		{Key: "data", Val: data},
		{Key: "nsp", Val: nsp},
	}, nil
}

// PacketFromWire converts {type, data, nsp} into an EVENT (or
// BINARY_EVENT) packet; nsp defaults to "/". It reports false for
// anything else, or data that is not [event, ...args].
func PacketFromWire(m notepack.Map) (*parser.Packet, string, bool) {
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

// Strings converts a decoded list of rooms (strings, or numbers as Node
// allows) into strings, dropping other values.
func Strings(v any) []string {
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

// OptsFromWire converts decoded broadcast options {rooms, except, flags}.
func OptsFromWire(m notepack.Map) adapter.BroadcastOptions {
	var o adapter.BroadcastOptions
	if m == nil {
		return o
	}
	r, _ := m.Get("rooms")
	o.Rooms = Strings(r)
	e, _ := m.Get("except")
	o.Except = Strings(e)
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
			case uint64:
				o.Flags.Timeout = time.Duration(min(t, 1<<40)) * time.Millisecond
			case float64:
				if t > 0 && t < 1<<40 {
					o.Flags.Timeout = time.Duration(t * float64(time.Millisecond))
				}
			}
		}
	}
	return o
}

// StrList is a JSON list of rooms: strings, or numbers as Node allows.
type StrList []string

// UnmarshalJSON implements json.Unmarshaler.
func (l *StrList) UnmarshalJSON(b []byte) error {
	var raw []any
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*l = Strings(raw)
	return nil
}

// AckPacket is the ACK packet [v] for one client reply relayed by another
// node (Undefined: an empty reply).
func AckPacket(nsp string, v any) *parser.Packet {
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

// FirstArg returns the first argument of an ACK packet as a notepack
// value (binary as []byte), or Undefined when there is none.
func FirstArg(ack *parser.Packet) any {
	if v, err := notepack.FromJSON(ack.Data, ack.Attachments); err == nil {
		if arr, ok := v.([]any); ok && len(arr) > 0 {
			return arr[0]
		}
	}
	return notepack.Undefined{}
}
