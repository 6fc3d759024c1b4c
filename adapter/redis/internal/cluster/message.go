// Package cluster is the Go counterpart of the ClusterAdapter of the npm
// package socket.io-adapter 2.5: the message model {uid, nsp, type, data}
// that @socket.io/redis-adapter's sharded adapter, the Redis Streams
// adapter, and the Postgres and MongoDB adapters share, and a Core that
// implements adapter.Adapter on top of a Transport that only carries
// messages. Each transport (package sharded, package streams) is thin:
// it encodes, publishes, subscribes and counts the nodes.
package cluster

import (
	"errors"
	"math"
	"strconv"

	"github.com/gosio/socketio/internal/notepack"
)

// Type is the type of a cluster message (Node: MessageType).
type Type int

// The message types of socket.io-adapter's ClusterAdapter.
const (
	InitialHeartbeat Type = 1 + iota
	Heartbeat
	Broadcast
	SocketsJoin
	SocketsLeave
	DisconnectSockets
	FetchSockets
	FetchSocketsResponse
	ServerSideEmit
	ServerSideEmitResponse
	BroadcastClientCount
	BroadcastAck
	AdapterClose
)

// EmitterUID is the uid of the messages of emitters, which are not nodes.
const EmitterUID = "emitter"

// Message is a ClusterMessage or a ClusterResponse: who sent it (UID), for
// which namespace, its type and its data (nil for heartbeats and
// ADAPTER_CLOSE). Data values are notepack values: binary is []byte.
type Message struct {
	UID  string
	Nsp  string
	Type Type
	Data notepack.Map
}

// MayContainBinary reports whether Node's transports check messages of
// type t for binary values (and encode them as MessagePack if so).
func MayContainBinary(t Type) bool {
	switch t {
	case Broadcast, FetchSocketsResponse, ServerSideEmit, ServerSideEmitResponse, BroadcastAck:
		return true
	}
	return false
}

// HasBinary reports whether v holds a []byte anywhere.
func HasBinary(v any) bool {
	switch x := v.(type) {
	case []byte:
		return true
	case []any:
		for _, e := range x {
			if HasBinary(e) {
				return true
			}
		}
	case notepack.Map:
		for _, kv := range x {
			if HasBinary(kv.Val) {
				return true
			}
		}
	}
	return false
}

// Binary reports whether m is sent as MessagePack by the transports that
// choose (MayContainBinary and HasBinary).
func (m *Message) Binary() bool {
	return MayContainBinary(m.Type) && m.Data != nil && HasBinary(m.Data)
}

// Value is m as the object Node publishes: {uid, nsp, type, data}.
func (m *Message) Value() notepack.Map {
	v := notepack.Map{{Key: "uid", Val: m.UID}, {Key: "nsp", Val: m.Nsp}, {Key: "type", Val: int64(m.Type)}}
	if m.Data != nil {
		v = append(v, notepack.KV{Key: "data", Val: m.Data})
	}
	return v
}

// AppendJSON appends m as JSON (binary values, which callers avoid by
// checking Binary first, in Node's Buffer.toJSON form).
func (m *Message) AppendJSON(dst []byte) ([]byte, error) {
	return notepack.AppendJSON(dst, m.Value(), nil)
}

// AppendMsgpack appends m as MessagePack.
func (m *Message) AppendMsgpack(dst []byte) ([]byte, error) {
	return notepack.Append(dst, m.Value())
}

// Encode is m as the sharded adapter publishes it: MessagePack if it
// carries binary, else JSON.
func (m *Message) Encode() ([]byte, error) {
	if m.Binary() {
		return m.AppendMsgpack(nil)
	}
	return m.AppendJSON(nil)
}

// ErrInvalid is wrapped by the errors of Decode and FromValue.
var ErrInvalid = errors.New("cluster: invalid message")

func invalid(what string) error { return &invalidError{what} }

type invalidError struct{ what string }

func (e *invalidError) Error() string { return "cluster: invalid message: " + e.what }
func (e *invalidError) Unwrap() error { return ErrInvalid }

// Decode decodes a JSON (first byte '{') or MessagePack message.
func Decode(b []byte) (*Message, error) {
	if len(b) == 0 {
		return nil, invalid("empty")
	}
	var v any
	var err error
	if b[0] == '{' {
		v, err = notepack.FromJSON(b, nil)
	} else {
		v, err = notepack.Decode(b)
	}
	if err != nil {
		return nil, err
	}
	return FromValue(v)
}

// FromValue converts a decoded {uid, nsp, type, data}. uid may be absent
// (older emitters); nsp defaults to "/"; type must be an integer of the
// known range; data, if present and not null, must be an object.
func FromValue(v any) (*Message, error) {
	obj, ok := v.(notepack.Map)
	if !ok {
		return nil, invalid("not an object")
	}
	m := &Message{Nsp: "/"}
	if u, ok := obj.Get("uid"); ok {
		if m.UID, ok = u.(string); !ok {
			return nil, invalid("uid")
		}
	}
	if n, ok := obj.Get("nsp"); ok {
		if m.Nsp, ok = n.(string); !ok {
			return nil, invalid("nsp")
		}
	}
	tv, _ := obj.Get("type")
	t, ok := typeOf(tv)
	if !ok {
		return nil, invalid("type")
	}
	m.Type = t
	if d, ok := obj.Get("data"); ok && d != nil {
		if _, undef := d.(notepack.Undefined); !undef {
			if m.Data, ok = d.(notepack.Map); !ok {
				return nil, invalid("data")
			}
		}
	}
	return m, nil
}

// ParseType parses a type sent as a string (the "type" field of a Redis
// stream entry), as JavaScript's parseInt(s, 10) would for valid input.
func ParseType(s string) (Type, bool) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, false
	}
	return typeOf(int64(n))
}

func typeOf(v any) (Type, bool) {
	var n int64
	switch x := v.(type) {
	case int64:
		n = x
	case uint64:
		if x > math.MaxInt32 {
			return 0, false
		}
		n = int64(x)
	case float64:
		if x != math.Trunc(x) || x < 0 || x > math.MaxInt32 {
			return 0, false
		}
		n = int64(x)
	default:
		return 0, false
	}
	if n < int64(InitialHeartbeat) || n > int64(AdapterClose) {
		return 0, false
	}
	return Type(n), true
}

// str returns the string at key of m ("" if absent or not a string).
func str(m notepack.Map, key string) string {
	v, _ := m.Get(key)
	s, _ := v.(string)
	return s
}

// mapAt returns the object at key of m, or nil.
func mapAt(m notepack.Map, key string) notepack.Map {
	v, _ := m.Get(key)
	o, _ := v.(notepack.Map)
	return o
}
