package socketio

import (
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/engineio"
)

// Handshake describes how a socket connected (Node: socket.handshake).
// The sockets of one connection share its maps: treat them as read-only.
type Handshake struct {
	// Headers of the first HTTP request, the Host header included (Node
	// lists it with the others; net/http keeps it in Request.Host).
	Headers http.Header
	Time    time.Time // when the socket was created (Node: time)
	// TimeText is Time as a Node peer reported it (Date.toString()), for
	// remote sockets of Node nodes; empty otherwise.
	TimeText string
	Issued   int64          // Time in Unix milliseconds (Node: issued)
	Address  string         // client IP address
	XDomain  bool           // the request carried an Origin header
	Secure   bool           // the connection uses TLS
	URL      string         // request URI of the first HTTP request
	Query    url.Values     // its query parameters
	Auth     map[string]any // the CONNECT payload ({} if none)
}

// connHandshake is the part of the handshake that all sockets of one
// connection share, computed once per connection.
type connHandshake struct {
	headers http.Header
	address string
	xdomain bool
	secure  bool
	url     string
	query   url.Values
}

func newConnHandshake(conn *engineio.Socket) *connHandshake {
	r := conn.Request()
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	// The engine keeps its own copy of the handshake request (see
	// engineio.Socket.Request), so the Host header, which net/http moves
	// to Request.Host, is added to it in place rather than to a clone.
	h := r.Header
	if r.Host != "" && h.Get("Host") == "" {
		h.Set("Host", r.Host)
	}
	return &connHandshake{
		headers: h,
		address: addr,
		xdomain: r.Header.Get("Origin") != "",
		secure:  r.TLS != nil,
		url:     r.RequestURI,
		query:   r.URL.Query(),
	}
}

// socketHandshake returns the handshake of a socket created now.
func (c *connHandshake) socketHandshake(auth map[string]any) *Handshake {
	now := time.Now()
	return &Handshake{
		Headers: c.headers,
		Time:    now,
		Issued:  now.UnixMilli(),
		Address: c.address,
		XDomain: c.xdomain,
		Secure:  c.secure,
		URL:     c.url,
		Query:   c.query,
		Auth:    auth,
	}
}

// toAdapter returns h as adapters carry it (maps shared).
func (h *Handshake) toAdapter() *adapter.Handshake {
	if h == nil {
		return nil
	}
	return &adapter.Handshake{
		Headers: h.Headers, Time: h.Time, TimeText: h.TimeText, Issued: h.Issued,
		Address: h.Address, XDomain: h.XDomain, Secure: h.Secure, URL: h.URL,
		Query: h.Query, Auth: h.Auth,
	}
}

// handshakeFromAdapter returns h as applications see it (maps shared).
func handshakeFromAdapter(h *adapter.Handshake) *Handshake {
	if h == nil {
		return nil
	}
	return &Handshake{
		Headers: h.Headers, Time: h.Time, TimeText: h.TimeText, Issued: h.Issued,
		Address: h.Address, XDomain: h.XDomain, Secure: h.Secure, URL: h.URL,
		Query: h.Query, Auth: h.Auth,
	}
}
