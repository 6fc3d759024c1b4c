package packet

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"
)

// Engine.IO protocol v3 (Socket.IO v2 clients), as served by Node's
// engine.io with allowEIO3. The packet types are those of v4; what
// differs is how binary messages and polling payloads are framed:
//
//	text packet          <type digit><data>                 e.g. "4hello"
//	binary message       WebSocket binary frame: 0x04 + bytes, or
//	                     "b4" + standard base64 of the bytes (text)
//	text payload         each packet as <length>:<packet>, the length in
//	                     UTF-16 code units, as JavaScript counts a string:
//	                     "6:4hello10:b4AQIDBA=="; no packets is "0:"
//	binary payload       each packet as <kind><length digits>0xff<bytes>:
//	                     kind 0 for a text packet (its UTF-8 bytes), 1 for
//	                     a binary message (0x04 + bytes); the length is in
//	                     bytes, one byte per decimal digit (0 to 9)
//
// The decoders are stricter than the reference's in what it never sends:
// a length must be decimal digits, a part must be complete, a binary part
// or a "b" text packet must be a message, base64 must be well formed, and
// a text part of a binary payload must be UTF-8. Any of these is ErrParse.

// AppendTextV3 appends the v3 text form of p: "<type><data>", or for a
// binary message "b4" + base64 (a client that cannot take binary).
func (p Packet) AppendTextV3(dst []byte) []byte {
	if p.Binary {
		dst = append(dst, 'b', '0'+byte(Message))
		return base64.StdEncoding.AppendEncode(dst, p.Data)
	}
	dst = append(dst, '0'+byte(p.Type))
	return append(dst, p.Data...)
}

// DecodeTextV3 decodes one packet from its v3 text form (a WebSocket text
// frame or a part of a text payload). Data aliases s, except for a base64
// message.
func DecodeTextV3(s []byte) (Packet, error) {
	if len(s) == 0 {
		return Packet{}, ErrParse
	}
	if s[0] == 'b' {
		if len(s) < 2 || s[1] != '0'+byte(Message) {
			return Packet{}, ErrParse
		}
		data, err := decodeBase64(s[2:])
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

// DecodeBinaryV3 decodes a v3 WebSocket binary frame: a type byte, then
// the data. Only a message may be binary. Data aliases b.
func DecodeBinaryV3(b []byte) (Packet, error) {
	if len(b) == 0 || Type(b[0]) != Message {
		return Packet{}, ErrParse
	}
	return Packet{Type: Message, Data: b[1:], Binary: true}, nil
}

// HasBinary reports whether any of pkts is a binary message: a v3 client
// that takes binary then gets the binary payload form.
func HasBinary(pkts []Packet) bool {
	for _, p := range pkts {
		if p.Binary {
			return true
		}
	}
	return false
}

// AppendPayloadV3 appends the v3 text payload form of pkts (binary
// messages in base64); no packets gives "0:".
func AppendPayloadV3(dst []byte, pkts []Packet) []byte {
	if len(pkts) == 0 {
		return append(dst, '0', ':')
	}
	for _, p := range pkts {
		n := 1 + utf16Len(p.Data) // ASCII type digit
		if p.Binary {
			n = 2 + base64Len(len(p.Data))
		}
		dst = strconv.AppendInt(dst, int64(n), 10)
		dst = append(dst, ':')
		dst = p.AppendTextV3(dst)
	}
	return dst
}

// PayloadLenV3 returns an upper bound of what AppendPayloadV3 or
// AppendBinaryPayloadV3 appends for pkts, to size a buffer.
func PayloadLenV3(pkts []Packet) int {
	n := 2
	for _, p := range pkts {
		n += 24 + 2 + base64Len(len(p.Data)) // length digits and marks
	}
	return n
}

// AppendBinaryPayloadV3 appends the v3 binary payload form of pkts, for a
// client that takes binary, when at least one packet is binary.
func AppendBinaryPayloadV3(dst []byte, pkts []Packet) []byte {
	for _, p := range pkts {
		kind, typ := byte(0), '0'+byte(p.Type) // a text packet: its UTF-8 bytes
		if p.Binary {
			kind, typ = 1, byte(Message) // a binary message: the type as a byte
		}
		dst = append(dst, kind)
		dst = appendLengthDigits(dst, 1+len(p.Data))
		dst = append(dst, 0xff, typ)
		dst = append(dst, p.Data...)
	}
	return dst
}

// appendLengthDigits appends n as one byte (0 to 9) per decimal digit.
func appendLengthDigits(dst []byte, n int) []byte {
	i := len(dst)
	dst = strconv.AppendInt(dst, int64(n), 10)
	for ; i < len(dst); i++ {
		dst[i] -= '0'
	}
	return dst
}

// DecodePayloadV3 decodes a v3 text payload and calls fn for each packet in
// order; zero-length parts ("0:") carry no packet. Like DecodePayload it
// stops at the first malformed part (ErrParse, the packets before it
// delivered) or the first error of fn. An empty payload is malformed.
// Packet data aliases payload, except for base64 messages.
func DecodePayloadV3(payload []byte, fn func(Packet) error) error {
	if len(payload) == 0 {
		return ErrParse
	}
	for len(payload) > 0 {
		n, rest, ok := lengthPrefix(payload)
		if !ok {
			return ErrParse
		}
		size, ok := utf16Prefix(rest, n)
		if !ok {
			return ErrParse
		}
		if size > 0 {
			p, err := DecodeTextV3(rest[:size])
			if err != nil {
				return err
			}
			if err := fn(p); err != nil {
				return err
			}
		}
		payload = rest[size:]
	}
	return nil
}

// maxLengthDigits bounds the digits of a length prefix: more than any
// payload the server accepts (MaxHTTPBufferSize is an int64 of bytes, and
// nine digits already exceed a gigabyte), few enough never to overflow.
const maxLengthDigits = 12

// lengthPrefix parses "<digits>:" at the start of b.
func lengthPrefix(b []byte) (n int, rest []byte, ok bool) {
	for i, c := range b {
		switch {
		case c == ':' && i > 0:
			return n, b[i+1:], true
		case c < '0' || c > '9' || i == maxLengthDigits:
			return 0, nil, false
		}
		n = n*10 + int(c-'0')
	}
	return 0, nil, false
}

// utf16Prefix returns how many bytes of b hold its first n UTF-16 code
// units, as JavaScript's string.slice(0, n) would take them. A byte that
// is not UTF-8 counts as one unit. It fails if b is shorter, or if the
// n-th unit is the first half of a surrogate pair.
func utf16Prefix(b []byte, n int) (int, bool) {
	i := 0
	for n > 0 {
		if i >= len(b) {
			return 0, false
		}
		if c := b[i]; c < utf8.RuneSelf {
			i++
			n--
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		units := 1
		if r >= 0x10000 {
			units = 2
		}
		if units > n {
			return 0, false
		}
		i += size
		n -= units
	}
	return i, true
}

// utf16Len returns the length of b in UTF-16 code units, counted as
// utf16Prefix counts them.
func utf16Len(b []byte) int {
	n := 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			n++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		i += size
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// DecodeBinaryPayloadV3 decodes a v3 binary payload (a POST with
// Content-Type application/octet-stream) and calls fn for each packet in
// order, with the error rules of DecodePayloadV3. An empty payload holds
// no packet. Packet data aliases payload.
func DecodeBinaryPayloadV3(payload []byte, fn func(Packet) error) error {
	for len(payload) > 0 {
		kind := payload[0]
		if kind > 1 {
			return ErrParse
		}
		n, i := 0, 1
		for ; i < len(payload) && payload[i] != 0xff; i++ {
			if payload[i] > 9 || i > maxLengthDigits {
				return ErrParse
			}
			n = n*10 + int(payload[i])
		}
		if i == 1 || i == len(payload) || n > len(payload)-i-1 {
			return ErrParse
		}
		part := payload[i+1 : i+1+n]
		payload = payload[i+1+n:]
		var p Packet
		var err error
		if kind == 1 {
			p, err = DecodeBinaryV3(part)
		} else if !utf8.Valid(part) {
			err = ErrParse
		} else {
			p, err = DecodeTextV3(part)
		}
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}
