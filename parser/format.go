package parser

// Parser is a Socket.IO wire format: how a Packet is written as Engine.IO
// messages and read back from them (Node: the parser option of socket.io
// and socket.io-client). The server (socketio.Options.Parser) and the Go
// client (client.Options.Parser) take one, and every packet they send or
// receive goes through it; both ends of a connection must use the same
// format. JSON, the default, is socket.io-parser's; package
// parser/msgpack is socket.io-msgpack-parser's.
//
// Whatever the format, the layers above see the same Packet: Data is JSON
// whose binary values are {"_placeholder":true,"num":i} objects standing
// for Attachments[i], and a packet that carries binary values has type
// BinaryEvent or BinaryAck. A format without attachments maps its own
// binary values to and from that form.
//
// A Parser must be safe for concurrent use; each decoder it returns is
// used by one connection's reader goroutine at a time.
type Parser interface {
	// Encode returns the Engine.IO messages that carry p, in order: a
	// text message (nil if the format sends none), then binary messages.
	// It returns an error wrapping ErrInvalidPacket for a packet the
	// format cannot write. The messages may alias p's Data and
	// Attachments.
	Encode(p *Packet) (text []byte, binary [][]byte, err error)
	// NewDecoder returns a decoder for the messages of one connection,
	// bounded by l.
	NewDecoder(l Limits) MessageDecoder
}

// MessageDecoder reads packets from the Engine.IO messages of one
// connection. It is not safe for concurrent use.
type MessageDecoder interface {
	// Add feeds one message; binary tells whether it was a binary message.
	// It returns a complete packet, or nil and no error while the packet
	// needs more messages. An error is final: the connection must be
	// closed (the reference server closes it with "forced close", the
	// client with "parse error"). The packet may alias data.
	Add(data []byte, binary bool) (*Packet, error)
	// Pending reports whether a packet is waiting for more messages.
	Pending() bool
	// Reset drops any partial packet; called when the connection closes.
	Reset()
}

// JSON is the default wire format, that of socket.io-parser 4.2.x (see the
// package documentation). The zero value is ready to use.
type JSON struct{}

var _ Parser = JSON{}

// Encode returns the text part of p (see Packet.AppendText) and its
// attachments, one binary message each.
func (JSON) Encode(p *Packet) ([]byte, [][]byte, error) {
	text, err := p.AppendText(make([]byte, 0, 8+len(p.Nsp)+len(p.Data)))
	if err != nil {
		return nil, nil, err
	}
	return text, p.Attachments, nil
}

// NewDecoder returns a *Decoder.
func (JSON) NewDecoder(l Limits) MessageDecoder { return NewDecoder(l) }

// Resolve returns the limits l stands for: the defaults for zero fields,
// 0 for negative ones.
func (l Limits) Resolve() (maxAttachments, maxAttachmentBytes int) {
	return l.maxAttachments(), l.maxAttachmentBytes()
}
