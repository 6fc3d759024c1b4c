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

	// ForceNew makes a Dialer open a new Manager for this socket instead
	// of sharing the one it holds for the server (Node: forceNew: true, or
	// multiplex: false). NewManager and Connect always make a new one.
	ForceNew bool

	// The settings of the Manager's sockets, for those made without
	// SocketOptions (see Manager.Socket).

	// Auth is sent with every CONNECT (Node: auth as an object).
	Auth map[string]any
	// AuthFunc, if set, is called before every CONNECT and its result is
	// sent instead of Auth (Node: auth as a function).
	AuthFunc func() map[string]any
	// AckTimeout is the default timeout of EmitWithAck (Node: ackTimeout);
	// 0 means only the context bounds it. With Retries, it bounds each try.
	AckTimeout time.Duration
	// Retries turns on at-least-once delivery (Node: retries): see
	// SocketOptions.Retries.
	Retries int
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

// SocketOptions configures one namespace's socket (Node: the options of
// manager.socket(nsp, opts)). Given to Manager.Socket, they replace the
// Manager's Options.Auth, AuthFunc, AckTimeout and Retries for that socket
// entirely: a zero field means none, not the Manager's.
type SocketOptions struct {
	// Auth is sent with every CONNECT of the socket.
	Auth map[string]any
	// AuthFunc, if set, is called with the namespace before every CONNECT
	// of the socket, and its result sent instead of Auth (Node: auth as a
	// function). It runs on the goroutine that sends the CONNECT: the
	// socket's handler goroutine when the Manager (re)connects, the
	// caller's in Socket.Connect.
	AuthFunc func(nsp string) map[string]any
	// AckTimeout is the default timeout of EmitWithAck; with Retries, the
	// timeout of each try. 0: only the context bounds a wait.
	AckTimeout time.Duration
	// Retries turns on at-least-once delivery when above 0, as
	// socket.io-client's retries: every Emit and EmitWithAck that is not
	// volatile joins a queue; the queue sends one packet at a time, in
	// order, each with an acknowledgement id (the server sees an ack
	// requested even for Emit), and sends the next once the server has
	// acknowledged it. A try that fails (no ack within AckTimeout, or the
	// connection lost before the ack) is repeated, up to Retries times
	// more; then the packet is dropped and EmitWithAck returns the last
	// error (ErrTimeout or ErrDisconnected). Packets wait in the queue
	// while the socket is disconnected (up to Options.MaxBufferedPackets)
	// and go on the next connection. A packet whose ack was lost is sent
	// again: the server may see it twice.
	//
	// Unlike the reference, a try without AckTimeout waits for its ack
	// until the connection is lost (socket.io-client then takes the
	// server's first ack argument as an error and resends).
	Retries int
}

// socketConfig returns the socket settings of the Manager's Options.
func (o *Options) socketConfig() SocketOptions {
	so := SocketOptions{Auth: o.Auth, AckTimeout: o.AckTimeout, Retries: o.Retries}
	if f := o.AuthFunc; f != nil {
		so.AuthFunc = func(string) map[string]any { return f() }
	}
	return so
}
