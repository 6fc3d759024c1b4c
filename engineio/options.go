package engineio

import (
	"github.com/gosio/socketio/engineio/session"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Transport names, as in the "transport" query parameter.
const (
	Polling   = session.Polling
	WebSocket = session.WebSocket
)

// Options configures a Server. The zero value (or nil) gives the reference
// defaults of Node's engine.io 6.6; every field names its default. NewServer
// copies the struct and never modifies the caller's value.
type Options struct {
	// Path is the URL path prefix served, "/engine.io/" by default (the
	// socketio package uses "/socket.io/"). A trailing slash is added.
	Path string

	// PingInterval is how often the server sends a ping (default 25s).
	PingInterval time.Duration
	// PingTimeout is how long the server waits for the pong (default 20s).
	PingTimeout time.Duration
	// UpgradeTimeout bounds a polling-to-WebSocket upgrade (default 10s).
	UpgradeTimeout time.Duration

	// MaxHTTPBufferSize caps one polling POST body and one WebSocket message,
	// in bytes (default 1e6). It is announced as "maxPayload".
	MaxHTTPBufferSize int64

	// Transports lists the enabled transports, default
	// {"polling", "websocket"}.
	Transports []string
	// DisableUpgrades turns off the polling-to-WebSocket upgrade (Node:
	// allowUpgrades: false).
	DisableUpgrades bool

	// AllowRequest, if set, runs on every handshake request (requests
	// without a sid). A non-nil error refuses it with HTTP 403, code 4; the
	// error text becomes the message (Node: allowRequest).
	AllowRequest func(r *http.Request) error

	// Cookie, if set, sends a session cookie on the polling handshake
	// response (Node: cookie). Nil means no cookie.
	Cookie *CookieOptions

	// CORS, if set, answers preflights and adds CORS headers to polling
	// and upgrade responses (Node: cors). Nil means no CORS headers.
	CORS *CORSOptions

	// HTTPCompression configures gzip/deflate of polling responses. Nil
	// means the default: enabled, threshold 1024 bytes.
	HTTPCompression *CompressionOptions

	// PerMessageDeflate, if set, negotiates WebSocket permessage-deflate.
	// Nil (the default, as in the reference) means off. MaxHTTPBufferSize
	// then applies to the decompressed size.
	PerMessageDeflate *DeflateOptions

	// AllowEIO3 also serves Engine.IO protocol v3, the one of Socket.IO v2
	// clients (Node: allowEIO3; default false). A handshake whose EIO query
	// parameter is not "4" then opens a v3 session: length-prefixed
	// polling payloads (binary payloads for clients that take binary,
	// "b4" base64 for those that ask b64=1), binary WebSocket frames with
	// a type byte, and the client's heartbeat: the client pings, the
	// server answers pong and closes the session with "ping timeout" when
	// no ping came for PingInterval+PingTimeout. Off, such a handshake is
	// refused with code 5, "Unsupported protocol version".
	AllowEIO3 bool

	// InitialPacket, if set, is sent as a message right after the open
	// packet.
	InitialPacket []byte

	// GenerateID overrides the session id generator (default: 15 random
	// bytes plus a counter, base64url, 20 characters). An error refuses the
	// handshake with code 3 (ID_GENERATION_ERROR).
	GenerateID func(r *http.Request) (string, error)

	// OnConnection is called for every new session, before any of its
	// packets is read, on the goroutine serving the handshake request. It
	// must set the socket's handler (Socket.SetHandler) if it wants data.
	OnConnection func(s *Socket)
	// OnConnectionError is called for every refused request (codes 0 to 5),
	// on the goroutine serving the request.
	OnConnectionError func(e *ConnectionError)
	// OnInitialHeaders may modify the headers of the handshake response
	// (polling 200 or WebSocket 101).
	OnInitialHeaders func(h http.Header, r *http.Request)
	// OnHeaders may modify the headers of every response of a session,
	// including the WebSocket 101.
	OnHeaders func(h http.Header, r *http.Request)

	// WriteTimeout bounds each WebSocket write (default 10s); a client that
	// does not read in time is disconnected with "transport error".
	WriteTimeout time.Duration
	// MaxHeaderBytes bounds the request line and header fields of every
	// request the server answers, counted as they come on the wire
	// (default DefaultMaxHeaderBytes, 16 KiB: Node's http maxHeaderSize). A
	// request over it gets 431 Request Header Fields Too Large and its
	// connection is closed, as Node's HTTP server answers; nothing else
	// happens (no ConnectionError, no session). A session keeps a copy of
	// its handshake's headers (see Socket.Request), so this also bounds
	// what each session holds.
	//
	// net/http reads up to http.Server.MaxHeaderBytes (default 1 MiB)
	// before the engine sees a request: set it to this value as well, so a
	// large header is refused before it is read.
	MaxHeaderBytes int

	// IdleHandoff is how long a WebSocket connection waits for its next
	// message on a goroutine of its own (default 250ms). Past it, and
	// right after a heartbeat, on Linux, the connection gives up its
	// goroutine and read buffer and one goroutine of the server waits
	// (epoll) for every such connection to become readable; a message
	// then gets a new reader goroutine (a few microseconds more for that
	// message). An idle connection so holds about 3.5 KB less. Negative:
	// never (one goroutine per connection, as on other systems and over
	// TLS).
	IdleHandoff time.Duration

	// MaxBufferedBytes bounds the bytes queued for one client and not yet
	// written (default 16 MiB). Past it the session closes with
	// "transport error" and ErrWriteBufferFull: a slow client never makes a
	// sender block.
	MaxBufferedBytes int

	// Logger receives debug and error logs. Nil means quiet.
	Logger *slog.Logger

	// Hooks observe the sessions (metrics, tracing); nil means none. See
	// Hooks and Server.AddHooks.
	Hooks *Hooks
}

// CookieOptions describes the session cookie (Node: cookie option). A zero
// value means name "io", path "/", HttpOnly, SameSite=Lax.
type CookieOptions struct {
	Name        string
	Path        string
	Domain      string
	MaxAge      int
	Secure      bool
	NoHTTPOnly  bool          // HttpOnly is on unless set
	SameSite    http.SameSite // default Lax
	Partitioned bool
}

// CompressionOptions configures HTTP compression of polling responses.
type CompressionOptions struct {
	Disable   bool
	Threshold int // bytes; default 1024
}

// DeflateOptions configures WebSocket permessage-deflate.
type DeflateOptions struct {
	Threshold int // messages below this size are sent uncompressed; default 1024
}

// defaultIdleHandoff is the default of Options.IdleHandoff (a variable so
// the tests can run every test with connections handed over at once).
var defaultIdleHandoff = 250 * time.Millisecond

// DefaultMaxHeaderBytes is the default of Options.MaxHeaderBytes: 16 KiB,
// as Node's http maxHeaderSize. Also a sound http.Server.MaxHeaderBytes
// for a server that only serves Engine.IO.
const DefaultMaxHeaderBytes = 16 << 10

type config struct {
	Options
	path        string
	polling     bool
	websocket   bool
	compressMin int
	compress    bool
	deflateMin  int
}

func newConfig(o *Options) *config {
	c := &config{}
	if o != nil {
		c.Options = *o
	}
	if c.Path == "" {
		c.Path = "/engine.io"
	}
	c.path = strings.TrimSuffix(c.Path, "/") + "/"
	setDefault(&c.PingInterval, 25*time.Second)
	setDefault(&c.PingTimeout, 20*time.Second)
	setDefault(&c.UpgradeTimeout, 10*time.Second)
	setDefault(&c.WriteTimeout, 10*time.Second)
	if c.IdleHandoff == 0 {
		c.IdleHandoff = defaultIdleHandoff // negative stays: off
	}
	if c.MaxHTTPBufferSize <= 0 {
		c.MaxHTTPBufferSize = 1e6
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if c.MaxBufferedBytes <= 0 {
		c.MaxBufferedBytes = 16 << 20
	}
	if c.Transports == nil {
		c.Transports = []string{Polling, WebSocket}
	}
	c.Transports = append([]string(nil), c.Transports...)
	for _, t := range c.Transports {
		switch t {
		case Polling:
			c.polling = true
		case WebSocket:
			c.websocket = true
		}
	}
	c.compress, c.compressMin = true, 1024
	if hc := c.HTTPCompression; hc != nil {
		c.compress = !hc.Disable
		if hc.Threshold > 0 {
			c.compressMin = hc.Threshold
		}
	}
	if d := c.PerMessageDeflate; d != nil {
		c.deflateMin = 1024
		if d.Threshold > 0 {
			c.deflateMin = d.Threshold
		}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// upgrades returns the "upgrades" list of the open packet for a session
// opened on transport.
func (c *config) upgrades(transport string) []string {
	if transport == Polling && c.websocket && !c.DisableUpgrades {
		return []string{WebSocket}
	}
	return []string{}
}
