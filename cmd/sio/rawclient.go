package main

// A lean Socket.IO v4 client speaking the wire protocol directly (Engine.IO
// v4 over WebSocket or HTTP long-polling, Socket.IO v5 packets in text,
// main namespace only). It does just what the scenarios need, with one
// goroutine per WebSocket connection and few allocations, so that one
// load-tool core can drive a server on another core and hold 15,000
// connections.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gobwas/ws"
)

var (
	errAckTimeout = errors.New("ack timeout")
	errClosed     = errors.New("connection closed")
	errBadAck     = errors.New("ack payload differs from the request")
)

// maxFrame bounds one incoming message.
const maxFrame = 16 << 20

// rawWS is one Socket.IO connection over a raw WebSocket.
type rawWS struct {
	conn      net.Conn
	r         *bufio.Reader
	opTimeout time.Duration
	onMsg     func(seq int)

	wmu  sync.Mutex
	wbuf []byte

	ackCh  chan []byte // pending echo's ACK packet ("43<id>[...]")
	nextID uint64
	timer  *time.Timer

	pingCount atomic.Int32
	closing   atomic.Bool
	lost      atomic.Bool
	done      chan struct{}
}

// dialRawWS opens a WebSocket to base (http://host:port), does the
// Engine.IO and Socket.IO handshakes, and starts the reader. onMsg (may be
// nil) gets the sequence number of each "msg" event.
func dialRawWS(ctx context.Context, base, path string, opTimeout time.Duration, onMsg func(int)) (*rawWS, error) {
	u := "ws" + strings.TrimPrefix(base, "http") + path + "?EIO=4&transport=websocket"
	d := ws.Dialer{Timeout: opTimeout, ReadBufferSize: 1024, WriteBufferSize: 1024}
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	conn, br, _, err := d.Dial(ctx, u)
	if err != nil {
		return nil, err
	}
	var src io.Reader = conn
	if br != nil {
		src = br
	}
	c := &rawWS{
		conn:      conn,
		r:         bufio.NewReaderSize(src, 512),
		opTimeout: opTimeout,
		onMsg:     onMsg,
		ackCh:     make(chan []byte, 1),
		done:      make(chan struct{}),
	}
	conn.SetDeadline(time.Now().Add(opTimeout))
	var buf []byte
	// Engine.IO open packet, then CONNECT to "/" and its answer.
	if buf, err = c.readMsg(buf); err != nil {
		conn.Close()
		return nil, fmt.Errorf("reading open packet: %w", err)
	}
	if len(buf) == 0 || buf[0] != '0' {
		conn.Close()
		return nil, fmt.Errorf("unexpected first packet %.40q", buf)
	}
	if err = c.write([]byte("40")); err != nil {
		conn.Close()
		return nil, err
	}
	for {
		if buf, err = c.readMsg(buf); err != nil {
			conn.Close()
			return nil, fmt.Errorf("reading CONNECT answer: %w", err)
		}
		if bytes.Equal(buf, []byte("2")) { // a ping before the answer
			c.write([]byte("3"))
			continue
		}
		break
	}
	if !bytes.HasPrefix(buf, []byte("40")) {
		conn.Close()
		return nil, fmt.Errorf("connect refused: %.80q", buf)
	}
	conn.SetDeadline(time.Time{})
	c.timer = time.NewTimer(time.Hour)
	c.timer.Stop()
	go c.readLoop(buf)
	return c, nil
}

// readMsg reads one complete data message into buf[:0], answering
// WebSocket pings; a close frame gives errClosed.
func (c *rawWS) readMsg(buf []byte) ([]byte, error) {
	buf = buf[:0]
	for {
		h, err := ws.ReadHeader(c.r)
		if err != nil {
			return buf, err
		}
		if h.Length > maxFrame || int64(len(buf))+h.Length > maxFrame {
			return buf, errors.New("message too large")
		}
		n := len(buf)
		buf = slices.Grow(buf, int(h.Length))[:n+int(h.Length)]
		if _, err := io.ReadFull(c.r, buf[n:]); err != nil {
			return buf, err
		}
		if h.Masked {
			ws.Cipher(buf[n:], h.Mask, 0)
		}
		switch h.OpCode {
		case ws.OpClose:
			return buf, errClosed
		case ws.OpPing:
			c.writeFrame(ws.OpPong, buf[n:])
			buf = buf[:n]
			continue
		case ws.OpPong:
			buf = buf[:n]
			continue
		}
		if h.Fin {
			return buf, nil
		}
	}
}

func (c *rawWS) readLoop(buf []byte) {
	defer close(c.done)
	for {
		var err error
		buf, err = c.readMsg(buf)
		if err != nil {
			if !c.closing.Load() {
				c.lost.Store(true)
			}
			return
		}
		switch {
		case len(buf) == 1 && buf[0] == '2': // Engine.IO ping
			c.pingCount.Add(1)
			c.write([]byte("3"))
		case bytes.HasPrefix(buf, []byte("43")):
			select {
			case c.ackCh <- bytes.Clone(buf):
			default: // no echo waiting: a late ack after a timeout
			}
		case bytes.HasPrefix(buf, []byte("42")):
			if c.onMsg != nil {
				if seq, ok := parseMsgSeq(buf[2:]); ok {
					c.onMsg(seq)
				}
			}
		case len(buf) > 0 && buf[0] == '1', bytes.HasPrefix(buf, []byte("41")):
			if !c.closing.Load() {
				c.lost.Store(true)
			}
			c.conn.Close()
			return
		}
	}
}

// write sends one masked text frame.
func (c *rawWS) write(p []byte) error { return c.writeFrame(ws.OpText, p) }

func (c *rawWS) writeFrame(op ws.OpCode, p []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	h := ws.Header{Fin: true, OpCode: op, Masked: true, Mask: ws.NewMask(), Length: int64(len(p))}
	w := bytes.NewBuffer(c.wbuf[:0])
	if err := ws.WriteHeader(w, h); err != nil {
		return err
	}
	n := w.Len()
	w.Write(p)
	b := w.Bytes()
	ws.Cipher(b[n:], h.Mask, 0)
	c.wbuf = b
	c.conn.SetWriteDeadline(time.Now().Add(c.opTimeout))
	_, err := c.conn.Write(b)
	return err
}

// echo sends `42<id>["echo",<arg>]` and waits for `43<id>[<arg>]`; the
// per-connection timer bounds the wait (ctx is checked by the callers).
func (c *rawWS) echo(_ context.Context, p *payload) error {
	c.nextID++
	id := strconv.AppendUint(nil, c.nextID, 10)
	msg := make([]byte, 0, 2+len(id)+len(p.req))
	msg = append(append(append(msg, "42"...), id...), p.req...)
	if err := c.write(msg); err != nil {
		return err
	}
	c.timer.Reset(c.opTimeout)
	defer c.timer.Stop()
	for {
		select {
		case a := <-c.ackCh:
			rest, ok := bytes.CutPrefix(a[2:], id)
			if !ok || len(rest) == 0 || rest[0] != '[' {
				continue // a stale ack of an earlier, timed out echo
			}
			if !bytes.Equal(rest, p.want) {
				return errBadAck
			}
			return nil
		case <-c.done:
			return errClosed
		case <-c.timer.C:
			return errAckTimeout
		}
	}
}

// emit sends an event with one string argument (no ack).
func (c *rawWS) emit(event, arg string) error {
	return c.write([]byte(`42["` + event + `","` + arg + `"]`))
}

func (c *rawWS) close() {
	c.closing.Store(true)
	c.conn.Close()
	<-c.done
}

func (c *rawWS) dropped() bool { return c.lost.Load() }
func (c *rawWS) pings() int    { return int(c.pingCount.Load()) }

// rawPolling is one Socket.IO connection over HTTP long-polling. Each
// round trip is a POST of the event and a GET that returns the ack.
type rawPolling struct {
	hc     *http.Client
	url    string // with sid
	nextID uint64
	npings int
}

func dialRawPolling(ctx context.Context, hc *http.Client, base, path string) (*rawPolling, error) {
	u := base + path + "?EIO=4&transport=polling"
	body, err := pollGet(ctx, hc, u)
	if err != nil {
		return nil, err
	}
	if len(body) == 0 || body[0] != '0' {
		return nil, fmt.Errorf("unexpected open packet %.40q", body)
	}
	var open struct {
		SID string `json:"sid"`
	}
	if err := json.Unmarshal(body[1:], &open); err != nil || open.SID == "" {
		return nil, fmt.Errorf("bad open packet %.80q", body)
	}
	c := &rawPolling{hc: hc, url: u + "&sid=" + open.SID}
	if err := c.post(ctx, []byte("40")); err != nil {
		return nil, err
	}
	if _, err := c.await(ctx, func(p []byte) bool { return bytes.HasPrefix(p, []byte("40")) }); err != nil {
		return nil, err
	}
	return c, nil
}

func pollGet(ctx context.Context, hc *http.Client, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxFrame))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET: %s: %.80q", resp.Status, body)
	}
	return body, nil
}

func (c *rawPolling) post(ctx context.Context, p []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(p))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST: %s", resp.Status)
	}
	return nil
}

// await polls until a packet matching want arrives, answering pings.
func (c *rawPolling) await(ctx context.Context, want func([]byte) bool) ([]byte, error) {
	for i := 0; i < 100; i++ {
		body, err := pollGet(ctx, c.hc, c.url)
		if err != nil {
			return nil, err
		}
		var found []byte
		for p := range bytes.SplitSeq(body, []byte{0x1e}) {
			switch {
			case len(p) == 1 && p[0] == '2':
				c.npings++
				if err := c.post(ctx, []byte("3")); err != nil {
					return nil, err
				}
			case len(p) > 0 && p[0] == '1', bytes.HasPrefix(p, []byte("41")):
				return nil, errClosed
			case found == nil && want(p):
				found = p
			}
		}
		if found != nil {
			return found, nil
		}
	}
	return nil, errors.New("too many polls without the expected packet")
}

func (c *rawPolling) echo(ctx context.Context, p *payload) error {
	c.nextID++
	id := strconv.AppendUint(nil, c.nextID, 10)
	prefix := append([]byte("43"), id...)
	msg := append(append([]byte("42"), id...), p.req...)
	if err := c.post(ctx, msg); err != nil {
		return err
	}
	a, err := c.await(ctx, func(b []byte) bool {
		rest, ok := bytes.CutPrefix(b, prefix)
		return ok && len(rest) > 0 && rest[0] == '['
	})
	if err != nil {
		return err
	}
	if !bytes.Equal(a[len(prefix):], p.want) {
		return errBadAck
	}
	return nil
}

func (c *rawPolling) emit(event, arg string) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.hc.Timeout)
	defer cancel()
	return c.post(ctx, []byte(`42["`+event+`","`+arg+`"]`))
}

func (c *rawPolling) close() {
	ctx, cancel := context.WithTimeout(context.Background(), c.hc.Timeout)
	defer cancel()
	c.post(ctx, []byte("1"))
}

func (c *rawPolling) dropped() bool { return false }
func (c *rawPolling) pings() int    { return c.npings }

// parseMsgSeq extracts n from an event payload `["msg","<n>:...`.
func parseMsgSeq(b []byte) (int, bool) {
	rest, ok := bytes.CutPrefix(b, []byte(`["msg","`))
	if !ok {
		return 0, false
	}
	return parseSeq(rest)
}

// parseSeq parses the decimal number before the first ':' of b.
func parseSeq(b []byte) (int, bool) {
	n := 0
	for i, ch := range b {
		if ch == ':' {
			return n, i > 0
		}
		if ch < '0' || ch > '9' || i > 9 {
			return 0, false
		}
		n = n*10 + int(ch-'0')
	}
	return 0, false
}
