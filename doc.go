// Package socketio is a Socket.IO v4 server (protocol v5) for Go, wire
// compatible with the official socket.io-client 4.x: namespaces, rooms,
// events, acknowledgements, binary attachments, middlewares and
// broadcasts, over Engine.IO v4 (HTTP long-polling and WebSocket).
//
// A Server is an http.Handler:
//
//	io := socketio.NewServer(nil)
//	io.OnConnection(func(s *socketio.Socket) {
//		s.On("chat", func(msg string) { io.Emit("chat", msg) })
//	})
//	http.Handle("/socket.io/", io)
//
// # Goroutines
//
// Every exported method is safe for concurrent use. Each connection has a
// handler goroutine, which exists while the connection has work: the
// connection middlewares (Use), OnConnection, the event handlers (On,
// OnAny, per-socket Use) and the lifecycle handlers (OnDisconnecting,
// OnDisconnect) of all the connection's namespaces run on it, one at a
// time, in the order their packets arrived. Different connections run in
// parallel. Acknowledgements are read while handlers run, so a handler may
// wait for the same client's reply (EmitWithAck).
//
// # Disconnects
//
// A disconnect may start on any goroutine: the client leaving, a ping
// timeout, Socket.Disconnect from an HTTP handler, a cluster adapter
// disconnecting sockets for another node, Server.Close. From that moment
// the socket is no longer Connected, its Context is cancelled, its pending
// acknowledgements fail with ErrDisconnected, so a handler waiting on
// either returns. The events the client sent before the connection closed
// are still handled, in order (as the reference handles each on arrival;
// at most MaxInboundBacklog of them), except those after a packet whose
// handling closed the connection and those of a socket the server
// disconnected. Then OnDisconnecting and OnDisconnect run on the handler
// goroutine with the reason (the reference's strings) and the error
// behind it.
//
// # Errors
//
// Timeouts match ErrTimeout, whichever layer reports them (acks, cluster
// requests, the client); where a context's deadline ended the wait the
// error also matches context.DeadlineExceeded.
//
// See docs/architecture.md for the layers, the path of a packet and how to
// write an adapter.
package socketio
