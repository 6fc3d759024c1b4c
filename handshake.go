package socketio

import (
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/gosio/socketio/adapter"
)

// Handshake describes how a socket connected (Node: socket.handshake).
// Socket.Handshake builds a new one, with new Headers and Query maps, on
// each call; Auth is the socket's own map, shared by every call.
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

// newHandshake builds the handshake of a socket created at created with
// auth, on the connection whose first request is r (a copy of its own).
func newHandshake(r *http.Request, created time.Time, auth map[string]any) *Handshake {
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	h := r.Header
	if r.Host != "" && h.Get("Host") == "" {
		h.Set("Host", r.Host) // net/http moves it to Request.Host; Node lists it
	}
	return &Handshake{
		Headers: h,
		Time:    created,
		Issued:  created.UnixMilli(),
		Address: addr,
		XDomain: h.Get("Origin") != "",
		Secure:  r.TLS != nil,
		URL:     r.RequestURI,
		Query:   r.URL.Query(),
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
