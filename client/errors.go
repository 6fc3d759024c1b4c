package client

import (
	"errors"

	"github.com/gosio/socketio/engineio/client"
	"github.com/gosio/socketio/engineio/session"
	"github.com/gosio/socketio/internal/timeout"
)

// Reason says why a socket or the Manager's connection closed. The strings
// are exactly socket.io-client's, so logs agree with the JavaScript
// client's.
type Reason string

// Disconnect reasons.
const (
	// The server made the socket leave the namespace (Node: the server's
	// socket.disconnect()). The socket does not reconnect.
	ReasonServerDisconnect Reason = "io server disconnect"
	// Socket.Disconnect was called. The socket does not reconnect.
	ReasonClientDisconnect Reason = "io client disconnect"
	// The server sent no ping in time (pingInterval + pingTimeout).
	ReasonPingTimeout Reason = session.ReasonPingTimeout
	// The server closed the connection.
	ReasonTransportClose Reason = session.ReasonTransportClose
	// The connection failed: a network error, an HTTP error, or a server
	// that stopped reading (engineio/client.ErrWriteBufferFull). The
	// cause given with it is that error.
	ReasonTransportError Reason = session.ReasonTransportError
	// The server sent bytes that are not Engine.IO or Socket.IO. The
	// cause given with it is the decoding error.
	ReasonParseError Reason = session.ReasonParseError
	// Manager.Close was called (the Manager's last socket disconnecting
	// closes it too).
	ReasonForcedClose Reason = session.ReasonForcedClose
)

// Errors.
var (
	// ErrTimeout: a connection attempt or an acknowledgement took too long.
	// Its message is the reference's for acks.
	ErrTimeout = timeout.Err
	// ErrConnectTimeout: the connection attempt exceeded Options.Timeout.
	// The error reported matches it with errors.Is, has the reference's
	// message "timeout", and wraps the error the attempt ended with.
	ErrConnectTimeout = errors.New("timeout")
	// ErrDisconnected: the socket disconnected while an ack was awaited.
	ErrDisconnected = errors.New("socket has been disconnected")
	// ErrBufferFull: too many packets emitted while disconnected.
	ErrBufferFull = errors.New("socketio client: send buffer full")
	// ErrV2Server: the server speaks Socket.IO v2.
	ErrV2Server = errors.New("It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible (more information here: https://socket.io/docs/v3/migrating-from-2-x-to-3-0/)")
)

// connectTimeout is the error of a connection attempt that exceeded
// Options.Timeout: its message is the reference's ("timeout"), it matches
// ErrConnectTimeout, and it wraps the error the attempt ended with (a
// TransportError around the context's deadline, typically), reachable with
// errors.As.
type connectTimeout struct{ cause error }

func (e *connectTimeout) Error() string        { return ErrConnectTimeout.Error() }
func (e *connectTimeout) Is(target error) bool { return target == ErrConnectTimeout }
func (e *connectTimeout) Unwrap() error        { return e.cause }

// TransportError is a failed transport, with socket.io-client's message
// ("xhr poll error", "xhr post error", "websocket error", "probe error")
// and the Go cause behind it (see engineio/client.TransportError). A
// connection attempt that fails reports it to OnConnectError and
// Manager.OnError; a connection that fails later gives it as the cause of
// ReasonTransportError.
type TransportError = client.TransportError

// ConnectError is a connection refused by the server (a middleware error or
// "Invalid namespace"), as the client's connect_error sees it.
type ConnectError struct {
	Message string
	Data    any
}

func (e *ConnectError) Error() string { return e.Message }
