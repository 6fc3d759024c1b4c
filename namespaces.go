package socketio

import (
	"cmp"
	"slices"
)

// Namespaces returns the server's namespaces ("/" included, dynamic
// children too), sorted by name (Node: io._nsps, for tools such as the
// admin UI).
func (s *Server) Namespaces() []*Namespace {
	s.mu.RLock()
	out := make([]*Namespace, 0, len(s.nsps))
	for _, n := range s.nsps {
		out = append(out, n)
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b *Namespace) int { return cmp.Compare(a.name, b.name) })
	return out
}

// SocketsCount returns the number of sockets connected to the namespace
// on this node (Node: nsp.sockets.size), without copying them.
func (n *Namespace) SocketsCount() int {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return len(n.sockets)
}
