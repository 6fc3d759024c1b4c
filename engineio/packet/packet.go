// Package packet encodes and decodes Engine.IO protocol v4 packets and
// HTTP long-polling payloads, and those of protocol v3 (v3.go).
//
// The package is pure: it does no I/O and starts no goroutines. Decoding
// slices its input instead of copying it, so a decoded Packet's Data aliases
// the buffer it was decoded from; callers that reuse that buffer must copy.
//
// Wire format (https://github.com/socketio/engine.io-protocol, v4):
//
//	text packet     <type digit><data>          e.g. "4hello"
//	binary packet   raw bytes (WebSocket binary frame), or
//	                "b" + standard base64 of the bytes (polling payload)
//	payload         packets joined by the record separator 0x1e
package packet

import (
	"errors"
	"strconv"
)

// Type is an Engine.IO packet type.
type Type byte

// The Engine.IO v4 packet types. The wire form is the decimal digit.
const (
	Open    Type = 0 // server to client: handshake JSON
	Close   Type = 1 // either side: close the session
	Ping    Type = 2 // server heartbeat; client "2probe" during an upgrade
	Pong    Type = 3 // client heartbeat reply; server "3probe"
	Message Type = 4 // application data, text or binary
	Upgrade Type = 5 // client: switch to the probed transport
	Noop    Type = 6 // server: release a pending poll
)

var typeNames = [...]string{"open", "close", "ping", "pong", "message", "upgrade", "noop"}

// String returns the reference name of t ("open", "message", ...).
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "unknown(" + strconv.Itoa(int(t)) + ")"
}

// Valid reports whether t is one of the seven protocol types.
func (t Type) Valid() bool { return t <= Noop }

// Packet is one Engine.IO packet. Binary is meaningful only for Message: a
// binary message is sent as a WebSocket binary frame or as a "b"-prefixed
// base64 part of a polling payload.
type Packet struct {
	Type   Type
	Data   []byte
	Binary bool
}

// RecordSeparator joins packets in a polling payload.
const RecordSeparator = 0x1e

// ErrParse is returned for any input that is not a valid packet or payload.
// The reference reports such input as a packet of type "error" with data
// "parser error"; a server closes the session with reason "parse error".
var ErrParse = errors.New("engineio: parser error")

// AppendText appends the text form of p, "<type><data>", as sent in a
// WebSocket text frame. For a binary message it appends "b" + base64, the
// form used by clients that cannot receive binary frames.
func (p Packet) AppendText(dst []byte) []byte {
	if p.Binary {
		return appendBase64(dst, p.Data)
	}
	dst = append(dst, '0'+byte(p.Type))
	return append(dst, p.Data...)
}

// EncodedLen returns the length of p in a polling payload, without the
// separator.
func (p Packet) EncodedLen() int {
	if p.Binary {
		return 1 + base64Len(len(p.Data))
	}
	return 1 + len(p.Data)
}

// DecodeText decodes one packet from its text form. A leading 'b' marks a
// base64 binary message. Data aliases s. Any other malformed input returns
// ErrParse.
func DecodeText(s []byte) (Packet, error) {
	if len(s) == 0 {
		return Packet{}, ErrParse
	}
	if s[0] == 'b' {
		data, err := decodeBase64(s[1:])
		if err != nil {
			return Packet{}, ErrParse
		}
		return Packet{Type: Message, Data: data, Binary: true}, nil
	}
	t := Type(s[0] - '0')
	if s[0] < '0' || !t.Valid() {
		return Packet{}, ErrParse
	}
	return Packet{Type: t, Data: s[1:]}, nil
}

// DecodeBinary returns the message carried by a WebSocket binary frame.
// In protocol v4 the frame holds the raw bytes with no type prefix.
func DecodeBinary(b []byte) Packet {
	return Packet{Type: Message, Data: b, Binary: true}
}
