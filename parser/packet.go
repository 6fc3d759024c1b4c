package parser

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// Type is the type of a Socket.IO packet, the first character of its text
// part.
type Type byte

// The packet types of protocol v5.
const (
	Connect      Type = 0 // CONNECT: join a namespace (payload: optional object)
	Disconnect   Type = 1 // DISCONNECT: leave a namespace (no payload)
	Event        Type = 2 // EVENT: an array whose first element is the event name
	Ack          Type = 3 // ACK: an array of ack arguments; an id is required
	ConnectError Type = 4 // CONNECT_ERROR: an object {"message":...,"data"?:...} or a string
	BinaryEvent  Type = 5 // BINARY_EVENT: as Event, with attachments
	BinaryAck    Type = 6 // BINARY_ACK: as Ack, with attachments
)

var typeNames = [...]string{
	Connect:      "CONNECT",
	Disconnect:   "DISCONNECT",
	Event:        "EVENT",
	Ack:          "ACK",
	ConnectError: "CONNECT_ERROR",
	BinaryEvent:  "BINARY_EVENT",
	BinaryAck:    "BINARY_ACK",
}

// String returns the reference name of t ("CONNECT", "BINARY_EVENT", ...), or
// "Type(N)" for a value outside the protocol.
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// Valid reports whether t is one of the seven packet types of protocol v5.
func (t Type) Valid() bool { return t <= BinaryAck }

// IsBinary reports whether t is BinaryEvent or BinaryAck, the types that carry
// attachments.
func (t Type) IsBinary() bool { return t == BinaryEvent || t == BinaryAck }

// Errors returned by the codec. Decoding errors wrap one of them (test with
// [errors.Is]); the messages reuse the reference parser's wording where it has
// one.
var (
	// ErrUnknownType: the first character is not a packet type 0-6.
	ErrUnknownType = errors.New("socketio: unknown packet type")
	// ErrIllegalAttachments: the attachment count of a binary packet is not
	// a run of digits ended by '-', or a placeholder is malformed, out of
	// range or used twice.
	ErrIllegalAttachments = errors.New("socketio: illegal attachments")
	// ErrTooManyAttachments: a binary packet declares more attachments
	// than [Limits.MaxAttachments].
	ErrTooManyAttachments = errors.New("socketio: too many attachments")
	// ErrAttachmentsTooLarge: the attachments of one packet add up to more
	// than [Limits.MaxAttachmentBytes].
	ErrAttachmentsTooLarge = errors.New("socketio: attachments too large")
	// ErrInvalidPayload: the payload is not JSON, or not of the shape the
	// packet type requires (see [Decode]).
	ErrInvalidPayload = errors.New("socketio: invalid payload")
	// ErrInvalidPacket: the packet is malformed outside its payload (empty
	// message, ack id overflow, ack without id), or a [Packet] given to
	// [Packet.AppendText] cannot be written.
	ErrInvalidPacket = errors.New("socketio: invalid packet")
	// ErrUnexpectedText: a text message arrived while the attachments of a
	// binary packet were still awaited.
	ErrUnexpectedText = errors.New("socketio: got plaintext data when reconstructing a packet")
	// ErrUnexpectedBinary: a binary message arrived while no binary packet
	// was awaiting attachments.
	ErrUnexpectedBinary = errors.New("socketio: got binary data when not reconstructing a packet")
)

// Packet is one Socket.IO packet.
type Packet struct {
	Type Type
	// Nsp is the namespace; "/" when absent on the wire. An empty Nsp is
	// written like "/".
	Nsp string
	// ID is the ack id; it is meaningful only when HasID is true.
	ID    uint64
	HasID bool
	// Data is the JSON payload exactly as on the wire, without surrounding
	// whitespace, or nil when there is none. For BinaryEvent and BinaryAck
	// the binary values are {"_placeholder":true,"num":i} objects.
	// Packets returned by the decoder alias the decoded message.
	Data json.RawMessage
	// Attachments are the binary attachments of a BinaryEvent or
	// BinaryAck, in placeholder order (Attachments[i] is placeholder i).
	Attachments [][]byte
}

// AppendText appends the text part of p,
// "<type>[<n>-][<nsp>,][<id>][<data>]", to dst and returns the extended
// buffer. For binary types n is len(p.Attachments); the attachments
// themselves are sent by the caller as the following binary messages. The
// namespace is written only if it is neither "" nor "/".
//
// AppendText never changes the packet type: an Event or Ack that has
// attachments is an error (use BinaryEvent or BinaryAck), as is a packet the
// decoder would reject for its framing: an unknown type, a namespace not
// starting with '/' or containing ',', an Ack without an id, a Disconnect
// with data, an Event, Ack or ConnectError without data, or data whose first
// character does not fit the type ('{' for Connect, '[' for events and acks,
// '{' or '"' for ConnectError). Data itself is not validated as JSON: it must
// be valid JSON, as produced by [EncodeArgs] or [encoding/json]. On error dst
// is returned unchanged together with an error wrapping [ErrInvalidPacket].
func (p *Packet) AppendText(dst []byte) ([]byte, error) {
	if err := p.checkWritable(); err != nil {
		return dst, err
	}
	dst = append(dst, '0'+byte(p.Type))
	if p.Type.IsBinary() {
		dst = strconv.AppendInt(dst, int64(len(p.Attachments)), 10)
		dst = append(dst, '-')
	}
	if p.Nsp != "" && p.Nsp != "/" {
		dst = append(dst, p.Nsp...)
		dst = append(dst, ',')
	}
	if p.HasID {
		dst = strconv.AppendUint(dst, p.ID, 10)
	}
	return append(dst, p.Data...), nil
}

func (p *Packet) checkWritable() error {
	if !p.Type.Valid() {
		return encodeError("unknown packet type " + strconv.Itoa(int(p.Type)))
	}
	if len(p.Attachments) > 0 && !p.Type.IsBinary() {
		return encodeError(p.Type.String() + " with attachments (use BINARY_EVENT or BINARY_ACK)")
	}
	if p.Nsp != "" && p.Nsp != "/" && (p.Nsp[0] != '/' || strings.IndexByte(p.Nsp, ',') >= 0) {
		return encodeError("namespace must start with '/' and contain no ','")
	}
	var first byte
	if len(p.Data) > 0 {
		d := trimSpace(p.Data)
		if len(d) == 0 {
			return encodeError("blank data")
		}
		first = d[0]
	}
	switch p.Type {
	case Connect:
		if first != 0 && first != '{' {
			return encodeError("CONNECT data must be an object")
		}
	case Disconnect:
		if first != 0 {
			return encodeError("DISCONNECT cannot carry data")
		}
	case Event, BinaryEvent:
		if first != '[' {
			return encodeError("EVENT data must be an array")
		}
	case Ack, BinaryAck:
		if first != '[' {
			return encodeError("ACK data must be an array")
		}
		if !p.HasID {
			return encodeError("ACK without id")
		}
	case ConnectError:
		if first != '{' && first != '"' {
			return encodeError("CONNECT_ERROR data must be an object or a string")
		}
	}
	return nil
}

type detailError struct {
	base   error
	detail string
}

func (e *detailError) Error() string { return e.base.Error() + ": " + e.detail }
func (e *detailError) Unwrap() error { return e.base }

func encodeError(detail string) error { return &detailError{ErrInvalidPacket, detail} }

func wrapError(base error, detail string) error { return &detailError{base, detail} }
