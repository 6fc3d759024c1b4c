package engineio

import (
	"encoding/json"
	"errors"
	"github.com/gosio/socketio/engineio/session"
	"net/http"
	"strconv"
)

// Error codes of refused requests, as in the reference
// (engine.io Server.errors). They are the "code" of the JSON error body.
const (
	CodeUnknownTransport           = 0
	CodeUnknownSID                 = 1
	CodeBadHandshakeMethod         = 2
	CodeBadRequest                 = 3
	CodeForbidden                  = 4
	CodeUnsupportedProtocolVersion = 5
)

var codeMessages = [...]string{
	"Transport unknown",
	"Session ID unknown",
	"Bad handshake method",
	"Bad request",
	"Forbidden",
	"Unsupported protocol version",
}

// Contexts of CodeBadRequest (ConnectionError.Context["name"]).
const (
	ContextTransportMismatch       = "TRANSPORT_MISMATCH"
	ContextTransportHandshakeError = "TRANSPORT_HANDSHAKE_ERROR"
	ContextInvalidOrigin           = "INVALID_ORIGIN"
	ContextIDGenerationError       = "ID_GENERATION_ERROR"
	ContextMiddlewareFailure       = "MIDDLEWARE_FAILURE"
)

// ConnectionError describes a refused request, as passed to
// Options.OnConnectionError (Node: the "connection_error" event).
type ConnectionError struct {
	Request *http.Request
	Code    int
	Message string
	Context map[string]string
}

func (e *ConnectionError) Error() string {
	return "engineio: " + e.Message + " (code " + strconv.Itoa(e.Code) + ")"
}

// Reasons passed to Handler.OnClose; the strings are the reference's.
const (
	ReasonTransportError = session.ReasonTransportError
	ReasonTransportClose = session.ReasonTransportClose
	ReasonForcedClose    = session.ReasonForcedClose
	ReasonPingTimeout    = session.ReasonPingTimeout
	ReasonParseError     = session.ReasonParseError
)

// Errors passed as the description of a close, and returned by Socket
// methods.
var (
	ErrClosed             = errors.New("engineio: session closed")
	ErrWriteBufferFull    = errors.New("engineio: write buffer full (client too slow)")
	ErrPollOverlap        = errors.New("engineio: overlap from client")
	ErrPostOverlap        = errors.New("engineio: data request overlap from client")
	ErrPollClosedEarly    = errors.New("engineio: poll connection closed prematurely")
	ErrPostClosedEarly    = errors.New("engineio: data request connection closed prematurely")
	ErrInvalidContent     = errors.New("engineio: invalid content")
	ErrPayloadTooLarge    = errors.New("engineio: payload too large")
	ErrHeartbeatDirection = errors.New("engineio: invalid heartbeat direction")
	ErrServerClosed       = errors.New("engineio: server closed")
)

// writeError answers a refused HTTP request the way the reference does:
// 403 for CodeForbidden, 400 otherwise, with the JSON body
// {"code":N,"message":"..."}.
func writeError(w http.ResponseWriter, code int, message string) {
	status := http.StatusBadRequest
	if code == CodeForbidden {
		status = http.StatusForbidden
	}
	body := make([]byte, 0, 48+len(message))
	body = append(body, `{"code":`...)
	body = strconv.AppendInt(body, int64(code), 10)
	body = append(body, `,"message":`...)
	msg, _ := json.Marshal(message)
	body = append(body, msg...)
	body = append(body, '}')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}
