// Package engineio is an Engine.IO protocol v4 server: the transport layer
// under Socket.IO. It serves HTTP long-polling and WebSocket on one path,
// upgrades polling sessions to WebSocket, and runs the heartbeat. With
// Options.AllowEIO3 it also serves protocol v3, for Socket.IO v2 clients.
//
// A Server is an http.Handler. Each client session is a *Socket whose
// messages are delivered to a Handler set in Options.OnConnection.
//
// Concurrency: every Socket method is safe for concurrent use. Outgoing
// packets go to a per-session queue bounded in bytes; a WebSocket session
// drains it with a writer goroutine that exists only while there is data,
// writing all queued frames in one syscall; a polling session hands the
// whole queue to the next GET. Incoming messages of one session are
// delivered one at a time, in order.
package engineio
