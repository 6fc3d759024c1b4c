package packet

import "bytes"

// AppendPayload appends the polling payload form of pkts: each packet in text
// form (binary as "b" + base64), joined by RecordSeparator.
func AppendPayload(dst []byte, pkts []Packet) []byte {
	for i, p := range pkts {
		if i > 0 {
			dst = append(dst, RecordSeparator)
		}
		dst = p.AppendText(dst)
	}
	return dst
}

// PayloadLen returns the length AppendPayload would append for pkts.
func PayloadLen(pkts []Packet) int {
	n := 0
	for i, p := range pkts {
		if i > 0 {
			n++
		}
		n += p.EncodedLen()
	}
	return n
}

// DecodePayload splits a polling payload and calls fn for each packet in
// order. It stops at the first malformed packet and returns ErrParse (the
// packets before it have been delivered, as with the reference decoder), or
// at the first error fn returns, which it passes through. An empty payload is
// malformed. Packet data aliases payload.
func DecodePayload(payload []byte, fn func(Packet) error) error {
	for {
		i := bytes.IndexByte(payload, RecordSeparator)
		part := payload
		if i >= 0 {
			part = payload[:i]
		}
		p, err := DecodeText(part)
		if err != nil {
			return err
		}
		if err := fn(p); err != nil {
			return err
		}
		if i < 0 {
			return nil
		}
		payload = payload[i+1:]
	}
}
