package client

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gosio/socketio/engineio/session"
)

// Handler receives a connection's messages and its close; see
// session.Handler for the contract.
type Handler = session.Handler

// Transport names.
const (
	Polling   = session.Polling
	WebSocket = session.WebSocket
)

// Close reasons given to Handler.OnClose, the reference client's strings.
const (
	ReasonTransportClose = session.ReasonTransportClose // the server closed
	ReasonTransportError = session.ReasonTransportError // the connection failed
	ReasonForcedClose    = session.ReasonForcedClose    // Conn.Close was called
	ReasonPingTimeout    = session.ReasonPingTimeout    // no ping from the server in time
	ReasonParseError     = session.ReasonParseError     // the server sent garbage
)

// Options configures Dial. The zero value (or nil) gives engine.io-client's
// defaults.
type Options struct {
	// Path is the server path, default "/engine.io/".
	Path string
	// Query parameters added to every request.
	Query url.Values
	// Header holds extra request headers (polling and WebSocket).
	Header http.Header
	// Transports to use, in order; default {"polling", "websocket"}. With
	// "websocket" first the connection opens on WebSocket directly.
	Transports []string
	// DisableUpgrade stays on polling (Node: upgrade: false).
	DisableUpgrade bool
	// TLSConfig for https/wss URLs. Certificates are always verified
	// unless it sets InsecureSkipVerify.
	TLSConfig *tls.Config
	// HTTPClient for polling requests; default: a client using TLSConfig.
	HTTPClient *http.Client
	// ForceBase64 asks for binary as base64 text (b64=1).
	ForceBase64 bool
	// MaxMessageSize bounds one received message, default 100 MB.
	MaxMessageSize int64
	// MaxBufferedBytes bounds the data queued and not yet written
	// (default 16 MiB); past it the connection closes.
	MaxBufferedBytes int
	// OnPing, if set, is called after each ping from the server (the
	// socket.io Manager's "ping" event), on the reader goroutine.
	OnPing func()
	// Events, if set, receives the connection's other events (Node:
	// socket.on("upgrade"), ...); see Events.
	Events Events
	// Logger receives debug logs; nil means quiet.
	Logger *slog.Logger
}

type config struct {
	Options
	base       *url.URL // scheme http(s), host, path
	httpClient *http.Client
}

func newConfig(rawURL string, o *Options) (*config, error) {
	c := &config{}
	if o != nil {
		c.Options = *o
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "http"
	case "https", "wss":
		u.Scheme = "https"
	default:
		return nil, errors.New("engineio client: unsupported URL scheme " + u.Scheme)
	}
	path := c.Path
	if path == "" {
		path = "/engine.io/"
	}
	u.Path = strings.TrimSuffix(path, "/") + "/"
	q := u.Query()
	for k, vs := range c.Query {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	u.RawQuery = q.Encode()
	c.base = u
	if len(c.Transports) == 0 {
		c.Transports = []string{Polling, WebSocket}
	}
	c.httpClient = c.HTTPClient
	if c.httpClient == nil {
		c.httpClient = &http.Client{Transport: &http.Transport{
			TLSClientConfig:     c.TLSConfig,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	if c.MaxMessageSize <= 0 {
		c.MaxMessageSize = 100e6
	}
	if c.MaxBufferedBytes <= 0 {
		c.MaxBufferedBytes = 16 << 20
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func (c *config) has(transport string) bool {
	for _, t := range c.Transports {
		if t == transport {
			return true
		}
	}
	return false
}

// requestURL returns the URL of a request on transport, with sid if set.
func (c *config) requestURL(transport, sid string) string {
	u := *c.base
	q := u.Query()
	q.Set("EIO", "4")
	q.Set("transport", transport)
	if sid != "" {
		q.Set("sid", sid)
	}
	if transport == Polling {
		q.Set("t", timestamp())
		if c.ForceBase64 {
			q.Set("b64", "1")
		}
	}
	u.RawQuery = q.Encode()
	if transport == WebSocket {
		if u.Scheme == "https" {
			u.Scheme = "wss"
		} else {
			u.Scheme = "ws"
		}
	}
	return u.String()
}

// timestamp is the cache-buster the reference adds to polling requests.
func timestamp() string {
	return strings.ToUpper(strconvBase36(time.Now().UnixNano()))
}

func strconvBase36(n int64) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	if n == 0 {
		return "0"
	}
	var b [16]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = digits[n%36]
		n /= 36
	}
	return string(b[i:])
}

// handshake is the open packet's payload.
type handshake struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int64    `json:"pingInterval"`
	PingTimeout  int64    `json:"pingTimeout"`
	MaxPayload   int64    `json:"maxPayload"`
}

// Dial opens a connection to rawURL (http, https, ws or wss; the path is
// replaced by Options.Path) and returns it open. h receives its messages;
// it may be called before Dial returns. ctx bounds the handshake only.
func Dial(ctx context.Context, rawURL string, opts *Options, h Handler) (*Conn, error) {
	cfg, err := newConfig(rawURL, opts)
	if err != nil {
		return nil, err
	}
	switch {
	case cfg.Transports[0] == Polling && cfg.has(Polling):
		return dialPolling(ctx, cfg, h)
	case cfg.Transports[0] == WebSocket && cfg.has(WebSocket):
		return dialWebSocket(ctx, cfg, h)
	}
	return nil, ErrNoTransports
}
