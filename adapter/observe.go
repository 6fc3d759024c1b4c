package adapter

// RoomObserver is implemented by a Namespace that wants to hear of room
// membership changes (Node: the adapter's "join-room" and "leave-room"
// events). The socketio server's namespaces implement it for
// socketio.Hooks. A Memory, and so every adapter that embeds one, asks
// RoomHook at each change and calls the func it returns once per socket
// and room that joined or left, after releasing its lock, on the
// goroutine that made the change.
type RoomObserver interface {
	// RoomHook returns the func to call for each change (joined: the
	// socket joined room, else it left it), or nil while nothing
	// listens.
	RoomHook() func(room, id string, joined bool)
}

// roomHook returns the observer's func, nil if none.
func (m *Memory) roomHook() func(room, id string, joined bool) {
	if m.obs == nil {
		return nil
	}
	return m.obs.RoomHook()
}

// roomChange is one socket joining or leaving one room, kept to be
// reported after the lock is released.
type roomChange struct{ room, id string }

func notifyRooms(f func(room, id string, joined bool), changes []roomChange, joined bool) {
	for _, c := range changes {
		f(c.room, c.id, joined)
	}
}

// ClusterHooks observe a cluster adapter's traffic with the other nodes,
// for metrics. Every field may be nil. Kinds are "broadcast", "request"
// (requests and the commands such as socketsJoin) and "response"; ops
// name the request ("fetchSockets", "serverSideEmit", "allRooms", ...).
// Sizes are the bytes published or received where the adapter knows them
// (the classic Redis adapter), 0 where its transport encodes later (the
// sharded and Streams adapters). Each runs on the goroutine that sends or
// handles the message and must not block.
type ClusterHooks struct {
	// Published is called for each message sent to the other nodes, with
	// its size in bytes.
	Published func(nsp, kind string, bytes int)
	// Received is called for each message from another node that this
	// node handles, with its size in bytes.
	Received func(nsp, kind string, bytes int)
	// RequestTimedOut is called when a request did not get every node's
	// answer in time.
	RequestTimedOut func(nsp, op string)
}

// ClusterObserver is implemented by a Namespace that wants to hear of its
// cluster adapter's traffic (the socketio server's namespaces do, for
// socketio.Hooks.Cluster). A cluster adapter asks ClusterHooks at each
// message; nil means nothing listens.
type ClusterObserver interface {
	ClusterHooks() *ClusterHooks
}
