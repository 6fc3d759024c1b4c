package client

import (
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gosio/socketio/parser"
)

// Options configures a Manager and its sockets. The zero value (or nil)
// gives socket.io-client 4.8's defaults; every field names its default.
type Options struct {
	// Path of the server, default "/socket.io/".
	Path string
	// Query parameters sent with every request (Node: query).
	Query url.Values
	// Header holds extra HTTP headers (Node: extraHeaders).
	Header http.Header
	// Transports in order, default {"polling", "websocket"}.
	Transports []string
	// DisableUpgrade stays on the first transport (Node: upgrade: false).
	DisableUpgrade bool
	// RememberUpgrade reconnects straight over WebSocket once an upgrade
	// succeeded.
	RememberUpgrade bool
	// TLSConfig for https/wss; certificates are verified unless it sets
	// InsecureSkipVerify.
	TLSConfig *tls.Config
	// HTTPClient for polling (default: one built from TLSConfig).
	HTTPClient *http.Client

	// NoReconnection disables automatic reconnection (Node:
	// reconnection: false).
	NoReconnection bool
	// ReconnectionAttempts before giving up; 0 means no limit (Node:
	// Infinity).
	ReconnectionAttempts int
	// ReconnectionDelay is the first delay (default 1s).
	ReconnectionDelay time.Duration
	// ReconnectionDelayMax caps the delay (default 5s).
	ReconnectionDelayMax time.Duration
	// RandomizationFactor is the jitter, default 0.5; a negative value
	// means none.
	RandomizationFactor float64
	// Timeout bounds each connection attempt (default 20s); it fails with
	// the error "timeout".
	Timeout time.Duration

	// Auth is sent with every CONNECT (Node: auth as an object).
	Auth map[string]any
	// AuthFunc, if set, is called before every CONNECT and its result is
	// sent instead of Auth (Node: auth as a function).
	AuthFunc func() map[string]any
	// AckTimeout is the default timeout of EmitWithAck (Node: ackTimeout);
	// 0 means only the context bounds it.
	AckTimeout time.Duration
	// MaxBufferedBytes bounds the data queued on the connection and not
	// yet written (default 16 MiB): past it, as when the server stops
	// reading, the connection closes with ReasonTransportError and the
	// cause engineio/client.ErrWriteBufferFull, and reconnection follows.
	MaxBufferedBytes int
	// MaxBufferedPackets bounds the packets emitted while disconnected and
	// kept for the next connection (default 1000); past it Emit returns
	// ErrBufferFull. The reference does not bound this buffer.
	MaxBufferedPackets int

	// Parser is the wire format of the Socket.IO packets (default
	// parser.JSON{}, socket.io-parser's); the server must use the same,
	// e.g. msgpack.Parser{} of package parser/msgpack for a server with
	// socket.io-msgpack-parser (Node: the parser option).
	Parser parser.Parser

	// Logger receives debug logs; nil means quiet.
	Logger *slog.Logger
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Path == "" {
		c.Path = "/socket.io/"
	}
	if c.ReconnectionDelay <= 0 {
		c.ReconnectionDelay = time.Second
	}
	if c.ReconnectionDelayMax <= 0 {
		c.ReconnectionDelayMax = 5 * time.Second
	}
	if c.RandomizationFactor == 0 {
		c.RandomizationFactor = 0.5
	} else if c.RandomizationFactor < 0 {
		c.RandomizationFactor = 0
	}
	if c.Timeout <= 0 {
		c.Timeout = 20 * time.Second
	}
	if c.MaxBufferedPackets <= 0 {
		c.MaxBufferedPackets = 1000
	}
	if c.Parser == nil {
		c.Parser = parser.JSON{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}
