package parser

import (
	"bytes"
	"strconv"
)

// Default limits, used for the zero fields of [Limits].
const (
	// DefaultMaxAttachments is the reference parser's maxAttachments.
	DefaultMaxAttachments = 10
	// DefaultMaxAttachmentBytes is DefaultMaxAttachments times the
	// reference's default maxHttpBufferSize (1e6), the most a reference
	// server accepts in one binary packet with its default settings.
	DefaultMaxAttachmentBytes = 10_000_000
)

// Limits bound what a [Decoder] accepts. The zero value means the defaults.
type Limits struct {
	// MaxAttachments is the largest attachment count a binary packet may
	// declare; more is ErrTooManyAttachments. 0 means
	// DefaultMaxAttachments (10); a negative value allows no attachments.
	MaxAttachments int
	// MaxAttachmentBytes bounds the total size of the attachments of one
	// packet; more is ErrAttachmentsTooLarge. 0 means
	// DefaultMaxAttachmentBytes (10 MB); a negative value allows only
	// empty attachments.
	MaxAttachmentBytes int
}

func (l Limits) maxAttachments() int {
	switch {
	case l.MaxAttachments == 0:
		return DefaultMaxAttachments
	case l.MaxAttachments < 0:
		return 0
	}
	return l.MaxAttachments
}

func (l Limits) maxAttachmentBytes() int {
	switch {
	case l.MaxAttachmentBytes == 0:
		return DefaultMaxAttachmentBytes
	case l.MaxAttachmentBytes < 0:
		return 0
	}
	return l.MaxAttachmentBytes
}

// Decode decodes the text part of one packet, as carried by one Engine.IO
// text message, with the default [Limits]. It does not wait for
// attachments: for BinaryEvent and BinaryAck, Attachments has the declared
// length and nil elements. The returned packet aliases text.
//
// Decode checks what the reference parser checks, and returns an error
// wrapping:
//   - [ErrInvalidPacket] for an empty message, an ack id that overflows
//     uint64, or an Ack without id;
//   - [ErrUnknownType] if the first byte is not '0'-'6';
//   - [ErrIllegalAttachments] if the attachment count of a binary packet is
//     not one or more digits ended by '-', or a placeholder has a num that
//     is not an integer 0 <= num < count or is used twice;
//   - [ErrTooManyAttachments] if the count is over the limit;
//   - [ErrInvalidPayload] if the payload is not one JSON value or not of the
//     type's shape: Connect an optional object; Disconnect nothing; Event
//     and BinaryEvent a non-empty array whose first element is a number or a
//     string other than a reserved name (see [IsReservedEvent]); Ack and
//     BinaryAck an array; ConnectError an object or a string.
func Decode(text []byte) (*Packet, error) {
	p, n, err := decodeText(text, DefaultMaxAttachments)
	if err != nil {
		return nil, err
	}
	if p.Type.IsBinary() && n > 0 {
		p.Attachments = make([][]byte, n)
	}
	return p, nil
}

// decodeText decodes a text packet and returns it with its declared
// attachment count.
func decodeText(text []byte, maxAtt int) (*Packet, int, error) {
	if len(text) == 0 {
		return nil, 0, wrapError(ErrInvalidPacket, "empty packet")
	}
	c := text[0]
	if c < '0' || c > '6' {
		if isDigit(c) {
			return nil, 0, wrapError(ErrUnknownType, string(c))
		}
		return nil, 0, wrapError(ErrUnknownType, strconv.QuoteToASCII(string(text[:1])))
	}
	p := &Packet{Type: Type(c - '0'), Nsp: "/"}
	i := 1

	// attachments: "<digits>-"
	n := 0
	if p.Type.IsBinary() {
		dash := bytes.IndexByte(text[1:], '-')
		if dash <= 0 {
			return nil, 0, wrapError(ErrIllegalAttachments, "missing count")
		}
		tooMany := false
		for _, c := range text[1 : 1+dash] {
			if !isDigit(c) {
				return nil, 0, wrapError(ErrIllegalAttachments, "count is not an integer")
			}
			if !tooMany {
				n = n*10 + int(c-'0')
				tooMany = n > maxAtt
			}
		}
		if tooMany {
			return nil, 0, ErrTooManyAttachments
		}
		i = 1 + dash + 1
	}

	// namespace: from '/' up to ',' or the end
	if i < len(text) && text[i] == '/' {
		j := bytes.IndexByte(text[i:], ',')
		var nsp []byte
		if j < 0 {
			nsp, i = text[i:], len(text)
		} else {
			nsp, i = text[i:i+j], i+j+1
		}
		if len(nsp) > 1 {
			p.Nsp = string(nsp)
		}
	}

	// ack id: a run of digits
	if i < len(text) && isDigit(text[i]) {
		var id uint64
		for ; i < len(text) && isDigit(text[i]); i++ {
			d := uint64(text[i] - '0')
			if id > (1<<64-1-d)/10 {
				return nil, 0, wrapError(ErrInvalidPacket, "ack id overflows uint64")
			}
			id = id*10 + d
		}
		p.ID, p.HasID = id, true
	}

	// payload
	if i < len(text) {
		p.Data = trimSpace(text[i:])
		if err := checkPayload(p, n); err != nil {
			return nil, 0, err
		}
	} else {
		switch p.Type {
		case Event, BinaryEvent, Ack, BinaryAck, ConnectError:
			return nil, 0, wrapError(ErrInvalidPayload, p.Type.String()+" without data")
		}
	}
	if (p.Type == Ack || p.Type == BinaryAck) && !p.HasID {
		return nil, 0, wrapError(ErrInvalidPacket, "ACK without id")
	}
	return p, n, nil
}

func checkPayload(p *Packet, n int) error {
	d := p.Data
	if len(d) == 0 {
		return wrapError(ErrInvalidPayload, "blank payload")
	}
	// cheap shape check first, then one validating pass
	var ok bool
	switch p.Type {
	case Connect:
		ok = d[0] == '{'
	case Event, BinaryEvent, Ack, BinaryAck:
		ok = d[0] == '['
	case ConnectError:
		ok = d[0] == '{' || d[0] == '"'
	}
	if !ok {
		return wrapError(ErrInvalidPayload, "unexpected data for "+p.Type.String())
	}
	s := scanner{data: d, check: p.Type.IsBinary(), n: n}
	if !s.validate() {
		if s.err != nil {
			return s.err
		}
		return wrapError(ErrInvalidPayload, "malformed JSON")
	}
	if (p.Type == Event || p.Type == BinaryEvent) && !validEventName(d) {
		return wrapError(ErrInvalidPayload, "event name must be a number or a non-reserved string")
	}
	return nil
}

// Decoder reassembles packets from the Engine.IO messages of one connection:
// a text message, then, for a binary packet, one binary message per
// attachment. A Decoder is not safe for concurrent use.
type Decoder struct {
	limits  Limits
	pending *Packet // binary packet awaiting attachments
	want    int     // attachments declared by pending
	size    int     // attachment bytes received for pending
}

// NewDecoder returns a Decoder that enforces l (zero fields mean the
// defaults).
func NewDecoder(l Limits) *Decoder { return &Decoder{limits: l} }

// Add feeds one Engine.IO message; binary tells whether it was a binary
// message. It returns a complete packet, or nil and no error while the
// attachments of a binary packet are still awaited. The returned packet
// aliases the data passed to Add (text and attachments alike), so the caller
// must not reuse those buffers.
//
// On error the connection must be closed; the decoder drops any partial
// packet, so it could be reused. Besides the errors of [Decode] (with the
// attachment limit of the decoder), Add returns errors wrapping
// [ErrUnexpectedText] for a text message while attachments are awaited,
// [ErrUnexpectedBinary] for a binary message when none is, and
// [ErrAttachmentsTooLarge] when the attachments of one packet exceed the
// byte limit.
func (d *Decoder) Add(data []byte, binary bool) (*Packet, error) {
	if binary {
		if d.pending == nil {
			return nil, ErrUnexpectedBinary
		}
		d.size += len(data)
		if d.size > d.limits.maxAttachmentBytes() {
			d.Reset()
			return nil, ErrAttachmentsTooLarge
		}
		p := d.pending
		p.Attachments = append(p.Attachments, data)
		if len(p.Attachments) < d.want {
			return nil, nil
		}
		d.Reset()
		return p, nil
	}
	if d.pending != nil {
		d.Reset()
		return nil, ErrUnexpectedText
	}
	p, n, err := decodeText(data, d.limits.maxAttachments())
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return p, nil
	}
	p.Attachments = make([][]byte, 0, min(n, 16))
	d.pending, d.want, d.size = p, n, 0
	return nil, nil
}

// Pending reports whether a binary packet is waiting for attachments. The
// layer above can use it to bound the time spent waiting.
func (d *Decoder) Pending() bool { return d.pending != nil }

// Reset drops any partial packet and the attachments received for it. Call
// it when the connection closes.
func (d *Decoder) Reset() {
	d.pending, d.want, d.size = nil, 0, 0
}
