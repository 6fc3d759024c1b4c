package parser

import (
	"encoding/base64"
	"encoding/json"
	"errors"
)

// Args are the arguments of an event or an acknowledgement, decoded
// lazily: each stays raw JSON until asked for. Binary attachments are
// []byte values.
type Args struct {
	raw []json.RawMessage
	att [][]byte
}

// ErrNoArgument is what Args.Decode returns for an index past the last
// argument.
var ErrNoArgument = errors.New("socketio: no such argument")

// NewArgs returns the elements of the JSON array data (an EVENT or ACK
// payload) as Args, with the packet's attachments. Empty data gives no
// arguments; data that is not a JSON array is an error.
func NewArgs(data json.RawMessage, attachments [][]byte) (Args, error) {
	if len(data) == 0 {
		return Args{}, nil
	}
	raw, err := SplitArray(data)
	if err != nil {
		return Args{}, err
	}
	return Args{raw: raw, att: attachments}, nil
}

// Len returns the number of arguments.
func (a Args) Len() int { return len(a.raw) }

// Raw returns argument i as raw JSON (placeholders left in), or nil.
func (a Args) Raw(i int) json.RawMessage {
	if i < 0 || i >= len(a.raw) {
		return nil
	}
	return a.raw[i]
}

// Decode decodes argument i into v, a non-nil pointer, with
// encoding/json. A binary attachment decodes into *[]byte (or *any), and
// attachments nested in objects decode into []byte fields. It returns
// ErrNoArgument when there is no argument i, leaving v unchanged.
func (a Args) Decode(i int, v any) error {
	if i < 0 || i >= len(a.raw) {
		return ErrNoArgument
	}
	raw := a.raw[i]
	if len(a.att) == 0 {
		return json.Unmarshal(raw, v)
	}
	if n, ok := Placeholder(raw); ok {
		switch p := v.(type) {
		case *[]byte:
			*p = a.att[n]
			return nil
		case *any:
			*p = a.att[n]
			return nil
		}
	}
	if p, ok := v.(*any); ok {
		var x any
		if err := json.Unmarshal(raw, &x); err != nil {
			return err
		}
		*p = a.resolve(x, true)
		return nil
	}
	// Typed target: replace placeholders by base64 strings, which
	// encoding/json decodes into []byte fields.
	var x any
	if err := json.Unmarshal(raw, &x); err != nil {
		return err
	}
	b, err := json.Marshal(a.resolve(x, false))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// resolve replaces placeholder objects in a generic value by the
// attachment ([]byte) or its base64 text.
func (a Args) resolve(x any, asBytes bool) any {
	switch v := x.(type) {
	case []any:
		for i := range v {
			v[i] = a.resolve(v[i], asBytes)
		}
	case map[string]any:
		if ph, _ := v["_placeholder"].(bool); ph && len(v) == 2 {
			if f, ok := v["num"].(float64); ok && f >= 0 && int(f) < len(a.att) && float64(int(f)) == f {
				if asBytes {
					return a.att[int(f)]
				}
				return base64.StdEncoding.EncodeToString(a.att[int(f)])
			}
		}
		for k := range v {
			v[k] = a.resolve(v[k], asBytes)
		}
	}
	return x
}

// Values decodes every argument into a generic value: JSON objects become
// map[string]any, arrays []any, numbers float64, attachments []byte.
// Arguments that fail to decode are nil.
func (a Args) Values() []any {
	out := make([]any, len(a.raw))
	for i := range a.raw {
		a.Decode(i, &out[i])
	}
	return out
}

// From returns the arguments from index i on.
func (a Args) From(i int) Args {
	if i > len(a.raw) {
		i = len(a.raw)
	}
	return Args{raw: a.raw[i:], att: a.att}
}
