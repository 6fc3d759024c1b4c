package parser

import (
	"encoding/json"
	"errors"
)

// Args are the arguments of an event or an acknowledgement, decoded
// lazily: each stays raw JSON until asked for. Binary attachments are
// []byte values.
//
// Args also re-encode exactly as received: given to [EncodeArgs] (so to an
// Emit or an Ack), an Args stands for its arguments, written with the same
// JSON text and the same binary data (see [Arg]), as a Node server relays
// what it received. Values, by contrast, gives Go maps, whose keys the
// encoder writes sorted.
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
// encoding/json. The binary attachments go straight into the values they
// stand for, at any depth: a []byte (or any byte slice type) field,
// element or map value, or an interface (any) one, gets the attachment
// itself (no copy, no base64); any other destination of a placeholder
// (such as a string, or a type with its own UnmarshalJSON or UnmarshalText)
// gets the attachment as a base64 string, as encoding/json would give it
// to a []byte. An [Arg] (v itself, or a field at any depth of it) gets the
// argument's text as received with its attachments, for relaying. Decode
// returns ErrNoArgument when there is no argument i, leaving v unchanged.
func (a Args) Decode(i int, v any) error {
	if i < 0 || i >= len(a.raw) {
		return ErrNoArgument
	}
	if len(a.att) == 0 {
		// The common case, on a small frame: decodeArg's is large, and on
		// a handler goroutine that starts with a small stack it would make
		// the stack grow once more for every event.
		if p, ok := v.(*Arg); !ok || p == nil {
			return json.Unmarshal(a.raw[i], v)
		}
	}
	return decodeArg(a.raw[i], a.att, v)
}

// Values decodes every argument into a generic value: JSON objects become
// map[string]any, arrays []any, numbers float64, attachments []byte.
// Arguments that fail to decode are nil. To pass arguments on unchanged,
// give the Args itself to an Emit or an Ack: encoded again, the maps of
// Values have their keys sorted.
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
