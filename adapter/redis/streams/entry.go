package streams

import (
	"encoding/base64"
	"strconv"

	"github.com/gosio/socketio/adapter/redis/internal/cluster"
	"github.com/gosio/socketio/adapter/redis/internal/notepack"
)

// entryFields are the fields of the stream entry for m, in the Node
// adapter's order: uid, nsp, type (a decimal string), and data (JSON, or
// base64 of MessagePack when it may and does hold binary) if m has data.
func entryFields(m *cluster.Message, onlyPlaintext bool) ([]any, error) {
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

// entryMessage decodes the fields of a stream entry (Node's
// RedisStreamsAdapter.decode): data starting with '{' is JSON, anything
// else base64 MessagePack.
func entryMessage(values map[string]any) (*cluster.Message, error) {
	s := func(k string) string { v, _ := values[k].(string); return v }
	t, ok := cluster.ParseType(s("type"))
	if !ok {
		return nil, cluster.ErrInvalid
	}
	m := &cluster.Message{UID: s("uid"), Nsp: s("nsp"), Type: t}
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
		return nil, cluster.ErrInvalid
	}
	m.Data = d
	return m, nil
}

// entryID is a parsed stream entry id "<ms>-<seq>".
type entryID struct{ ms, seq uint64 }

func parseID(s string) (entryID, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '-' {
			ms, err1 := strconv.ParseUint(s[:i], 10, 64)
			seq, err2 := strconv.ParseUint(s[i+1:], 10, 64)
			return entryID{ms, seq}, err1 == nil && err2 == nil && i > 0 && i < len(s)-1
		}
	}
	return entryID{}, false
}

// compareIDs orders two valid entry ids (-1, 0, 1); an invalid id sorts
// first.
func compareIDs(a, b string) int {
	x, okx := parseID(a)
	y, oky := parseID(b)
	switch {
	case !okx && !oky:
		return 0
	case !okx:
		return -1
	case !oky:
		return 1
	case x.ms != y.ms:
		if x.ms < y.ms {
			return -1
		}
		return 1
	case x.seq != y.seq:
		if x.seq < y.seq {
			return -1
		}
		return 1
	}
	return 0
}

// validOffset is Node's check of a client's offset: /^[0-9]+-[0-9]+$/.
func validOffset(s string) bool {
	_, ok := parseID(s)
	if !ok {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '-' {
			return false
		}
	}
	return true
}
