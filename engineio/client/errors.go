package client

import (
	"errors"
	"net/http"
)

// Errors returned by Dial and Send.
var (
	ErrClosed          = errors.New("engineio client: connection closed")
	ErrWriteBufferFull = errors.New("engineio client: write buffer full (server not reading)")
	ErrNoTransports    = errors.New("No transports available")
	ErrHandshake       = errors.New("engineio client: handshake failed")
	ErrUnexpectedSID   = errors.New("engineio client: unexpected session id")
)

// Messages of TransportError, engine.io-client's.
const (
	MsgPollError      = "xhr poll error"  // a polling GET failed
	MsgPostError      = "xhr post error"  // a polling POST failed
	MsgWebSocketError = "websocket error" // the WebSocket failed
	MsgProbeError     = "probe error"     // an upgrade probe failed (OnUpgradeError)
)

// TransportError is a failed transport, as engine.io-client's
// TransportError: Message is the reference's message (MsgPollError,
// MsgPostError, MsgWebSocketError, MsgProbeError), Status the HTTP status
// when the server answered with an error (the reference's description),
// and Err the Go cause, reachable with errors.Is and errors.As: a
// *url.Error or *net.OpError from the network, a *HandshakeError with the
// server's error body, the WebSocket library's error.
//
// Error returns Message, followed by the cause when there is one.
type TransportError struct {
	Message string
	Status  int
	Err     error
}

func (e *TransportError) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *TransportError) Unwrap() error { return e.Err }

func transportError(msg string, status int, err error) *TransportError {
	return &TransportError{Message: msg, Status: status, Err: err}
}

// HandshakeError is a request refused by the server with an Engine.IO
// error body, e.g. {"code":1,"message":"Session ID unknown"}. It comes
// wrapped in a TransportError.
type HandshakeError struct {
	Status  int
	Code    int
	Message string
}

func (e *HandshakeError) Error() string {
	if e.Message != "" {
		return "engineio client: handshake refused: " + e.Message
	}
	return "engineio client: handshake refused: HTTP " + http.StatusText(e.Status)
}
