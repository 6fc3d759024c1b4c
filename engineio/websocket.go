package engineio

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gobwas/ws"

	"github.com/gosio/socketio/engineio/packet"
)

// WebSocket close codes used by the server.
const (
	closeNormal        = 1000
	closeProtocolError = 1002
	closeInvalidData   = 1007
	closePolicy        = 1008
	closeTooBig        = 1009
	closeInternal      = 1011
)

// maxFragments caps the frames of one message, so that memory and CPU
// follow bytes and not fragment count (ws GHSA-96hv-2xvq-fx4p).
const maxFragments = 1024

// readBufferSize is the read buffer of a WebSocket connection: small, so an
// idle connection holds little; larger payloads are read straight into the
// message buffer.
const readBufferSize = 512

// wsConn is one WebSocket connection serving a session, either as its
// active transport or while it probes an upgrade.
type wsConn struct {
	s    *Socket
	conn net.Conn
	br   *bufio.Reader

	wmu      sync.Mutex // serializes writes to conn
	deadline time.Time  // current write deadline, under wmu
	probed   bool       // "2probe" answered (upgrade in progress)
	deflate  int        // permessage-deflate threshold in bytes; 0: off

	closeOnce sync.Once
}

var errWSClosedByPeer = errors.New("engineio: websocket closed by the client")

// acceptWebSocket validates the upgrade request, hijacks the connection and
// writes the 101 response with hdr, followed by first (frames to send at
// once, may be nil). On failure it answers with an HTTP error and returns
// nil.
func (srv *Server) acceptWebSocket(w http.ResponseWriter, r *http.Request, hdr http.Header, first []byte) (net.Conn, *bufio.Reader, int) {
	if !headerHasToken(r.Header, "Connection", "upgrade") {
		srv.refuse(w, r, true, CodeBadRequest, map[string]string{"name": ContextTransportHandshakeError, "message": "Missing or invalid Connection header"})
		return nil, nil, 0
	}
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		w.Header().Set("Sec-WebSocket-Version", "13")
		http.Error(w, "Unsupported WebSocket version", http.StatusUpgradeRequired)
		return nil, nil, 0
	}
	key := r.Header.Get("Sec-WebSocket-Key")
	if raw, err := base64.StdEncoding.DecodeString(key); err != nil || len(raw) != 16 {
		srv.refuse(w, r, true, CodeBadRequest, map[string]string{"name": ContextTransportHandshakeError, "message": "Missing or invalid Sec-WebSocket-Key header"})
		return nil, nil, 0
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, errNotHijacker.Error(), http.StatusNotImplemented)
		return nil, nil, 0
	}
	deflate := 0
	if srv.cfg.PerMessageDeflate != nil && negotiateDeflate(r.Header) {
		deflate = srv.cfg.deflateMin
		hdr.Set("Sec-WebSocket-Extensions", deflateResponse)
	}
	var rd io.Reader = conn
	if n := brw.Reader.Buffered(); n > 0 {
		// The client sent frames right behind its request.
		early, _ := brw.Reader.Peek(n)
		rd = io.MultiReader(bytes.NewReader(bytes.Clone(early)), conn)
	}
	buf := getBuffer(256 + len(first))
	b := append(buf.b[:0], "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	b = append(b, acceptKey(key)...)
	b = append(b, "\r\n"...)
	hw := &sliceWriter{b: b}
	hdr.Write(hw) // sanitizes CR/LF in values
	b = append(hw.b, "\r\n"...)
	b = append(b, first...)
	conn.SetWriteDeadline(timeNow().Add(srv.cfg.WriteTimeout))
	_, err = conn.Write(b)
	buf.b = b
	putBuffer(buf)
	if err != nil {
		conn.Close()
		return nil, nil, 0
	}
	return conn, bufio.NewReaderSize(rd, readBufferSize), deflate
}

var websocketGUID = []byte("258EAFA5-E914-47DA-95CA-C5AB0DC85B11")

func acceptKey(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write(websocketGUID)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// openWebSocketSession handles a handshake with transport=websocket: the
// open packet is the first frame and the session has no upgrades.
func (srv *Server) openWebSocketSession(w http.ResponseWriter, r *http.Request, id string) {
	s := newSocket(srv, id, r, WebSocket)
	hdr := make(http.Header)
	srv.applyHeaders(hdr, r, true)
	s.mu.Lock()
	first := appendFrames(nil, s.takeQueueLocked(), 0)
	s.mu.Unlock()
	conn, br, deflate := srv.acceptWebSocket(w, r, hdr, first)
	if conn == nil {
		s.closeWith(ReasonTransportError, nil, closeReplyClose)
		return
	}
	c := &wsConn{s: s, conn: conn, br: br, deflate: deflate}
	s.mu.Lock()
	s.ws = c
	s.mu.Unlock()
	if !srv.register(s) {
		s.closeWith(ReasonForcedClose, ErrServerClosed, closeReplyClose)
		return
	}
	s.mu.Lock()
	s.flushLocked() // anything OnConnection sent
	s.mu.Unlock()
	go c.readLoop()
}

// upgradeSession handles a WebSocket that wants to replace the polling
// transport of s. A second upgrade, or one for a session that is not open
// on polling, gets its WebSocket closed at once.
func (srv *Server) upgradeSession(w http.ResponseWriter, r *http.Request, s *Socket) {
	hdr := make(http.Header)
	srv.applyHeaders(hdr, r, false)
	conn, br, deflate := srv.acceptWebSocket(w, r, hdr, nil)
	if conn == nil {
		return
	}
	c := &wsConn{s: s, conn: conn, br: br, deflate: deflate}
	s.mu.Lock()
	if s.state != stateOpen || s.transport != Polling || s.upgrading != nil || s.upgraded {
		s.mu.Unlock()
		c.close(closeNormal)
		return
	}
	s.upgrading = c
	s.upgradeTimer = time.AfterFunc(s.cfg.UpgradeTimeout, func() { s.abortUpgrade(c) })
	s.mu.Unlock()
	go c.readLoop()
}

// abortUpgrade gives up the probe of c; the session stays on polling.
func (s *Socket) abortUpgrade(c *wsConn) { s.abortUpgradeWith(c, closeNormal) }

// abortUpgradeWith is abortUpgrade closing the WebSocket with code.
func (s *Socket) abortUpgradeWith(c *wsConn, code int) {
	s.mu.Lock()
	if s.upgrading == c {
		s.upgrading = nil
		s.noopPending = false
		s.settleProbeLocked()
		stopTimer(s.upgradeTimer)
	}
	s.mu.Unlock()
	c.close(code)
}

// onProbePacket handles a packet on a WebSocket that is probing an
// upgrade: "2probe" is answered with "3probe" and held polls are released;
// "5" after the probe completes the switch; anything else aborts.
func (s *Socket) onProbePacket(c *wsConn, p packet.Packet) {
	switch {
	case p.Type == packet.Ping && isProbe(p) && !c.probed:
		c.probed = true
		if err := c.writeFrames(appendFrames(nil, []packet.Packet{{Type: packet.Pong, Data: probe}}, 0)); err != nil {
			s.abortUpgrade(c)
			return
		}
		s.mu.Lock()
		if s.upgrading == c {
			s.noopPending = true
			s.probeSettled = make(chan struct{})
			s.wakePollLocked()
		}
		s.mu.Unlock()
	case p.Type == packet.Upgrade && c.probed:
		s.mu.Lock()
		if s.upgrading != c || s.state == stateClosed {
			s.mu.Unlock()
			c.close(closeNormal)
			return
		}
		stopTimer(s.upgradeTimer)
		s.upgrading = nil
		s.noopPending = false
		s.upgraded = true
		s.settleProbeLocked()
		s.transport = WebSocket
		s.ws = c
		s.wakePollLocked() // a held poll gets a noop
		s.flushLocked()
		s.mu.Unlock()
	default:
		s.abortUpgrade(c)
	}
}

// readLoop reads messages until the connection fails or closes, then ends
// the session (or the upgrade attempt). It is the connection's only reader.
func (c *wsConn) readLoop() {
	s := c.s
	for {
		op, data, code, err := c.readMessage()
		if err != nil {
			s.onWebSocketError(c, code, err)
			return
		}
		var p packet.Packet
		if op == ws.OpBinary {
			p = packet.DecodeBinary(data)
		} else if p, err = packet.DecodeText(data); err != nil {
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
			s.onPacket(p)
		}
	}
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
		if msg == nil {
			msg = make([]byte, h.Length)
		} else {
			msg = append(msg, make([]byte, h.Length)...)
		}
		if _, err := io.ReadFull(c.br, msg[n:]); err != nil {
			return 0, nil, 0, err
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

// writeLoop drains the session queue to the connection, all queued frames
// in one write, until the queue is empty; it is started by flushLocked and
// exits when idle, so an idle connection has no writer goroutine.
func (c *wsConn) writeLoop() {
	s := c.s
	var written []packet.Packet
	for {
		s.mu.Lock()
		s.recycleLocked(written)
		if s.ws != c || s.state == stateClosed {
			s.writing = false
			s.mu.Unlock()
			return
		}
		pkts := s.takeQueueLocked()
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
		buf := getBuffer(0)
		buf.b = appendFrames(buf.b[:0], pkts, c.deflate)
		err := c.writeFrames(buf.b)
		putBuffer(buf)
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

func (c *wsConn) writeFrames(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	// Moving the deadline costs a runtime timer update; do it only when
	// less than half of WriteTimeout is left, so a write is always
	// allowed between WriteTimeout/2 and WriteTimeout.
	now := timeNow()
	if d := c.s.cfg.WriteTimeout; c.deadline.Sub(now) < d/2 {
		c.deadline = now.Add(d)
		c.conn.SetWriteDeadline(c.deadline)
	}
	_, err := c.conn.Write(b)
	return err
}

// close sends a close frame with code (best effort, bounded by a short
// deadline) and closes the connection. Safe to call more than once.
func (c *wsConn) close(code int) {
	c.closeOnce.Do(func() {
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
			dst = appendDeflatedFrame(dst, p)
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

// appendDeflatedFrame appends p as a compressed frame (RSV1 set).
func appendDeflatedFrame(dst []byte, p packet.Packet) []byte {
	op, payload := ws.OpBinary, p.Data
	if !p.Binary {
		op = ws.OpText
		payload = make([]byte, 0, 1+len(p.Data))
		payload = append(payload, '0'+byte(p.Type))
		payload = append(payload, p.Data...)
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

// settleProbeLocked releases polls waiting for a probed upgrade to end.
func (s *Socket) settleProbeLocked() {
	if s.probeSettled != nil {
		close(s.probeSettled)
		s.probeSettled = nil
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
