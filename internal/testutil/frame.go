package testutil

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// WebSocket opcodes (RFC 6455, section 5.2).
const (
	OpContinuation byte = 0x0
	OpText         byte = 0x1
	OpBinary       byte = 0x2
	OpClose        byte = 0x8
	OpPing         byte = 0x9
	OpPong         byte = 0xA
)

// RSV bits of Frame.Rsv.
const (
	RSV1 byte = 0x4
	RSV2 byte = 0x2
	RSV3 byte = 0x1
)

// Frame is one WebSocket frame. The zero value of the framing fields gives a
// non-final, masked frame with a zero mask key; set Fin for a whole message.
type Frame struct {
	Fin bool
	Rsv byte // RSV1|RSV2|RSV3 bits, see the constants
	Op  byte
	// Unmasked sends the payload without a mask (illegal from a client).
	Unmasked bool
	Mask     [4]byte
	Payload  []byte
	// DeclaredLen, when OverrideLen is set, is written as the payload
	// length instead of len(Payload), always in the 64-bit form when it
	// exceeds 0xffff. It lets a test lie about the length.
	DeclaredLen uint64
	OverrideLen bool
}

// AppendFrame appends the wire form of f to dst. The payload is masked with
// f.Mask unless f.Unmasked is set; f.Payload itself is not modified.
func AppendFrame(dst []byte, f Frame) []byte {
	b0 := f.Op & 0x0f
	b0 |= (f.Rsv & 0x7) << 4
	if f.Fin {
		b0 |= 0x80
	}
	dst = append(dst, b0)
	var maskBit byte
	if !f.Unmasked {
		maskBit = 0x80
	}
	n := uint64(len(f.Payload))
	if f.OverrideLen {
		n = f.DeclaredLen
	}
	switch {
	case n < 126:
		dst = append(dst, maskBit|byte(n))
	case n <= 0xffff:
		dst = append(dst, maskBit|126, byte(n>>8), byte(n))
	default:
		dst = append(dst, maskBit|127)
		dst = binary.BigEndian.AppendUint64(dst, n)
	}
	if !f.Unmasked {
		dst = append(dst, f.Mask[:]...)
	}
	start := len(dst)
	dst = append(dst, f.Payload...)
	if !f.Unmasked {
		for i := start; i < len(dst); i++ {
			dst[i] ^= f.Mask[(i-start)%4]
		}
	}
	return dst
}

// Text returns a final, masked text frame carrying s.
func Text(s string) Frame {
	return Frame{Fin: true, Op: OpText, Mask: [4]byte{1, 2, 3, 4}, Payload: []byte(s)}
}

// Binary returns a final, masked binary frame carrying b.
func Binary(b []byte) Frame {
	return Frame{Fin: true, Op: OpBinary, Mask: [4]byte{5, 6, 7, 8}, Payload: b}
}

// CloseFrame returns a final, masked close frame with the given status
// code (none if code < 0) and reason.
func CloseFrame(code int, reason string) Frame {
	var p []byte
	if code >= 0 {
		p = binary.BigEndian.AppendUint16(nil, uint16(code))
	}
	p = append(p, reason...)
	return Frame{Fin: true, Op: OpClose, Mask: [4]byte{9, 9, 9, 9}, Payload: p}
}

// ErrFrameTooLarge is returned by ReadFrame for a frame over its limit.
var ErrFrameTooLarge = errors.New("testutil: frame too large")

// MaxReadFrame bounds the payload ReadFrame accepts (64 MiB).
const MaxReadFrame = 64 << 20

// ReadFrame reads one frame from r, unmasking it if needed.
func ReadFrame(r *bufio.Reader) (Frame, error) {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return Frame{}, err
	}
	f := Frame{Fin: h[0]&0x80 != 0, Rsv: (h[0] >> 4) & 0x7, Op: h[0] & 0x0f, Unmasked: h[1]&0x80 == 0}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return Frame{}, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return Frame{}, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > MaxReadFrame {
		return Frame{}, fmt.Errorf("%w: %d bytes", ErrFrameTooLarge, n)
	}
	if !f.Unmasked {
		if _, err := io.ReadFull(r, f.Mask[:]); err != nil {
			return Frame{}, err
		}
	}
	f.Payload = make([]byte, n)
	if _, err := io.ReadFull(r, f.Payload); err != nil {
		return Frame{}, err
	}
	if !f.Unmasked {
		for i := range f.Payload {
			f.Payload[i] ^= f.Mask[i%4]
		}
	}
	return f, nil
}

// CloseCode returns the status code of a close frame, 1005 (no status) if
// it carries none, and the reason text.
func (f Frame) CloseCode() (int, string) {
	if len(f.Payload) < 2 {
		return 1005, ""
	}
	return int(binary.BigEndian.Uint16(f.Payload)), string(f.Payload[2:])
}

// String describes f for test failures.
func (f Frame) String() string {
	p := f.Payload
	suffix := ""
	if len(p) > 64 {
		p, suffix = p[:64], fmt.Sprintf("...(%d bytes)", len(f.Payload))
	}
	if f.Op == OpText && utf8.Valid(p) {
		return fmt.Sprintf("{fin=%v rsv=%d op=%#x %q%s}", f.Fin, f.Rsv, f.Op, p, suffix)
	}
	return fmt.Sprintf("{fin=%v rsv=%d op=%#x % x%s}", f.Fin, f.Rsv, f.Op, p, suffix)
}
