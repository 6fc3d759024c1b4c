package adapter

import (
	"context"
	"github.com/gosio/socketio/internal/timeout"
	"time"

	"github.com/gosio/socketio/engineio/packet"
	"github.com/gosio/socketio/parser"
)

// Flags modify a broadcast (Node: BroadcastFlags).
type Flags struct {
	Volatile   bool          // drop for clients that cannot receive it now
	NoCompress bool          // Node: compress(false)
	Local      bool          // this node only
	Timeout    time.Duration // acknowledgement timeout; 0 means none
}

// BroadcastOptions select sockets: those in any of Rooms (every socket of
// the namespace if Rooms is empty) and in none of Except.
type BroadcastOptions struct {
	Rooms  []string
	Except []string
	Flags  Flags
}

// Encoded is a packet encoded once, to be written unchanged to every
// recipient: the Engine.IO packets (the text packet, then one binary
// message per attachment). Recipients must not modify it.
type Encoded struct {
	Packets []packet.Packet
	// Packet is the packet before encoding (for outgoing listeners); nil
	// for packets that arrived encoded from another node.
	Packet *parser.Packet
}

// Handshake describes how a socket connected (Node: socket.handshake), in
// the form cluster adapters carry it between nodes. The server shows it
// to applications as socketio.Handshake (the same fields, with
// http.Header and url.Values for the maps).
type Handshake struct {
	// Headers of the first HTTP request, keyed as net/http canonicalises
	// them, the Host header included (Node lists it with the others).
	Headers map[string][]string
	Time    time.Time // when the socket was created (Node: time)
	// TimeText is Time as a Node peer sent it (Date.toString(), e.g.
	// "Tue Dec 01 2026 09:00:00 GMT+0000 (Coordinated Universal Time)"),
	// kept verbatim so it travels on unchanged; empty for this node's
	// sockets.
	TimeText string
	Issued   int64               // Time in Unix milliseconds (Node: issued)
	Address  string              // client IP address
	XDomain  bool                // the request carried an Origin header
	Secure   bool                // the connection uses TLS
	URL      string              // request URI of the first HTTP request
	Query    map[string][]string // its query parameters
	Auth     map[string]any      // the CONNECT payload ({} if none)
}

// SocketInfo describes a socket found by FetchSockets. Local is the socket
// itself when it lives on this node, nil for a remote one.
type SocketInfo struct {
	ID        string
	Handshake *Handshake
	Rooms     []string
	Data      any
	Local     Socket
}

// Socket is a socket of this node as an adapter sees it.
type Socket interface {
	ID() string
	// WriteEncoded queues enc for the client; it never blocks.
	WriteEncoded(enc *Encoded, flags Flags)
	// ExpectAck registers cb for the client's acknowledgement with id, for
	// broadcasts with acks. cb runs at most once, on the connection's
	// reader goroutine; after timeout (0: never) the socket may forget it.
	ExpectAck(id uint64, cb func(*parser.Packet), timeout time.Duration)
	// Disconnect disconnects the socket; close also closes its
	// connection.
	Disconnect(close bool)
	// Info returns the socket's id, handshake, rooms and data.
	Info() SocketInfo
}

// Namespace is what an adapter needs of the namespace it serves.
type Namespace interface {
	Name() string
	// Encode encodes p with the server's parser.
	Encode(p *parser.Packet) *Encoded
	// NextAckID returns a fresh acknowledgement id of the namespace, for
	// broadcasts with acks that another node asked this one to send.
	NextAckID() uint64
	// ServerSideEvent delivers an event another node sent with
	// ServerSideEmit: p is an EVENT whose data is [event, ...args]. reply
	// is nil when no acknowledgement is wanted, else it sends one back.
	// Handlers run on the caller's goroutine.
	ServerSideEvent(p *parser.Packet, reply func(args []any))
}

// Adapter keeps room membership and carries namespace-wide operations.
type Adapter interface {
	// AddAll adds s to rooms.
	AddAll(s Socket, rooms ...string)
	// Del removes socket id from room.
	Del(id, room string)
	// DelAll removes socket id from every room.
	DelAll(id string)
	// SocketRooms returns the rooms of socket id (nil if unknown).
	SocketRooms(id string) []string
	// Rooms returns every room of this node.
	Rooms() []string
	// Sockets returns the ids of this node's sockets selected by opts.
	Sockets(opts BroadcastOptions) []string

	// Broadcast sends p to the selected sockets, encoding it once.
	Broadcast(p *parser.Packet, opts BroadcastOptions)
	// BroadcastWithAck sends p (its ID set) and registers ack for each
	// recipient's reply; clientCount is called with the number of
	// recipients (once per node in a cluster).
	BroadcastWithAck(p *parser.Packet, opts BroadcastOptions, clientCount func(int), ack func(*parser.Packet))

	// ServerCount returns the number of nodes (1 for Memory).
	ServerCount(ctx context.Context) (int, error)
	// FetchSockets returns the selected sockets across the cluster.
	FetchSockets(ctx context.Context, opts BroadcastOptions) ([]SocketInfo, error)
	// AddSockets makes the selected sockets join rooms.
	AddSockets(opts BroadcastOptions, rooms []string)
	// DelSockets makes the selected sockets leave rooms.
	DelSockets(opts BroadcastOptions, rooms []string)
	// DisconnectSockets disconnects the selected sockets.
	DisconnectSockets(opts BroadcastOptions, close bool)
	// ServerSideEmit sends an event to the other nodes (not this one).
	// With wantAck it waits for their replies until ctx ends.
	ServerSideEmit(ctx context.Context, p *parser.Packet, wantAck bool) ([]*parser.Packet, error)

	// Close releases the adapter's resources.
	Close() error
}

// Factory creates the adapter of a namespace.
type Factory func(nsp Namespace) Adapter

// ErrTimeout is returned when a cluster request ends before every node
// answered. It is the same value as socketio.ErrTimeout.
var ErrTimeout = timeout.Err
