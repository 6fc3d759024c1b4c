package socketio

import "github.com/gosio/socketio/parser"

// Args are the arguments of an event or an acknowledgement, decoded
// lazily (parser.Args): each stays raw JSON until asked for; binary
// attachments are []byte values, at any depth of a typed argument.
//
// Given to Emit or Ack, an Args stands for its arguments, re-encoded
// exactly as received (JSON text, key order, binary): relay with
// To(room).Emit(e.Name, e.Args), echo with e.Ack(e.Args).
type Args = parser.Args

// Arg is one received argument kept as it arrived (parser.Arg): from
// Args.Arg(i), or as a handler parameter or struct field, it is written
// back unchanged by Emit and Ack, e.g. func(room string, msg Arg) {
// s.To(room).Emit("msg", msg) }.
type Arg = parser.Arg

// newArgs returns the arguments of data from index skip on.
func newArgs(data []byte, att [][]byte, skip int) (Args, error) {
	a, err := parser.NewArgs(data, att)
	if err != nil {
		return Args{}, err
	}
	return a.From(skip), nil
}

// encodeArgs encodes values for an EVENT or ACK payload; binary values
// become attachments.
func encodeArgs(args []any) ([]byte, [][]byte, error) { return parser.EncodeArgs(args) }
