package engineio

import (
	"bufio"
	"errors"
	"io"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gobwas/ws"

	"github.com/gosio/socketio/engineio/packet"
)

// readLoop reads messages until the connection fails or closes, then ends
// the session (or the upgrade attempt); or, when the connection has been
// idle for Options.IdleHandoff, hands it over to the idle poller and
// returns, and the poller runs readLoop again on a new goroutine when the
// client sends. There is never more than one reader at a time.
func (c *wsConn) readLoop() {
	s := c.s
	for {
		if c.br == nil || c.br.Buffered() == 0 {
			handed, err := c.waitMessage()
			if handed {
				return
			}
			if err != nil {
				s.onWebSocketError(c, 0, err)
				return
			}
		}
		op, data, code, err := c.readMessage()
		if err != nil {
			s.onWebSocketError(c, code, err)
			return
		}
		p, err := c.decode(op, data)
		if err != nil {
			s.onWebSocketError(c, closeProtocolError, err)
			return
		}
		s.mu.Lock()
		active, probing, closed := s.ws == c, s.upgrading == c, s.state == stateClosed
		s.mu.Unlock()
		switch {
		case closed || (!active && !probing):
			c.close(closeNormal)
			return
		case probing:
			s.onProbePacket(c, p)
		case p.Type == packet.Close:
			// The reference ignores a client "1" over WebSocket and lets
			// the ping time out; closing at once is clearer and faster.
			s.closeWith(ReasonTransportClose, nil, closeReplyClose)
			return
		default:
			c.heartbeat = p.Type == packet.Pong || p.Type == packet.Ping // v4 pong, v3 client ping
			s.onPacket(p)
		}
	}
}

// waitMessage waits for the first byte of the next message. It parks on
// this shallow frame, before the deeper frame parsing runs, so a waiting
// goroutine uses little stack and the garbage collector shrinks it. When
// the connection may be handed over, the wait is bounded by the idle
// deadline; at the deadline, with no byte in, the read buffer goes back
// to the pool and the connection to the poller (handed: the caller
// returns at once).
func (c *wsConn) waitMessage() (handed bool, err error) {
	if c.br == nil {
		c.br = getReadBuffer((*wsSource)(c))
	}
	if !c.handoff {
		_, err := c.br.Peek(1)
		return false, err
	}
	if c.heartbeat {
		// After a heartbeat the client is not expected to send for a
		// ping interval: hand over now (the poller reports at once if
		// more has come).
		c.heartbeat = false
		if c.handOver() {
			return true, nil
		}
	}
	c.armIdleDeadline()
	c.waiting = true
	_, err = c.br.Peek(1)
	c.waiting = false
	if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
		return false, err
	}
	if c.handOver() {
		return true, nil
	}
	_, err = c.br.Peek(1)
	return false, err
}

// handOver gives the read buffer back to the pool and the connection to
// the idle poller. On false (closing, or the descriptor refused) the
// connection keeps its reader goroutine from now on, as on systems
// without the poller, and has a read buffer again.
func (c *wsConn) handOver() bool {
	if c.idleAt != 0 {
		c.clearIdleDeadline()
	}
	putReadBuffer(c.br)
	c.br = nil
	if c.idle.arm(c) {
		return true
	}
	c.handoff = false
	c.br = getReadBuffer((*wsSource)(c))
	return false
}

// armIdleDeadline sets the idle read deadline, IdleHandoff from now,
// unless the one set is still at least half of it away: a steady stream of
// messages moves the timer once per half period, not once per message.
func (c *wsConn) armIdleDeadline() {
	now := time.Now().UnixNano()
	d := int64(c.s.cfg.IdleHandoff)
	if c.idleAt == 0 || c.idleAt-now < d/2 {
		c.idleAt = now + d
		c.conn.SetReadDeadline(time.Unix(0, c.idleAt))
	}
}

func (c *wsConn) clearIdleDeadline() {
	c.idleAt = 0
	c.conn.SetReadDeadline(time.Time{})
}

// wsSource is what a connection's read buffer reads from: c.src, with the
// idle deadline applying only to the wait for a message's first byte. If
// it passes in the middle of a message, the deadline is cleared and the
// read goes on (the idle deadline is no limit on a slow message).
type wsSource wsConn

func (r *wsSource) Read(p []byte) (int, error) {
	c := (*wsConn)(r)
	for {
		n, err := c.src.Read(p)
		if n == 0 && err != nil && !c.waiting && c.idleAt != 0 && errors.Is(err, os.ErrDeadlineExceeded) {
			c.clearIdleDeadline()
			continue
		}
		return n, err
	}
}

// readBuffers pools the read buffers of connections, which give theirs
// back while handed over.
var readBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, readBufferSize) }}

func getReadBuffer(r io.Reader) *bufio.Reader {
	br := readBuffers.Get().(*bufio.Reader)
	br.Reset(r)
	return br
}

func putReadBuffer(br *bufio.Reader) {
	br.Reset(nil)
	readBuffers.Put(br)
}

// decode decodes one message of the connection's protocol.
func (c *wsConn) decode(op ws.OpCode, data []byte) (packet.Packet, error) {
	switch {
	case c.binary == binaryRaw && op == ws.OpBinary:
		return packet.DecodeBinary(data), nil
	case c.binary == binaryRaw:
		return packet.DecodeText(data)
	case op == ws.OpBinary:
		return packet.DecodeBinaryV3(data)
	}
	return packet.DecodeTextV3(data)
}

// onWebSocketError ends what c was doing: the session if c is its active
// transport, the upgrade if c was probing.
func (s *Socket) onWebSocketError(c *wsConn, code int, err error) {
	s.mu.Lock()
	active, probing := s.ws == c, s.upgrading == c
	s.mu.Unlock()
	if code == 0 {
		code = closeNormal
	}
	switch {
	case active:
		c.close(code)
		reason := ReasonTransportError
		if errors.Is(err, errWSClosedByPeer) || errors.Is(err, io.EOF) {
			reason = ReasonTransportClose
		} else if errors.Is(err, packet.ErrParse) {
			reason = ReasonParseError
		}
		s.closeWith(reason, err, closeReplyClose)
	case probing:
		s.abortUpgradeWith(c, code)
	default:
		c.close(code)
	}
}

// readMessage reads one whole message, answering control frames on the
// way. On a protocol violation it returns the close code to send.
func (c *wsConn) readMessage() (op ws.OpCode, msg []byte, code int, err error) {
	max := c.s.cfg.MaxHTTPBufferSize
	state := ws.StateServerSide
	if c.deflate > 0 {
		state = state.Set(ws.StateExtended)
	}
	var hdrBuf [ws.MaxHeaderSize - 2]byte
	fragments := 0
	compressed := false
	for {
		h, err := ws.ReadHeaderBuffer(c.br, hdrBuf[:])
		if err != nil {
			if errors.Is(err, ws.ErrHeaderLengthMSB) || errors.Is(err, ws.ErrHeaderLengthUnexpected) {
				return 0, nil, closeProtocolError, err
			}
			return 0, nil, 0, err
		}
		if err := ws.CheckHeader(h, state); err != nil {
			return 0, nil, closeProtocolError, err
		}
		if h.Rsv != 0 {
			// Only RSV1 on the first frame of a data message, and only
			// with permessage-deflate negotiated.
			if h.Rsv != 4 || h.OpCode.IsControl() || h.OpCode == ws.OpContinuation {
				return 0, nil, closeProtocolError, errors.New("engineio: unexpected RSV bits")
			}
			compressed = true
		}
		if h.OpCode.IsControl() {
			payload := make([]byte, h.Length)
			if _, err := io.ReadFull(c.br, payload); err != nil {
				return 0, nil, 0, err
			}
			ws.Cipher(payload, h.Mask, 0)
			switch h.OpCode {
			case ws.OpPing:
				if err := c.writeFrames(appendHeader(nil, ws.OpPong, len(payload), payload)); err != nil {
					return 0, nil, 0, err
				}
			case ws.OpClose:
				return 0, nil, closeReplyCode(payload), errWSClosedByPeer
			}
			continue
		}
		if h.Length > max-int64(len(msg)) { // len(msg) <= max: no overflow
			return 0, nil, closeTooBig, ErrPayloadTooLarge
		}
		if fragments++; fragments > maxFragments {
			return 0, nil, closePolicy, errors.New("engineio: too many fragments")
		}
		if h.OpCode != ws.OpContinuation {
			op = h.OpCode
		}
		n := len(msg)
		// The buffer grows with the bytes that arrive, not with the
		// length the header declares (a stalled frame costs what it sent).
		if msg, err = readFullGrowing(c.br, msg, h.Length); err != nil {
			return 0, nil, 0, err
		}
		if msg == nil {
			msg = []byte{} // an empty message is not nil
		}
		ws.Cipher(msg[n:], h.Mask, 0)
		if h.Fin {
			if compressed {
				if msg, err = inflate(msg, max); err != nil {
					if errors.Is(err, ErrPayloadTooLarge) {
						return 0, nil, closeTooBig, err
					}
					return 0, nil, closeInvalidData, err
				}
			}
			if op == ws.OpText && !utf8.Valid(msg) {
				return 0, nil, closeInvalidData, errors.New("engineio: invalid UTF-8 in text message")
			}
			return op, msg, 0, nil
		}
		state = state.Set(ws.StateFragmented)
	}
}

// closeReplyCode validates a received close frame's payload (RFC 6455
// 5.5.1, 7.4) and returns the code to answer: 1000 for a valid close,
// 1002 for a malformed one or a code not allowed on the wire, 1007 for a
// reason that is not UTF-8.
func closeReplyCode(payload []byte) int {
	if len(payload) == 0 {
		return closeNormal
	}
	if len(payload) == 1 {
		return closeProtocolError
	}
	code := int(payload[0])<<8 | int(payload[1])
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1011, code >= 3000 && code <= 4999:
	default:
		return closeProtocolError
	}
	if !utf8.Valid(payload[2:]) {
		return closeInvalidData
	}
	return closeNormal
}
