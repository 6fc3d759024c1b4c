package socketio

// nspSockets is a connection's sockets, one per namespace. Most clients
// use one or two namespaces: a short slice searched in order costs less
// memory than a map (about 200 bytes per idle connection) and is as fast
// at that size; past maxListedSockets it becomes a map.
type nspSockets struct {
	list  []*Socket
	index map[string]*Socket // nil until list would pass maxListedSockets
}

const maxListedSockets = 8

func (n *nspSockets) get(name string) *Socket {
	if n.index != nil {
		return n.index[name]
	}
	for _, s := range n.list {
		if s.nsp.name == name {
			return s
		}
	}
	return nil
}

// set makes s the socket of its namespace, replacing any other.
func (n *nspSockets) set(s *Socket) {
	name := s.nsp.name
	if n.index != nil {
		n.index[name] = s
		return
	}
	for i, o := range n.list {
		if o.nsp.name == name {
			n.list[i] = s
			return
		}
	}
	if len(n.list) < maxListedSockets {
		n.list = append(n.list, s)
		return
	}
	n.index = make(map[string]*Socket, 2*maxListedSockets)
	for _, o := range n.list {
		n.index[o.nsp.name] = o
	}
	n.index[name] = s
	n.list = nil
}

// remove removes s if it is the socket of its namespace.
func (n *nspSockets) remove(s *Socket) {
	if n.index != nil {
		if n.index[s.nsp.name] == s {
			delete(n.index, s.nsp.name)
		}
		return
	}
	for i, o := range n.list {
		if o == s {
			last := len(n.list) - 1
			n.list[i] = n.list[last]
			n.list[last] = nil
			n.list = n.list[:last]
			return
		}
	}
}

func (n *nspSockets) len() int {
	if n.index != nil {
		return len(n.index)
	}
	return len(n.list)
}

// all returns the sockets in a new slice.
func (n *nspSockets) all() []*Socket {
	out := make([]*Socket, 0, n.len())
	if n.index != nil {
		for _, s := range n.index {
			out = append(out, s)
		}
		return out
	}
	return append(out, n.list...)
}
