// Package sioprom exports a gosio server's metrics to Prometheus: a
// prometheus.Collector fed by the server's hooks (socketio.Hooks), in its
// own module so that the core pulls no Prometheus code.
//
//	c := sioprom.New(io, sioprom.Options{Events: []string{"chat"}})
//	prometheus.MustRegister(c)
//	http.Handle("/metrics", promhttp.Handler())
//
// Metrics (the prefix is Options.Namespace, "socketio" by default):
//
//	socketio_connected{namespace}                    gauge: sockets connected now
//	socketio_connects_total{namespace}               sockets that connected
//	socketio_disconnects_total{namespace,reason}     sockets that disconnected, by reason
//	socketio_events_received_total{namespace[,event]} events clients sent
//	socketio_events_sent_total{namespace[,event]}    emits (a broadcast counts once)
//	socketio_event_errors_total{namespace}           events whose middleware or handler failed
//	socketio_room_joins_total{namespace}             room joins (own rooms included)
//	socketio_room_leaves_total{namespace}            room leaves
//	socketio_ack_latency_seconds{namespace}          histogram: EmitWithAck to the client's ack
//	socketio_engine_connections{transport}           gauge: Engine.IO sessions now, per transport
//	socketio_engine_connects_total                   sessions opened
//	socketio_engine_disconnects_total{reason}        sessions closed, by reason
//	socketio_engine_upgrades_total                   polling sessions upgraded to WebSocket
//	socketio_received_packets_total                  Engine.IO packets received (messages, pongs)
//	socketio_received_bytes_total                    their data bytes (no framing)
//	socketio_sent_packets_total                      messages queued for clients
//	socketio_sent_bytes_total                        their data bytes
//	socketio_slow_consumer_drops_total               sessions closed for a full write queue
//	socketio_adapter_published_total{namespace,type} messages a cluster adapter sent to other nodes
//	socketio_adapter_published_bytes_total{namespace} their bytes
//	socketio_adapter_received_total{namespace,type}  messages from other nodes handled
//	socketio_adapter_request_timeouts_total{namespace,op} requests not every node answered in time
//
// The event label is opt-in: only the names in Options.Events get their
// own series, every other event counts as "other", so that clients
// cannot create series without bound. Namespace labels are bounded by
// the server (Options.MaxDynamicNamespaces).
package sioprom

import (
	"time"

	"github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/engineio/packet"
	"github.com/prometheus/client_golang/prometheus"
)

// Options configures New. The zero value works.
type Options struct {
	// Namespace is the metric name prefix (default "socketio").
	Namespace string
	// ConstLabels are added to every metric (e.g. the node's name).
	ConstLabels prometheus.Labels
	// Events lists the event names that get their own "event" label
	// value; others count as "other". Nil or empty: no event label.
	Events []string
	// AckBuckets are the ack latency histogram's buckets, in seconds
	// (default 1 ms to 10 s).
	AckBuckets []float64
}

// DefaultAckBuckets are the default buckets of the ack latency histogram.
var DefaultAckBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Collector is a prometheus.Collector of one server's metrics. Create it
// with New, then register it.
type Collector struct {
	srv    *socketio.Server
	events map[string]bool // nil: no event label

	connected   *prometheus.Desc
	engineConns *prometheus.Desc

	connects, disconnects, received, sent, eventErrors *prometheus.CounterVec
	joins, leaves                                      *prometheus.CounterVec
	ackLatency                                         *prometheus.HistogramVec
	engineConnects                                     prometheus.Counter
	engineDisconnects                                  *prometheus.CounterVec
	upgrades, drops                                    prometheus.Counter
	packetsIn, bytesIn, packetsOut, bytesOut           prometheus.Counter
	adapterOut, adapterOutBytes, adapterIn, timeouts   *prometheus.CounterVec
}

// New returns a collector of srv's metrics and installs its hooks
// (srv.AddHooks). Events that happened before are not counted; the
// gauges are read from the server at each scrape.
func New(srv *socketio.Server, opts Options) *Collector {
	ns := opts.Namespace
	if ns == "" {
		ns = "socketio"
	}
	buckets := opts.AckBuckets
	if len(buckets) == 0 {
		buckets = DefaultAckBuckets
	}
	cl := opts.ConstLabels
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: name, Help: help, ConstLabels: cl}, labels)
	}
	plain := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: name, Help: help, ConstLabels: cl})
	}
	c := &Collector{srv: srv}
	eventLabels := []string{"namespace"}
	if len(opts.Events) > 0 {
		c.events = map[string]bool{}
		for _, e := range opts.Events {
			c.events[e] = true
		}
		eventLabels = append(eventLabels, "event")
	}
	c.connected = prometheus.NewDesc(prometheus.BuildFQName(ns, "", "connected"), "Sockets connected now, per namespace.", []string{"namespace"}, cl)
	c.engineConns = prometheus.NewDesc(prometheus.BuildFQName(ns, "", "engine_connections"), "Engine.IO sessions open now, per transport.", []string{"transport"}, cl)
	c.connects = counter("connects_total", "Sockets that connected.", "namespace")
	c.disconnects = counter("disconnects_total", "Sockets that disconnected, by reason.", "namespace", "reason")
	c.received = counter("events_received_total", "Events received from clients.", eventLabels...)
	c.sent = counter("events_sent_total", "Events emitted (a broadcast counts once).", eventLabels...)
	c.eventErrors = counter("event_errors_total", "Received events whose middleware or handler returned an error or panicked.", "namespace")
	c.joins = counter("room_joins_total", "Sockets that joined a room.", "namespace")
	c.leaves = counter("room_leaves_total", "Sockets that left a room.", "namespace")
	c.ackLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "ack_latency_seconds", Help: "Time from an event sent with an acknowledgement to the client's ack.", Buckets: buckets, ConstLabels: cl}, []string{"namespace"})
	c.engineConnects = plain("engine_connects_total", "Engine.IO sessions opened.")
	c.engineDisconnects = counter("engine_disconnects_total", "Engine.IO sessions closed, by reason.", "reason")
	c.upgrades = plain("engine_upgrades_total", "Sessions upgraded from polling to WebSocket.")
	c.drops = plain("slow_consumer_drops_total", "Sessions closed because their write queue was full (clients too slow to read).")
	c.packetsIn = plain("received_packets_total", "Engine.IO packets received (messages and pongs).")
	c.bytesIn = plain("received_bytes_total", "Data bytes of the Engine.IO packets received (without framing).")
	c.packetsOut = plain("sent_packets_total", "Engine.IO messages queued for clients.")
	c.bytesOut = plain("sent_bytes_total", "Data bytes of the messages queued for clients (without framing).")
	c.adapterOut = counter("adapter_published_total", "Messages a cluster adapter sent to the other nodes, by type (broadcast, request, response).", "namespace", "type")
	c.adapterOutBytes = counter("adapter_published_bytes_total", "Bytes of the messages a cluster adapter sent to the other nodes.", "namespace")
	c.adapterIn = counter("adapter_received_total", "Messages from other nodes that the cluster adapter handled, by type.", "namespace", "type")
	c.timeouts = counter("adapter_request_timeouts_total", "Cluster requests that not every node answered in time, by request.", "namespace", "op")
	srv.AddHooks(c.hooks())
	return c
}

func (c *Collector) vectors() []prometheus.Collector {
	return []prometheus.Collector{
		c.connects, c.disconnects, c.received, c.sent, c.eventErrors, c.joins, c.leaves, c.ackLatency,
		c.engineConnects, c.engineDisconnects, c.upgrades, c.drops, c.packetsIn, c.bytesIn, c.packetsOut, c.bytesOut,
		c.adapterOut, c.adapterOutBytes, c.adapterIn, c.timeouts,
	}
}

// Describe sends the descriptors of every metric.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.connected
	ch <- c.engineConns
	for _, v := range c.vectors() {
		v.Describe(ch)
	}
}

// Collect sends the current values: the gauges read from the server now,
// the counters as the hooks left them.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, n := range c.srv.Namespaces() {
		ch <- prometheus.MustNewConstMetric(c.connected, prometheus.GaugeValue, float64(n.SocketsCount()), n.Name())
	}
	polling, websocket := c.srv.Engine().TransportCounts()
	ch <- prometheus.MustNewConstMetric(c.engineConns, prometheus.GaugeValue, float64(polling), engineio.Polling)
	ch <- prometheus.MustNewConstMetric(c.engineConns, prometheus.GaugeValue, float64(websocket), engineio.WebSocket)
	for _, v := range c.vectors() {
		v.Collect(ch)
	}
}

// eventLabels returns the label values of an event counter.
func (c *Collector) eventLabels(nsp, event string) []string {
	if c.events == nil {
		return []string{nsp}
	}
	if !c.events[event] {
		event = "other"
	}
	return []string{nsp, event}
}

func (c *Collector) hooks() *socketio.Hooks {
	return &socketio.Hooks{
		Connect: func(s *socketio.Socket) { c.connects.WithLabelValues(s.Namespace().Name()).Inc() },
		Disconnect: func(s *socketio.Socket, r socketio.Reason, _ error) {
			c.disconnects.WithLabelValues(s.Namespace().Name(), string(r)).Inc()
		},
		RoomJoined: func(n *socketio.Namespace, _, _ string) { c.joins.WithLabelValues(n.Name()).Inc() },
		RoomLeft:   func(n *socketio.Namespace, _, _ string) { c.leaves.WithLabelValues(n.Name()).Inc() },
		Event: func(s *socketio.Socket, e *socketio.Event) func(error) {
			nsp := s.Namespace().Name()
			c.received.WithLabelValues(c.eventLabels(nsp, e.Name)...).Inc()
			return func(err error) {
				if err != nil {
					c.eventErrors.WithLabelValues(nsp).Inc()
				}
			}
		},
		Emit: func(n *socketio.Namespace, _ *socketio.Socket, event string, _ []string) func() {
			c.sent.WithLabelValues(c.eventLabels(n.Name(), event)...).Inc()
			return nil
		},
		Ack: func(s *socketio.Socket, d time.Duration) {
			c.ackLatency.WithLabelValues(s.Namespace().Name()).Observe(d.Seconds())
		},
		Cluster: &adapter.ClusterHooks{
			Published: func(nsp, kind string, n int) {
				c.adapterOut.WithLabelValues(nsp, kind).Inc()
				c.adapterOutBytes.WithLabelValues(nsp).Add(float64(n))
			},
			Received:        func(nsp, kind string, _ int) { c.adapterIn.WithLabelValues(nsp, kind).Inc() },
			RequestTimedOut: func(nsp, op string) { c.timeouts.WithLabelValues(nsp, op).Inc() },
		},
		Engine: &engineio.Hooks{
			Open: func(*engineio.Socket) { c.engineConnects.Inc() },
			Close: func(_ *engineio.Socket, reason string, _ error) {
				c.engineDisconnects.WithLabelValues(reason).Inc()
			},
			Upgrade: func(*engineio.Socket) { c.upgrades.Inc() },
			PacketIn: func(_ *engineio.Socket, _ packet.Type, size int) {
				c.packetsIn.Inc()
				c.bytesIn.Add(float64(size))
			},
			PacketsOut: func(_ *engineio.Socket, n, size int) {
				c.packetsOut.Add(float64(n))
				c.bytesOut.Add(float64(size))
			},
			WriteBufferFull: func(*engineio.Socket, int) { c.drops.Inc() },
		},
	}
}
