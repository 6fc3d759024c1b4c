package msgpack

import (
	"github.com/gosio/socketio/internal/notepack"
	"github.com/gosio/socketio/parser"
)

// Parser is the socket.io-msgpack-parser wire format. The zero value is
// ready to use and safe for concurrent use.
type Parser struct{}

var _ parser.Parser = Parser{}

// Keys of the packet map, as MessagePack fixstr.
const (
	keyType = "\xa4type"
	keyData = "\xa4data"
	keyNsp  = "\xa3nsp"
	keyID   = "\xa2id"
)

// Encode returns p as one binary message, the map {type, data, nsp, id}
// (data and id only when present). It checks what the npm decoder
// checks of the result, and returns an error wrapping
// parser.ErrInvalidPacket for a packet it would reject or that has no
// MessagePack form: an unknown type, attachments on a type other than
// BinaryEvent and BinaryAck, an ACK without id, data of the wrong shape
// for the type (CONNECT: none or an object; DISCONNECT: none;
// CONNECT_ERROR: a string or an object; EVENT and ACK: an array), or data
// that is not JSON. An empty Nsp is written as "/", as in the JSON format.
// The message does not alias p.
func (Parser) Encode(p *parser.Packet) ([]byte, [][]byte, error) {
	t := p.Type
	switch t {
	case parser.BinaryEvent:
		t = parser.Event
	case parser.BinaryAck:
		t = parser.Ack
	}
	if err := checkEncodable(p); err != nil {
		return nil, nil, err
	}
	size := 24 + len(p.Nsp) + len(p.Data)
	for _, a := range p.Attachments {
		size += len(a)
	}
	buf := make([]byte, 0, size)
	n := 2
	if len(p.Data) > 0 {
		n++
	}
	if p.HasID {
		n++
	}
	buf = notepack.AppendMapHeader(buf, n)
	buf = append(buf, keyType...)
	buf = append(buf, byte(t)) // a positive fixint
	if len(p.Data) > 0 {
		buf = append(buf, keyData...)
		var err error
		if buf, err = notepack.AppendMsgpack(buf, p.Data, p.Attachments); err != nil {
			return nil, nil, encodeError("data: " + err.Error())
		}
	}
	buf = append(buf, keyNsp...)
	if p.Nsp == "" {
		buf = append(buf, "\xa1/"...)
	} else {
		buf = notepack.AppendString(buf, p.Nsp)
	}
	if p.HasID {
		buf = append(buf, keyID...)
		buf = notepack.AppendUint(buf, p.ID)
	}
	return nil, [][]byte{buf}, nil
}

func checkEncodable(p *parser.Packet) error {
	if !p.Type.Valid() {
		return encodeError("unknown packet type " + p.Type.String())
	}
	if len(p.Attachments) > 0 && !p.Type.IsBinary() {
		return encodeError(p.Type.String() + " with attachments (use BINARY_EVENT or BINARY_ACK)")
	}
	var first byte
	for _, c := range p.Data {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			first = c
			break
		}
	}
	if len(p.Data) > 0 && first == 0 {
		return encodeError("blank data")
	}
	switch p.Type {
	case parser.Connect:
		if first != 0 && first != '{' {
			return encodeError("CONNECT data must be an object")
		}
	case parser.Disconnect:
		if first != 0 {
			return encodeError("DISCONNECT cannot carry data")
		}
	case parser.Event, parser.BinaryEvent:
		if first != '[' {
			return encodeError("EVENT data must be an array")
		}
	case parser.Ack, parser.BinaryAck:
		if first != '[' {
			return encodeError("ACK data must be an array")
		}
		if !p.HasID {
			return encodeError("ACK without id")
		}
	case parser.ConnectError:
		if first != '{' && first != '"' {
			return encodeError("CONNECT_ERROR data must be an object or a string")
		}
	}
	return nil
}

// NewDecoder returns a *Decoder bounded by l.
func (Parser) NewDecoder(l parser.Limits) parser.MessageDecoder { return NewDecoder(l) }

type codecError struct {
	base   error
	detail string
}

func (e *codecError) Error() string { return e.base.Error() + ": " + e.detail }
func (e *codecError) Unwrap() error { return e.base }

func encodeError(detail string) error { return &codecError{parser.ErrInvalidPacket, detail} }
