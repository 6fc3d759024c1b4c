package socketio

import (
	"errors"

	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/internal/handler"
	"github.com/gosio/socketio/internal/timeout"
	"github.com/gosio/socketio/parser"
)

// Reason says why a socket disconnected. The strings are exactly the
// reference's, so logs and clients agree.
type Reason string

// Disconnect reasons.
const (
	// The Engine.IO connection failed or was cut.
	ReasonTransportError Reason = engineio.ReasonTransportError
	// The client closed the connection.
	ReasonTransportClose Reason = engineio.ReasonTransportClose
	// The connection was closed by the server (Socket.Disconnect(true) or
	// a protocol error).
	ReasonForcedClose Reason = engineio.ReasonForcedClose
	// The client did not answer a ping in time.
	ReasonPingTimeout Reason = engineio.ReasonPingTimeout
	// The client sent a packet that is not valid Engine.IO.
	ReasonParseError Reason = engineio.ReasonParseError
	// Server.Close was called.
	ReasonServerShuttingDown Reason = "server shutting down"
	// The server closed the connection: no namespace joined in time, or a
	// packet that is invalid in the connection's state.
	ReasonForcedServerClose Reason = "forced server close"
	// The client left the namespace (socket.disconnect() in the client).
	ReasonClientNamespaceDisconnect Reason = "client namespace disconnect"
	// The server called Socket.Disconnect(false).
	ReasonServerNamespaceDisconnect Reason = "server namespace disconnect"
)

// Errors returned by the API.
var (
	// ErrDisconnected: the socket is not connected.
	ErrDisconnected = errors.New("socketio: socket has been disconnected")
	// ErrTimeout: an acknowledgement or a cluster request did not complete
	// in time. The message is the reference's. The server, the adapters
	// (adapter.ErrTimeout) and the client (client.ErrTimeout) share this
	// one value; where a context's deadline ended the wait, the error
	// also matches context.DeadlineExceeded.
	ErrTimeout = timeout.Err
	// ErrReservedEvent: the event name is reserved (connect, connect_error,
	// disconnect, disconnecting, newListener, removeListener).
	ErrReservedEvent = parser.ErrReservedEvent
	// ErrNoArgument: the event has no argument at that index.
	ErrNoArgument = handler.ErrNoArgument
	// ErrAlreadyAcked: the acknowledgement was already sent.
	ErrAlreadyAcked = errors.New("socketio: acknowledgement already sent")
	// ErrParentNamespace: the operation is not supported on a parent
	// (dynamic) namespace.
	ErrParentNamespace = errors.New("socketio: fetchSockets() is not supported on parent namespaces")
)

// ConnectError refuses a connection from a middleware. The client's
// connect_error event receives Message as err.message and Data as
// err.data. Any other error refuses with its Error() as the message.
type ConnectError struct {
	Message string
	Data    any
}

func (e *ConnectError) Error() string { return e.Message }

// AckTimeoutError reports a broadcast whose acknowledgements did not all
// arrive in time. Responses holds those that did.
type AckTimeoutError struct {
	Expected  int
	Responses []Args
	// Cause is the context's error that ended the wait
	// (context.DeadlineExceeded, or the context's cause), if any.
	Cause error
}

func (e *AckTimeoutError) Error() string { return ErrTimeout.Error() }

// Unwrap makes errors.Is(err, ErrTimeout) true, and errors.Is(err,
// context.DeadlineExceeded) when a deadline ended the wait.
func (e *AckTimeoutError) Unwrap() []error {
	if e.Cause == nil {
		return []error{ErrTimeout}
	}
	return []error{ErrTimeout, e.Cause}
}
