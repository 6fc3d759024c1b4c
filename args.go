package socketio

import "github.com/gosio/socketio/parser"

// Args are the arguments of an event or an acknowledgement, decoded
// lazily (parser.Args): each stays raw JSON until asked for; binary
// attachments are []byte values.
type Args = parser.Args

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
