package redis

import "github.com/gosio/socketio/adapter"

// hooks returns the cluster hooks of the adapter's namespace
// (socketio.Hooks.Cluster), nil if none.
func (a *Adapter) hooks() *adapter.ClusterHooks {
	if o, ok := a.nsp.(adapter.ClusterObserver); ok {
		return o.ClusterHooks()
	}
	return nil
}

// published publishes payload on channel and reports it as kind.
func (a *Adapter) published(kind, channel string, payload []byte) bool {
	ok := a.c.publish(channel, payload)
	if h := a.hooks(); ok && h != nil && h.Published != nil {
		h.Published(a.name, kind, len(payload))
	}
	return ok
}

// received reports a message of kind from another node.
func (a *Adapter) received(kind string, n int) {
	if h := a.hooks(); h != nil && h.Received != nil {
		h.Received(a.name, kind, n)
	}
}

// timedOut reports a request that not every node answered in time.
func (a *Adapter) timedOut(op string) {
	if h := a.hooks(); h != nil && h.RequestTimedOut != nil {
		h.RequestTimedOut(a.name, op)
	}
}
