// The Adapter type: one namespace's view of the cluster, its channels,
// construction and Close. Outgoing broadcasts are in broadcast.go,
// requests that wait for answers in requests.go, what other nodes send in
// incoming.go, and the wire forms in wire.go and socket_wire.go.

package redis

import (
	"sync"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/cluster"
)

// Request types of @socket.io/redis-adapter.
const (
	reqSockets              = 0
	reqAllRooms             = 1
	reqRemoteJoin           = 2
	reqRemoteLeave          = 3
	reqRemoteDisconnect     = 4
	reqRemoteFetch          = 5
	reqServerSideEmit       = 6
	reqBroadcast            = 7
	reqBroadcastClientCount = 8
	reqBroadcastAck         = 9
)

// Adapter is the adapter of one namespace: rooms are kept in memory (an
// embedded adapter.Memory) and namespace-wide operations reach the other
// nodes through Redis. Obtain it from Cluster.Adapter (through
// socketio.Options.Adapter); Namespace.Adapter() returns it, for
// AllRooms.
type Adapter struct {
	*adapter.Memory
	c    *Cluster
	nsp  adapter.Namespace
	name string
	uid  string

	channel                 string
	requestChannel          string
	responseChannel         string
	specificResponseChannel string

	members *membership

	mu       sync.Mutex
	pending  map[string]*pendingReq
	ackReqs  map[string]*ackReq
	isClosed bool
}

func (c *Cluster) newAdapter(nsp adapter.Namespace) *Adapter {
	name := nsp.Name()
	key := c.opts.Key
	a := &Adapter{
		Memory:          adapter.NewMemory(nsp),
		c:               c,
		nsp:             nsp,
		name:            name,
		uid:             uid(6),
		channel:         key + "#" + name + "#",
		requestChannel:  key + "-request#" + name + "#",
		responseChannel: key + "-response#" + name + "#",
		pending:         map[string]*pendingReq{},
		ackReqs:         map[string]*ackReq{},
	}
	a.specificResponseChannel = a.responseChannel + a.uid + "#"
	a.members = newMembership(max(c.opts.RequestsTimeout, minRejoinGrace),
		a.requestChannel, a.responseChannel, a.specificResponseChannel)
	c.register(a)
	return a
}

// UID returns the adapter's id on the wire (6 characters).
func (a *Adapter) UID() string { return a.uid }

// Close unsubscribes the namespace and fails its pending requests.
func (a *Adapter) Close() error {
	a.c.unregister(a)
	a.failPending(ErrClosed)
	return nil
}

// failPending ends every pending request and forgets the broadcasts with
// acks; requests made afterwards fail with ErrClosed.
func (a *Adapter) failPending(err error) {
	a.mu.Lock()
	a.isClosed = true
	for id, p := range a.pending {
		if !p.finished {
			p.finished = true
			close(p.done)
		}
		delete(a.pending, id)
	}
	for id, r := range a.ackReqs {
		r.timer.Stop()
		delete(a.ackReqs, id)
	}
	a.mu.Unlock()
}

var _ adapter.Adapter = (*Adapter)(nil)

// ErrUnavailable is wrapped by the errors of requests that could not
// reach Redis (for instance while it restarts). It is the same value as
// streams.ErrUnavailable and sharded.ErrUnavailable.
var ErrUnavailable = cluster.ErrUnavailable
