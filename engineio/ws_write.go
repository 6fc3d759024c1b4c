package engineio

import (
	"encoding/base64"
	"time"

	"github.com/gobwas/ws"

	"github.com/gosio/socketio/engineio/packet"
)

// writeLoop drains the session queue to the connection, all queued frames
// in one (gather) write, until the queue is empty; it is started by flushLocked and
// exits when idle, so an idle connection has no writer goroutine.
func (c *wsConn) writeLoop() { c.drain(false) }

// drain is writeLoop; with once (a caller writing on its own goroutine,
// see SendPacketsNow) it writes one batch and hands whatever was queued
// meanwhile to a writer goroutine, so that caller is not kept draining
// packets others queue.
func (c *wsConn) drain(once bool) {
	s := c.s
	var written []packet.Packet
	for n := 0; ; n++ {
		s.mu.Lock()
		s.out.recycle(written)
		if s.ws != c || s.state == stateClosed {
			s.writing = false
			s.mu.Unlock()
			return
		}
		if once && n > 0 && s.out.len() > 0 {
			s.mu.Unlock()
			go c.writeLoop() // takes over the writer role (writing stays set)
			return
		}
		pkts := s.out.take()
		if len(pkts) == 0 {
			s.writing = false
			closing := s.state == stateClosing
			s.mu.Unlock()
			if closing {
				// closeWith closes the connection after marking the
				// session closed, so the reader cannot report its own
				// error first.
				s.closeWith(ReasonForcedClose, nil, closeReplyClose)
			}
			return
		}
		s.mu.Unlock()
		fb := getBatch()
		if c.gather {
			fb.addAs(pkts, c.deflate, c.binary)
		} else {
			fb.b = appendFramesAs(fb.b, pkts, c.deflate, c.binary)
		}
		err := c.writeBatch(fb)
		putBatch(fb)
		written = pkts
		if err != nil {
			s.mu.Lock()
			s.writing = false
			s.mu.Unlock()
			c.close(closeNormal)
			s.closeWith(ReasonTransportError, err, closeReplyClose)
			return
		}
	}
}

// writeFrames writes encoded frames.
func (c *wsConn) writeFrames(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.extendDeadlineLocked()
	_, err := c.conn.Write(b)
	return err
}

// writeBatch writes a batch with one gather write (see frameBatch).
func (c *wsConn) writeBatch(fb *frameBatch) error {
	if len(fb.refs) == 0 {
		return c.writeFrames(fb.b)
	}
	bufs := fb.buffers()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.extendDeadlineLocked()
	_, err := bufs.WriteTo(c.conn)
	return err
}

// extendDeadlineLocked moves the write deadline WriteTimeout ahead. That
// costs a runtime timer update; do it only when less than half of
// WriteTimeout is left, so a write is always allowed between
// WriteTimeout/2 and WriteTimeout. The caller holds wmu.
func (c *wsConn) extendDeadlineLocked() {
	now := timeNow()
	if d := c.s.cfg.WriteTimeout; c.deadline-now.UnixNano() < int64(d/2) {
		dl := now.Add(d)
		c.deadline = dl.UnixNano()
		c.conn.SetWriteDeadline(dl)
	}
}

// close sends a close frame with code (best effort, bounded by a short
// deadline) and closes the connection. Safe to call more than once.
func (c *wsConn) close(code int) {
	c.closeOnce.Do(func() {
		if c.idle != nil {
			c.idle.unwatch(c) // a reader sees the close
		}
		body := []byte{byte(code >> 8), byte(code)}
		if c.wmu.TryLock() {
			c.conn.SetWriteDeadline(timeNow().Add(time.Second))
			c.conn.Write(appendHeader(nil, ws.OpClose, len(body), body))
			c.wmu.Unlock()
		}
		c.conn.Close()
	})
}

// appendFrames appends each packet as one unmasked WebSocket frame: text
// packets as "<type><data>" text frames, binary messages as binary frames.
// With deflate > 0, messages of at least deflate bytes are compressed.
func appendFrames(dst []byte, pkts []packet.Packet, deflate int) []byte {
	for _, p := range pkts {
		if deflate > 0 && len(p.Data)+1 >= deflate {
			dst = appendDeflatedFrame(dst, p, binaryRaw)
			continue
		}
		if p.Binary {
			dst = appendHeader(dst, ws.OpBinary, len(p.Data), p.Data)
			continue
		}
		dst = appendHeader(dst, ws.OpText, 1+len(p.Data), nil)
		dst = append(dst, '0'+byte(p.Type))
		dst = append(dst, p.Data...)
	}
	return dst
}

// appendFramesAs is appendFrames with binary messages framed as binary
// says (protocol v3 or v4; v4 is appendFrames itself).
func appendFramesAs(dst []byte, pkts []packet.Packet, deflate int, binary binaryForm) []byte {
	if binary == binaryRaw {
		return appendFrames(dst, pkts, deflate)
	}
	for _, p := range pkts {
		switch {
		case deflate > 0 && len(p.Data)+1 >= deflate:
			dst = appendDeflatedFrame(dst, p, binary)
		case !p.Binary:
			dst = appendHeader(dst, ws.OpText, 1+len(p.Data), nil)
			dst = append(dst, '0'+byte(p.Type))
			dst = append(dst, p.Data...)
		case binary == binaryTyped:
			dst = appendHeader(dst, ws.OpBinary, 1+len(p.Data), nil)
			dst = append(dst, byte(packet.Message))
			dst = append(dst, p.Data...)
		default:
			dst = appendBase64Frame(dst, p)
		}
	}
	return dst
}

// appendBase64Frame appends a binary message as the v3 text frame of a
// client without binary: "b4" + base64.
func appendBase64Frame(dst []byte, p packet.Packet) []byte {
	dst = appendHeader(dst, ws.OpText, 2+base64.StdEncoding.EncodedLen(len(p.Data)), nil)
	return p.AppendTextV3(dst)
}

// appendDeflatedFrame appends p as a compressed frame (RSV1 set).
func appendDeflatedFrame(dst []byte, p packet.Packet, binary binaryForm) []byte {
	op, payload := ws.OpBinary, p.Data
	switch {
	case !p.Binary:
		op = ws.OpText
		payload = make([]byte, 0, 1+len(p.Data))
		payload = append(payload, '0'+byte(p.Type))
		payload = append(payload, p.Data...)
	case binary == binaryTyped:
		payload = make([]byte, 0, 1+len(p.Data))
		payload = append(payload, byte(packet.Message))
		payload = append(payload, p.Data...)
	case binary == binaryBase64:
		op, payload = ws.OpText, p.AppendTextV3(nil)
	}
	z := appendDeflated(nil, payload)
	i := len(dst)
	dst = appendHeader(dst, op, len(z), z)
	dst[i] |= 0x40 // RSV1: compressed
	return dst
}

// appendHeader appends a final, unmasked frame header for a payload of n
// bytes, then payload.
func appendHeader(dst []byte, op ws.OpCode, n int, payload []byte) []byte {
	dst = append(dst, 0x80|byte(op))
	switch {
	case n < 126:
		dst = append(dst, byte(n))
	case n <= 0xffff:
		dst = append(dst, 126, byte(n>>8), byte(n))
	default:
		dst = append(dst, 127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(dst, payload...)
}
