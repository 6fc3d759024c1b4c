// The Redis Streams form of a message (socket.io-redis-streams-adapter and
// its emitter): one stream entry.

package cluster

import (
	"encoding/base64"
	"strconv"

	"github.com/gosio/socketio/internal/notepack"
)

// StreamFields are the fields of the stream entry for m, in the Node
// adapter's order: uid, nsp, type (a decimal string), and data (JSON, or
// base64 of MessagePack when it may and does hold binary) if m has data.
func StreamFields(m *Message, onlyPlaintext bool) ([]any, error) {
	f := []any{"uid", m.UID, "nsp", m.Nsp, "type", strconv.Itoa(int(m.Type))}
	if m.Data == nil {
		return f, nil
	}
	var data string
	if !onlyPlaintext && m.Binary() {
		b, err := notepack.Append(nil, m.Data)
		if err != nil {
			return nil, err
		}
		data = base64.StdEncoding.EncodeToString(b)
	} else {
		b, err := notepack.AppendJSON(nil, m.Data, nil)
		if err != nil {
			return nil, err
		}
		data = string(b)
	}
	return append(f, "data", data), nil
}

// FromStreamFields decodes the fields of a stream entry (Node's
// RedisStreamsAdapter.decode): data starting with '{' is JSON, anything
// else base64 MessagePack.
func FromStreamFields(values map[string]any) (*Message, error) {
	s := func(k string) string { v, _ := values[k].(string); return v }
	t, ok := ParseType(s("type"))
	if !ok {
		return nil, ErrInvalid
	}
	m := &Message{UID: s("uid"), Nsp: s("nsp"), Type: t}
	raw := s("data")
	if raw == "" {
		return m, nil
	}
	var v any
	var err error
	if raw[0] == '{' {
		v, err = notepack.FromJSON([]byte(raw), nil)
	} else {
		var b []byte
		if b, err = base64.StdEncoding.DecodeString(raw); err == nil {
			v, err = notepack.Decode(b)
		}
	}
	if err != nil {
		return nil, err
	}
	d, ok := v.(notepack.Map)
	if !ok {
		return nil, ErrInvalid
	}
	m.Data = d
	return m, nil
}
