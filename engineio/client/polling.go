package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gosio/socketio/engineio/packet"
)

// pollingTransport sends with POST and receives with a GET loop.
type pollingTransport struct{ c *Conn }

func (t *pollingTransport) name() string { return Polling }

func (t *pollingTransport) write(pkts []packet.Packet) error {
	c := t.c
	body := packet.AppendPayload(make([]byte, 0, packet.PayloadLen(pkts)), pkts)
	req, err := http.NewRequestWithContext(c.ctx, http.MethodPost, c.cfg.requestURL(Polling, c.id), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = c.cfg.headers()
	req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	res, err := c.cfg.httpClient.Do(req)
	if err != nil {
		return transportError(MsgPostError, 0, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return transportError(MsgPostError, res.StatusCode, refusal(res.StatusCode, res.Body))
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 512))
	return nil
}

func (t *pollingTransport) close() {}

func (c *config) headers() http.Header {
	h := make(http.Header, len(c.Header)+1)
	for k, v := range c.Header {
		h[k] = v
	}
	return h
}

// get performs one polling GET and returns its body.
func (c *config) get(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header = c.headers()
	res, err := c.httpClient.Do(req)
	if err != nil {
		return nil, transportError(MsgPollError, 0, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, transportError(MsgPollError, res.StatusCode, refusal(res.StatusCode, res.Body))
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, c.MaxMessageSize+1))
	if err != nil {
		return nil, transportError(MsgPollError, 0, err)
	}
	if int64(len(body)) > c.MaxMessageSize {
		return nil, transportError(MsgPollError, 0, ErrPayloadTooLarge)
	}
	return body, nil
}

// ErrPayloadTooLarge: the server sent more than Options.MaxMessageSize at
// once.
var ErrPayloadTooLarge = errors.New("engineio client: payload too large")

// refusal reads an HTTP error response's Engine.IO error body, e.g.
// {"code":1,"message":"Session ID unknown"} (up to 4 KB of it).
func refusal(status int, body io.Reader) *HandshakeError {
	he := &HandshakeError{Status: status}
	b, _ := io.ReadAll(io.LimitReader(body, 4<<10))
	var e struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(b, &e) == nil {
		he.Code, he.Message = e.Code, e.Message
	}
	return he
}

// dialPolling performs the polling handshake.
func dialPolling(ctx context.Context, cfg *config, h Handler) (*Conn, error) {
	body, err := cfg.get(ctx, cfg.requestURL(Polling, ""))
	if err != nil {
		return nil, err
	}
	var pkts []packet.Packet
	if err := packet.DecodePayload(body, func(p packet.Packet) error { pkts = append(pkts, p); return nil }); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrHandshake, err)
	}
	hs, err := parseOpen(pkts[0])
	if err != nil {
		return nil, err
	}
	c := newConn(cfg, hs, h)
	c.tr = &pollingTransport{c: c}
	cfg.Events.packet(pkts[0])
	for _, p := range pkts[1:] {
		c.onPacket(p)
	}
	go c.pollLoop()
	if !cfg.DisableUpgrade && cfg.has(WebSocket) && contains(hs.Upgrades, WebSocket) {
		go c.upgrade()
	}
	return c, nil
}

func parseOpen(p packet.Packet) (*handshake, error) {
	if p.Type != packet.Open {
		return nil, fmt.Errorf("%w: first packet is %s, not open", ErrHandshake, p.Type)
	}
	var hs handshake
	if err := json.Unmarshal(p.Data, &hs); err != nil || hs.SID == "" || hs.PingInterval <= 0 || hs.PingTimeout <= 0 {
		return nil, fmt.Errorf("%w: invalid open packet %q", ErrHandshake, p.Data)
	}
	return &hs, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pollLoop issues GETs one after another until the connection closes, is
// upgraded, or pauses for an upgrade.
func (c *Conn) pollLoop() {
	for {
		c.mu.Lock()
		if c.closed || c.paused || c.tr.name() != Polling {
			c.mu.Unlock()
			return
		}
		c.polling++
		c.mu.Unlock()
		body, err := c.cfg.get(c.ctx, c.cfg.requestURL(Polling, c.id))
		c.mu.Lock()
		c.polling--
		c.cond.Broadcast()
		c.mu.Unlock()
		if err != nil {
			if c.ctx.Err() == nil {
				c.closeWith(ReasonTransportError, err)
			}
			return
		}
		err = packet.DecodePayload(body, func(p packet.Packet) error {
			c.onPacket(p)
			return nil
		})
		if err != nil {
			c.closeWith(ReasonParseError, err)
			return
		}
	}
}
