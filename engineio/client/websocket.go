package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gobwas/ws"

	"github.com/gosio/socketio/engineio/packet"
)

// wsTransport is a WebSocket connection carrying one packet per frame.
type wsTransport struct {
	c    *Conn
	conn net.Conn
	r    io.Reader
	wmu  sync.Mutex
	once sync.Once
}

func (t *wsTransport) name() string { return WebSocket }

func (t *wsTransport) write(pkts []packet.Packet) error {
	buf := make([]byte, 0, 64)
	for _, p := range pkts {
		if p.Binary {
			buf = appendClientFrame(buf, ws.OpBinary, nil, p.Data)
		} else {
			buf = appendClientFrame(buf, ws.OpText, []byte{'0' + byte(p.Type)}, p.Data)
		}
	}
	return t.writeRaw(buf)
}

func (t *wsTransport) writeRaw(b []byte) error {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	t.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := t.conn.Write(b)
	if err != nil {
		return transportError(MsgWebSocketError, 0, err)
	}
	return nil
}

// appendClientFrame appends a final, masked frame whose payload is prefix
// followed by data.
func appendClientFrame(dst []byte, op ws.OpCode, prefix, data []byte) []byte {
	n := len(prefix) + len(data)
	dst = append(dst, 0x80|byte(op))
	switch {
	case n < 126:
		dst = append(dst, 0x80|byte(n))
	case n <= 0xffff:
		dst = append(dst, 0x80|126, byte(n>>8), byte(n))
	default:
		dst = append(dst, 0x80|127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	mask := ws.NewMask()
	dst = append(dst, mask[:]...)
	start := len(dst)
	dst = append(dst, prefix...)
	dst = append(dst, data...)
	ws.Cipher(dst[start:], mask, 0)
	return dst
}

func (t *wsTransport) close() {
	t.once.Do(func() {
		body := []byte{0x03, 0xe8} // 1000
		t.writeRaw(appendClientFrame(nil, ws.OpClose, nil, body))
		t.conn.Close()
	})
}

// dialWS opens a WebSocket to the server, for a new session (sid empty)
// or to upgrade one.
func dialWS(ctx context.Context, cfg *config, sid string) (*wsTransport, error) {
	var refused *HandshakeError
	d := ws.Dialer{
		Header:    ws.HandshakeHeaderHTTP(cfg.headers()),
		TLSConfig: cfg.TLSConfig,
		OnStatusError: func(status int, _ []byte, resp io.Reader) {
			// The Engine.IO error body, when its length is known: a body
			// that lasts until the server closes is not waited for.
			refused = &HandshakeError{Status: status}
			if res, err := http.ReadResponse(bufio.NewReader(resp), nil); err == nil && res.ContentLength > 0 {
				refused = refusal(status, res.Body)
			}
		},
	}
	conn, br, _, err := d.Dial(ctx, cfg.requestURL(WebSocket, sid))
	if err != nil {
		var se ws.StatusError
		if errors.As(err, &se) {
			if refused == nil {
				refused = &HandshakeError{Status: int(se)}
			}
			return nil, transportError(MsgWebSocketError, int(se), refused)
		}
		return nil, transportError(MsgWebSocketError, 0, err)
	}
	t := &wsTransport{conn: conn, r: conn}
	if br != nil {
		t.r = io.MultiReader(br, conn)
	}
	t.r = bufio.NewReaderSize(t.r, 4096)
	return t, nil
}

// readPacket reads one message (answering WebSocket pings) and decodes it.
func (t *wsTransport) readPacket(max int64) (packet.Packet, error) {
	var msg []byte
	op := ws.OpCode(0)
	state := ws.StateClientSide
	for {
		h, err := ws.ReadHeader(t.r)
		if err != nil {
			return packet.Packet{}, err
		}
		if err := ws.CheckHeader(h, state); err != nil {
			return packet.Packet{}, err
		}
		if h.Length > max-int64(len(msg)) {
			return packet.Packet{}, ErrPayloadTooLarge
		}
		payload := make([]byte, h.Length)
		if _, err := io.ReadFull(t.r, payload); err != nil {
			return packet.Packet{}, err
		}
		if h.OpCode.IsControl() {
			switch h.OpCode {
			case ws.OpPing:
				t.writeRaw(appendClientFrame(nil, ws.OpPong, nil, payload))
			case ws.OpClose:
				return packet.Packet{}, io.EOF
			}
			continue
		}
		if h.OpCode != ws.OpContinuation {
			op = h.OpCode
		}
		msg = append(msg, payload...)
		if !h.Fin {
			state = state.Set(ws.StateFragmented)
			continue
		}
		if op == ws.OpBinary {
			return packet.DecodeBinary(msg), nil
		}
		if !utf8.Valid(msg) {
			return packet.Packet{}, packet.ErrParse
		}
		return packet.DecodeText(msg)
	}
}

// readLoop delivers packets until the WebSocket ends.
func (t *wsTransport) readLoop() {
	c := t.c
	for {
		p, err := t.readPacket(c.cfg.MaxMessageSize)
		if err != nil {
			switch {
			case errors.Is(err, packet.ErrParse):
				c.closeWith(ReasonParseError, err)
			case errors.Is(err, io.EOF):
				c.closeWith(ReasonTransportClose, err)
			default:
				c.closeWith(ReasonTransportError, transportError(MsgWebSocketError, 0, err))
			}
			return
		}
		c.onPacket(p)
	}
}

// dialWebSocket opens a session directly over WebSocket.
func dialWebSocket(ctx context.Context, cfg *config, h Handler) (*Conn, error) {
	t, err := dialWS(ctx, cfg, "")
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		t.conn.SetReadDeadline(dl)
	}
	p, err := t.readPacket(cfg.MaxMessageSize)
	t.conn.SetReadDeadline(time.Time{})
	if err != nil {
		t.conn.Close()
		return nil, fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	hs, err := parseOpen(p)
	if err != nil {
		t.conn.Close()
		return nil, err
	}
	c := newConn(cfg, hs, h)
	t.c = c
	c.tr = t
	c.upgraded = false
	go t.readLoop()
	return c, nil
}

// resumeLocked ends an upgrade's pause: writes go on, on whichever
// transport is now current, and a Close waiting for the upgrade goes on.
func (c *Conn) resumeLocked() {
	c.paused = false
	c.cond.Broadcast()
	c.flushLocked()
}

// upgrade probes a WebSocket and, if the server answers, pauses polling
// and switches to it (engine.io-client's probe). On any failure the
// connection stays on polling.
func (c *Conn) upgrade() {
	ev := &c.cfg.Events
	t, err := dialWS(c.ctx, c.cfg, c.id)
	if err != nil {
		c.cfg.Logger.Debug("engineio client: upgrade failed", "err", err)
		ev.upgradeError(err)
		return
	}
	t.c = c
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		t.close()
		ev.upgradeError(errSocketClosed)
		return
	}
	c.probing = t
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.probing = nil
		c.mu.Unlock()
	}()
	probeTimeout := c.pingInterval + c.pingTimeout
	if err := t.write([]packet.Packet{{Type: packet.Ping, Data: []byte("probe")}}); err != nil {
		t.close()
		ev.upgradeError(err)
		return
	}
	t.conn.SetReadDeadline(time.Now().Add(probeTimeout))
	p, err := t.readPacket(c.cfg.MaxMessageSize)
	t.conn.SetReadDeadline(time.Time{})
	if err != nil || p.Type != packet.Pong || string(p.Data) != "probe" {
		t.close()
		if err == nil {
			err = errUnexpectedProbeAnswer
		}
		ev.upgradeError(err)
		return
	}
	ev.upgrading(WebSocket)
	// Pause polling: no new request; wait for those in flight (the server
	// releases a held poll with a noop).
	c.mu.Lock()
	c.paused = true
	expired := false
	timer := time.AfterFunc(probeTimeout, func() {
		c.mu.Lock()
		expired = true
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	for (c.polling > 0 || c.writing) && !c.closed && !expired {
		c.cond.Wait()
	}
	timer.Stop()
	if c.closed || expired {
		closed := c.closed
		c.resumeLocked()
		if !closed {
			go c.pollLoop()
		}
		c.mu.Unlock()
		t.close()
		if closed {
			ev.upgradeError(errSocketClosed)
		} else {
			ev.upgradeError(errPauseTimeout)
		}
		return
	}
	c.mu.Unlock()
	if err := t.write([]packet.Packet{{Type: packet.Upgrade}}); err != nil {
		c.mu.Lock()
		c.resumeLocked()
		go c.pollLoop()
		c.mu.Unlock()
		t.close()
		ev.upgradeError(err)
		return
	}
	c.mu.Lock()
	if c.closed {
		c.resumeLocked()
		c.mu.Unlock()
		t.close()
		ev.upgradeError(errSocketClosed)
		return
	}
	c.tr = t
	c.upgraded = true
	c.resumeLocked()
	c.mu.Unlock()
	ev.upgrade(WebSocket)
	go t.readLoop()
}

// Causes of an upgrade error besides the transport's own.
var (
	errSocketClosed          = errors.New("socket closed")
	errUnexpectedProbeAnswer = errors.New("unexpected answer to the probe")
	errPauseTimeout          = errors.New("polling requests did not end in time")
)
