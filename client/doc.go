// Package client is a Socket.IO v4 client (protocol v5) for Go, behaving
// as socket.io-client 4.8 does: a Manager holds one Engine.IO connection
// and multiplexes namespace sockets over it, reconnects with exponential
// backoff and jitter, buffers emits while offline, and supports
// acknowledgements with timeouts and binary arguments.
//
//	s, err := client.Connect(ctx, "http://127.0.0.1:3000/", nil)
//	s.On("chat", func(msg string) { fmt.Println(msg) })
//	reply, err := s.EmitWithAck(ctx, "hello", "world")
//
// Handlers of one Manager (events of all its sockets, connect, disconnect,
// manager events) run one at a time, in arrival order, on a goroutine that
// exists while there is work. Acknowledgements are read while a handler
// runs, so a handler may wait on EmitWithAck. A handler that blocks holds
// up every later packet of the Manager, CONNECT replies included.
//
// A disconnect reports a typed Reason, whose strings are socket.io-client's
// ("io server disconnect", "transport error", ...), and the error behind
// it (Node: the "disconnect" event's description):
//
//	s.OnDisconnect(func(reason client.Reason, cause error) {
//		if errors.Is(cause, eioclient.ErrWriteBufferFull) { ... }
//	})
//
// The Manager's controls (Open, SetReconnection, SetReconnectionAttempts,
// SetReconnectionDelay, SetReconnectionDelayMax, SetRandomizationFactor,
// SetTimeout and their getters) are socket.io-client's Manager methods.
package client
