// Package client is a Socket.IO v4 client (protocol v5) for Go, behaving
// as socket.io-client 4.8 does: a Manager holds one Engine.IO connection
// and multiplexes namespace sockets over it, reconnects with exponential
// backoff and jitter, buffers emits while offline, and supports
// acknowledgements with timeouts, binary arguments, connection state
// recovery and at-least-once delivery (SocketOptions.Retries).
//
//	s, err := client.Connect(ctx, "http://127.0.0.1:3000/", nil)
//	s.On("chat", func(msg string) { fmt.Println(msg) })
//	reply, err := s.EmitWithAck(ctx, "hello", "world")
//
// A Dialer shares one Manager among the namespaces of one server, as io()
// does; Manager.Socket gives each namespace its own options (auth,
// retries, ack timeout).
//
// # Goroutines
//
// Each socket runs its handlers (event listeners, OnConnect,
// OnConnectError, OnDisconnect) on its own handler goroutine, one at a
// time, in the order their packets arrived; the goroutine exists while
// there is work. Sockets of one Manager do not wait for each other: a
// slow handler on /chat delays neither the events nor the CONNECT reply
// of /. The Manager's handlers (OnOpen, OnError, OnClose, OnPing, the
// reconnection and engine events) run on the Manager's handler goroutine.
// The engine's reader goroutine decodes packets, hands each to its
// socket's queue (bounded: 1024 packets or 16 MiB, past which the reader
// waits, and with it every socket of the Manager) and resolves
// acknowledgements at once, so a handler may wait on EmitWithAck. Emit,
// Disconnect and the other methods are safe for concurrent use from any
// goroutine, handlers included.
//
// # Disconnects and errors
//
// A disconnect reports a typed Reason, whose strings are socket.io-client's
// ("io server disconnect", "transport error", ...), and the error behind
// it (Node: the "disconnect" event's description):
//
//	s.OnDisconnect(func(reason client.Reason, cause error) {
//		if errors.Is(cause, eioclient.ErrWriteBufferFull) { ... }
//	})
//
// Errors carry socket.io-client's messages: a failed transport is a
// *TransportError ("xhr poll error", "websocket error", ...) wrapping the
// Go cause (match a *url.Error or *net.OpError with errors.As), a
// connection attempt that took too long is ErrConnectTimeout ("timeout"),
// an ack that did not come is ErrTimeout ("operation has timed out"), a
// refusal by the server is a *ConnectError.
//
// The Manager's controls (Open, SetReconnection, SetReconnectionAttempts,
// SetReconnectionDelay, SetReconnectionDelayMax, SetRandomizationFactor,
// SetTimeout and their getters) are socket.io-client's Manager methods.
package client
