package session

// Handler receives the events of one Engine.IO session, on the server
// (engineio.Socket.SetHandler) and in the client (engineio/client.Dial).
//
// Calls for one session never overlap: OnMessage is called for each message
// in arrival order, from the goroutine reading the transport (the WebSocket
// reader or the HTTP request goroutine; on a Linux server, a WebSocket
// reader that went idle is replaced by a new goroutine when data comes, so
// successive calls may come from different goroutines, never two at once).
// OnClose is called exactly once,
// after the last OnMessage has returned; it may run on a timer or on
// another request's goroutine.
type Handler interface {
	// OnMessage receives a message. data is owned by the handler.
	OnMessage(data []byte, binary bool)
	// OnClose reports the end of the session with a reason string of the
	// reference ("transport close", "ping timeout", ...) and, where known,
	// an error describing the cause.
	OnClose(reason string, err error)
}

// Transport names, as in the "transport" query parameter.
const (
	Polling   = "polling"
	WebSocket = "websocket"
)

// Reasons passed to Handler.OnClose; the strings are the reference's.
const (
	// The transport failed: a read or write error, a write buffer full.
	ReasonTransportError = "transport error"
	// The peer closed the transport.
	ReasonTransportClose = "transport close"
	// This side closed the session.
	ReasonForcedClose = "forced close"
	// The peer did not answer the heartbeat in time.
	ReasonPingTimeout = "ping timeout"
	// The peer sent bytes that are not Engine.IO.
	ReasonParseError = "parse error"
)
