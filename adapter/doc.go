// Package adapter defines how a Socket.IO namespace finds the sockets a
// broadcast or a utility operation targets, on this node and, through a
// cluster adapter, on others. Memory is the single-process default.
//
// # The seam
//
// An adapter implements Adapter; the server gives it, through its Factory,
// the Namespace it serves, and each local socket as a Socket. Those two
// interfaces are everything an adapter may call back into the server:
// encode a packet once (Namespace.Encode), take an acknowledgement id
// (Namespace.NextAckID), deliver an event another node sent
// (Namespace.ServerSideEvent), write an encoded packet to a socket
// (Socket.WriteEncoded), wait for a socket's acknowledgement
// (Socket.ExpectAck), disconnect it (Socket.Disconnect) and describe it
// (Socket.Info). They are not methods applications see on
// socketio.Namespace or socketio.Socket.
//
// A cluster adapter usually embeds a *Memory for the local part and adds
// the messages to other nodes; adapter/redis is one.
//
// # Goroutines
//
// An Adapter belongs to one namespace. Its methods are called from many
// goroutines at once and must be safe for concurrent use. Calls that reach
// other nodes take a context and return an error when it ends first; a
// timeout matches ErrTimeout (the same value as socketio.ErrTimeout). The
// Socket methods never block on the client: Socket.Disconnect only starts
// the disconnect, whose handlers run on the socket's own handler
// goroutine, so an adapter's receiving goroutine is never held by
// application code (except Namespace.ServerSideEvent, which runs the
// OnServerSideEmit handlers on the caller's goroutine).
package adapter
