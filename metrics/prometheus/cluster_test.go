package sioprom

// The adapter counters follow socketio.Hooks.Cluster. The Redis adapters
// call those hooks (their own tests check it against a real redis-server);
// here an adapter embedding Memory reports through the same seam, so the
// collector's counting is checked over HTTP without a Redis dependency in
// this module.

import (
	"testing"

	"github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/parser"
)

// reporting is Memory that reports each broadcast as published.
type reporting struct {
	*adapter.Memory
	nsp adapter.Namespace
}

func (r *reporting) Broadcast(p *parser.Packet, opts adapter.BroadcastOptions) {
	if o, ok := r.nsp.(adapter.ClusterObserver); ok {
		if h := o.ClusterHooks(); h != nil {
			h.Published(r.nsp.Name(), "broadcast", len(p.Data))
			h.Received(r.nsp.Name(), "response", 1)
			h.RequestTimedOut(r.nsp.Name(), "fetchSockets")
		}
	}
	r.Memory.Broadcast(p, opts)
}

func TestAdapterCounters(t *testing.T) {
	io := socketio.NewServer(&socketio.Options{Adapter: func(n adapter.Namespace) adapter.Adapter {
		return &reporting{Memory: adapter.NewMemory(n), nsp: n}
	}})
	url := metricsServer(t, io, Options{})
	for i := 0; i < 3; i++ {
		io.Emit("news", "x") // data ["news","x"]: 12 bytes
	}
	m := scrape(t, url+"/metrics")
	for series, want := range map[string]float64{
		`socketio_adapter_published_total{namespace="/",type="broadcast"}`:         3,
		`socketio_adapter_published_bytes_total{namespace="/"}`:                    36,
		`socketio_adapter_received_total{namespace="/",type="response"}`:           3,
		`socketio_adapter_request_timeouts_total{namespace="/",op="fetchSockets"}`: 3,
	} {
		if m[series] != want {
			t.Errorf("%s = %v, want %v", series, m[series], want)
		}
	}
}
