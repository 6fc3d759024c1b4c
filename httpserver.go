package socketio

import (
	"net/http"
	"time"

	"github.com/gosio/socketio/engineio"
)

// Timeouts and limits of NewHTTPServer.
const (
	// HTTPReadHeaderTimeout bounds how long a client may take to send a
	// request's headers (a stalled half-request is dropped after it).
	HTTPReadHeaderTimeout = 10 * time.Second
	// HTTPIdleTimeout bounds how long an idle keep-alive connection is
	// kept between requests (longer than the default ping interval, so a
	// polling client keeps its connection).
	HTTPIdleTimeout = 120 * time.Second
	// HTTPMaxHeaderBytes bounds a request's headers, as Node's
	// http.maxHeaderSize (16 KiB); net/http's own default is 1 MiB.
	HTTPMaxHeaderBytes = engineio.DefaultMaxHeaderBytes
)

// NewHTTPServer returns an http.Server for addr serving h with the
// timeouts and limits a server facing the Internet needs and
// http.ListenAndServe does not set: HTTPReadHeaderTimeout,
// HTTPIdleTimeout and HTTPMaxHeaderBytes. It sets no ReadTimeout or
// WriteTimeout, which would cut long-polling requests and WebSocket
// connections; the Engine.IO server bounds those itself (ping timeout,
// MaxHTTPBufferSize, WriteTimeout).
//
//	srv := socketio.NewHTTPServer("127.0.0.1:3000", mux)
//	log.Fatal(srv.ListenAndServe())
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: HTTPReadHeaderTimeout,
		IdleTimeout:       HTTPIdleTimeout,
		MaxHeaderBytes:    HTTPMaxHeaderBytes,
	}
}
