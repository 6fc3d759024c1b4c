package socketio

import (
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/parser"
)

// The adapter seam. An adapter sees a namespace as adapter.Namespace and
// each socket as adapter.Socket. Those calls are plumbing, not API for
// applications, so they are methods of these two unexported types (the
// same structs as Namespace and Socket, converted for free) rather than of
// Namespace and Socket. docs/architecture.md ("Writing an adapter") says
// what an adapter may call and from which goroutine.
type (
	namespaceSeam Namespace
	socketSeam    Socket
)

var (
	_ adapter.Namespace = (*namespaceSeam)(nil)
	_ adapter.Socket    = (*socketSeam)(nil)

	_ adapter.RoomObserver    = (*namespaceSeam)(nil)
	_ adapter.ClusterObserver = (*namespaceSeam)(nil)
)

func (n *Namespace) seam() *namespaceSeam { return (*namespaceSeam)(n) }
func (s *Socket) seam() *socketSeam       { return (*socketSeam)(s) }

// Name returns the namespace name.
func (n *namespaceSeam) Name() string { return n.name }

// Encode encodes p for the wire with the server's parser.
func (n *namespaceSeam) Encode(p *parser.Packet) *adapter.Encoded {
	return encodePacket(n.srv.format, p)
}

// NextAckID returns a fresh acknowledgement id: ids are per namespace, as
// in the reference, whichever node asked for the broadcast.
func (n *namespaceSeam) NextAckID() uint64 { return n.ackIDs.Add(1) - 1 }

// ServerSideEvent runs the OnServerSideEmit handlers for an event from
// another node, on the caller's (the adapter's) goroutine.
func (n *namespaceSeam) ServerSideEvent(p *parser.Packet, reply func(args []any)) {
	(*Namespace)(n).serverSideEvent(p, reply)
}

// ID returns the socket id.
func (s *socketSeam) ID() string { return s.id }

// WriteEncoded queues enc for the client; it never blocks.
func (s *socketSeam) WriteEncoded(enc *adapter.Encoded, flags adapter.Flags) {
	(*Socket)(s).writeEncoded(enc, flags)
}

// ExpectAck registers cb for the client's acknowledgement with id.
func (s *socketSeam) ExpectAck(id uint64, cb func(*parser.Packet), timeout time.Duration) {
	(*Socket)(s).expectAck(id, cb, timeout)
}

// Disconnect disconnects the socket (see Socket.Disconnect); the
// disconnect handlers run on the socket's handler goroutine, never on the
// adapter's.
func (s *socketSeam) Disconnect(close bool) { (*Socket)(s).Disconnect(close) }

// Info describes the socket for FetchSockets.
func (s *socketSeam) Info() adapter.SocketInfo {
	so := (*Socket)(s)
	data := so.Data()
	if data == nil {
		data = map[string]any{} // the reference's socket.data starts as {}
	}
	return adapter.SocketInfo{ID: so.id, Handshake: so.Handshake().toAdapter(), Rooms: so.Rooms(), Data: data, Local: s}
}
