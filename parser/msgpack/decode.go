package msgpack

import (
	"errors"

	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// maxDepth bounds the nesting of a packet's data, as the JSON decoder of
// package parser bounds it, so that whatever one format accepts the
// other can write.
const maxDepth = notepack.DefaultMaxDepth

// ErrTextMessage is returned for a text Engine.IO message: every packet
// of this format is a binary message (the npm decoder fails on text too).
var ErrTextMessage = errors.New("socketio: text message where a msgpack packet was expected")

// Decoder reads the packets of one connection, one per binary message.
// Its methods are those of parser.MessageDecoder: no packet ever waits for
// another message, so Pending is always false and Reset does nothing.
type Decoder struct {
	maxAtt, maxAttBytes int
}

// NewDecoder returns a Decoder that bounds the binary values of one
// packet by l (zero fields: the defaults of parser.Limits, 10 values and
// 10 MB; negative: none). The npm decoder has no such bound; a message is
// bounded anyway by the Engine.IO maximum message size.
func NewDecoder(l parser.Limits) *Decoder {
	d := &Decoder{}
	d.maxAtt, d.maxAttBytes = l.Resolve()
	return d
}

// Add decodes one message (see Decode); a text message is an error
// wrapping parser.ErrInvalidPacket.
func (d *Decoder) Add(data []byte, binary bool) (*parser.Packet, error) {
	if !binary {
		return nil, &codecError{parser.ErrInvalidPacket, ErrTextMessage.Error()}
	}
	return decode(data, d.maxAtt, d.maxAttBytes)
}

// Pending reports false: a packet is always one message.
func (d *Decoder) Pending() bool { return false }

// Reset does nothing: the decoder keeps no partial packet.
func (d *Decoder) Reset() {}

// Decode decodes one packet with the default limits. The packet aliases
// msg (its attachments are slices of it).
//
// It accepts what the npm decoder (socket.io-msgpack-parser 3.0.2)
// accepts: msg is exactly one MessagePack map; "type" an integer 0 to 4;
// "nsp" a string; "data" absent or undefined, or a map for CONNECT,
// absent or undefined for DISCONNECT, a string or a map for
// CONNECT_ERROR, an array for EVENT and ACK; "id" absent or undefined, or
// an integer; other keys (socket.io-client sends "options") are ignored.
// An empty nsp is "/". Errors wrap, in the npm decoder's order:
//   - parser.ErrInvalidPacket: not MessagePack, or the namespace or the
//     id is not valid;
//   - parser.ErrUnknownType: not a map, or no valid type;
//   - parser.ErrInvalidPayload: data of the wrong kind.
//
// Where the Go packet cannot carry what npm would accept, it refuses
// instead: an id that is negative or past 2^64-1 (ErrInvalidPacket); an
// EVENT named after a reserved event (ErrInvalidPayload: the JSON decoder
// refuses it too, and the layers above rely on that); a map whose
// "_placeholder" is true in a packet that also has binaries
// (ErrIllegalAttachments: its JSON would read as a placeholder); more
// binaries than the limits allow (ErrTooManyAttachments,
// ErrAttachmentsTooLarge); map keys that are binaries, arrays, maps or
// extensions; nesting past 10000 levels.
func Decode(msg []byte) (*parser.Packet, error) {
	return decode(msg, parser.DefaultMaxAttachments, parser.DefaultMaxAttachmentBytes)
}

// fields are the spans of the packet map's values (nil: absent).
type fields struct {
	typ, nsp, data, id []byte
	dataSpan           notepack.Span
}

func decode(msg []byte, maxAtt, maxAttBytes int) (*parser.Packet, error) {
	var f fields
	isMap, err := readFields(msg, &f)
	if err != nil {
		return nil, &codecError{parser.ErrInvalidPacket, "not MessagePack: " + err.Error()}
	}
	if !isMap {
		return nil, &codecError{parser.ErrUnknownType, "invalid packet type"}
	}
	t, n, ok := notepack.ReadUint(f.typ)
	if !ok || n != len(f.typ) || t > uint64(parser.ConnectError) {
		return nil, &codecError{parser.ErrUnknownType, "invalid packet type"}
	}
	p := &parser.Packet{Type: parser.Type(t)}
	s, _, ok := notepack.ReadStr(f.nsp)
	if !ok {
		return nil, &codecError{parser.ErrInvalidPacket, "invalid namespace"}
	}
	if p.Nsp = notepack.Text(s); p.Nsp == "" {
		p.Nsp = "/"
	}
	if err := decodeData(p, f.data, f.dataSpan, maxAtt, maxAttBytes); err != nil {
		return nil, err
	}
	if len(f.id) > 0 && notepack.ValueKind(f.id) != notepack.KindUndefined {
		id, _, ok := notepack.ReadUint(f.id)
		if !ok {
			return nil, &codecError{parser.ErrInvalidPacket, "invalid packet id"}
		}
		p.ID, p.HasID = id, true
	}
	return p, nil
}

// readFields checks that msg is one MessagePack value and, if it is a
// map, records the values of its keys (the last of a repeated key, as
// JavaScript keeps it).
func readFields(msg []byte, f *fields) (isMap bool, err error) {
	n, off, ok := notepack.ReadMapHeader(msg)
	if !ok {
		sp, err := notepack.Skip(msg, maxDepth)
		if err == nil && sp.Len != len(msg) {
			err = errTrailing
		}
		return false, err
	}
	for range n {
		ks, err := notepack.Skip(msg[off:], maxDepth)
		if err != nil {
			return false, err
		}
		key := msg[off : off+ks.Len]
		off += ks.Len
		vs, err := notepack.Skip(msg[off:], maxDepth)
		if err != nil {
			return false, err
		}
		val := msg[off : off+vs.Len : off+vs.Len]
		off += vs.Len
		name, _, ok := notepack.ReadStr(key)
		if !ok {
			continue // no other key can be named type, nsp, data or id
		}
		switch string(name) {
		case "type":
			f.typ = val
		case "nsp":
			f.nsp = val
		case "data":
			f.data, f.dataSpan = val, vs
		case "id":
			f.id = val
		}
	}
	if off != len(msg) {
		return false, errTrailing
	}
	return true, nil
}

var errTrailing = errors.New("trailing bytes")

// decodeData checks the kind of data for p's type and writes it as JSON
// into p.Data; the binaries of an EVENT or ACK become its attachments.
func decodeData(p *parser.Packet, data []byte, sp notepack.Span, maxAtt, maxAttBytes int) error {
	kind := notepack.KindUndefined
	if data != nil {
		kind = notepack.ValueKind(data)
	}
	var ok bool
	switch p.Type {
	case parser.Connect:
		ok = kind == notepack.KindUndefined || kind == notepack.KindObject
	case parser.Disconnect:
		ok = kind == notepack.KindUndefined
	case parser.ConnectError:
		ok = kind == notepack.KindString || kind == notepack.KindObject
	default:
		ok = kind == notepack.KindArray
	}
	if !ok {
		return &codecError{parser.ErrInvalidPayload, "invalid payload"}
	}
	if kind == notepack.KindUndefined {
		return nil
	}
	if p.Type == parser.Event && reservedName(data) {
		return &codecError{parser.ErrInvalidPayload, "reserved event name"}
	}
	events := p.Type == parser.Event || p.Type == parser.Ack
	w := notepack.JSONWriter{Placeholders: events, MaxAttachments: maxAtt, MaxAttachmentBytes: maxAttBytes, MaxDepth: maxDepth}
	if events && sp.Binaries > 0 {
		w.Attachments = make([][]byte, 0, min(sp.Binaries, maxAtt+1))
	}
	// the JSON is about the size of the MessagePack, binaries aside (a
	// placeholder takes 30 bytes), with a separator per value and
	// quotes for strings
	size := len(data) - sp.BinaryBytes + 30*sp.Binaries + 3*sp.Values + 8
	js, err := w.AppendJSON(make([]byte, 0, size), data)
	switch {
	case errors.Is(err, parser.ErrTooManyAttachments), errors.Is(err, parser.ErrAttachmentsTooLarge):
		return err
	case err != nil:
		return &codecError{parser.ErrInvalidPayload, err.Error()}
	}
	p.Data = js
	if len(w.Attachments) > 0 {
		if w.PlaceholderLike {
			return &codecError{parser.ErrIllegalAttachments, `an object with "_placeholder": true in a packet with binary data`}
		}
		p.Attachments = w.Attachments
		p.Type += parser.BinaryEvent - parser.Event // EVENT→BINARY_EVENT, ACK→BINARY_ACK
	}
	return nil
}

// reservedName reports whether the first element of the array data is
// the name of a reserved event (see parser.IsReservedEvent).
func reservedName(data []byte) bool {
	n, h, ok := notepack.ReadArrayHeader(data)
	if !ok || n == 0 {
		return false
	}
	s, _, ok := notepack.ReadStr(data[h:])
	if !ok {
		return false
	}
	switch string(s) {
	case "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener":
		return true
	}
	return false
}
