// Package sharded is a Socket.IO cluster adapter over Redis 7 sharded
// pub/sub (SPUBLISH, SSUBSCRIBE), wire compatible with the
// createShardedAdapter of the npm package @socket.io/redis-adapter 8.3, so
// Go and Node.js servers can serve one cluster. On a Redis Cluster each
// message goes to the one shard that owns its channel, instead of being
// copied to every shard as a classic PUBLISH is: the cross-node traffic
// scales with the shards. It works on a single Redis 7 too.
//
//	rdb := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: addrs})
//	cl := sharded.New(rdb, nil)
//	srv := socketio.NewServer(&socketio.Options{Adapter: cl.Adapter})
//	...
//	srv.Close()
//	cl.Close()
//
// Wire format (socketio/socket.io-redis-adapter lib/sharded-adapter.ts):
// socket.io-adapter's ClusterAdapter messages {uid, nsp, type, data}, JSON
// unless they carry binary (then MessagePack), on "<prefix>#<nsp>#"; the
// answers to a node on "<prefix>#<nsp>#<uid>#"; in the dynamic modes, a
// broadcast to exactly one room on "<prefix>#<nsp>#<room>#", which only
// the nodes that have the room subscribe. The node count is PUBSUB
// SHARDNUMSUB of "<prefix>#<nsp>#", summed over the masters.
//
// Pub/sub delivers at most once: what is published while a node is cut
// off from Redis is lost for it (see adapter/redis's README); requests
// end with a *TimeoutError rather than a silent partial result.
package sharded

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/cluster"
	"github.com/gosio/socketio/adapter/redis/internal/pubsub"
)

// Mode is how many channels a namespace uses (Node: subscriptionMode).
type Mode int

const (
	// Dynamic (the default, as Node's "dynamic"): the namespace's two
	// channels, plus one per public room of this node (not the rooms
	// named after a socket id), subscribed while the room exists.
	Dynamic Mode = iota
	// Static (Node's "static"): two channels per namespace; suits dynamic
	// namespaces.
	Static
	// DynamicPrivate (Node's "dynamic-private"): like Dynamic, with a
	// channel for the rooms of single sockets too (lots of 1:1 emits).
	DynamicPrivate
)

// Options configure a Cluster. The zero value works.
type Options struct {
	// ChannelPrefix prefixes every channel (default "socket.io"; it must
	// match the Node nodes' channelPrefix).
	ChannelPrefix string
	// SubscriptionMode is Dynamic unless set; every node of a cluster
	// must use the same.
	SubscriptionMode Mode
	// RequestsTimeout bounds fetchSockets and serverSideEmit with acks,
	// counting the nodes included (default 5s, as Node).
	RequestsTimeout time.Duration
	// PublishQueueSize bounds the messages waiting to be published
	// (default 10000); when it is full further messages are dropped and
	// counted in Stats: a broadcast never blocks on Redis.
	PublishQueueSize int
	// HealthCheckInterval is how long a subscriber connection may stay
	// silent before it is pinged (default 2s).
	HealthCheckInterval time.Duration
	// Logger receives connection state changes; nil means quiet.
	Logger *slog.Logger
}

// Errors of requests; errors.Is(err, adapter.ErrTimeout) holds for a
// *TimeoutError.
var (
	ErrClosed      = cluster.ErrClosed
	ErrUnavailable = cluster.ErrUnavailable
)

// TimeoutError is returned when the other nodes did not all answer a
// request in time.
type TimeoutError = cluster.TimeoutError

// Stats are counters of a Cluster since it was created.
type Stats struct {
	Published uint64 // messages published
	Dropped   uint64 // messages not published: queue full, Redis failed them, closed
	Received  uint64 // messages received
	Ignored   uint64 // malformed, or of an unknown channel
}

// Cluster connects the namespaces of one server to the other nodes
// through sharded pub/sub. Its Adapter method is the adapter.Factory to
// put in socketio.Options.
type Cluster struct {
	rdb  goredis.UniversalClient
	opts Options
	log  *slog.Logger
	sub  *pubsub.Subscriber

	queue chan outMsg
	qmu   sync.RWMutex
	shut  bool
	done  chan struct{}

	mu       sync.Mutex
	channels map[string]*Adapter // subscribed channel -> adapter

	published, dropped, received, ignored atomic.Uint64
}

type outMsg struct {
	channel string
	payload []byte
}

// New returns a Cluster over rdb: a *goredis.ClusterClient for a Redis
// Cluster (one subscriber connection per hash slot in use: go-redis
// carries one slot per sharded PubSub), or a *goredis.Client for a single
// Redis 7. It does not wait for Redis. Close it after the server; rdb
// stays open (it is the caller's).
func New(rdb goredis.UniversalClient, opts *Options) *Cluster {
	c := &Cluster{rdb: rdb, channels: map[string]*Adapter{}, done: make(chan struct{})}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.ChannelPrefix == "" {
		c.opts.ChannelPrefix = "socket.io"
	}
	if c.opts.RequestsTimeout <= 0 {
		c.opts.RequestsTimeout = 5 * time.Second
	}
	if c.opts.PublishQueueSize <= 0 {
		c.opts.PublishQueueSize = 10000
	}
	c.log = c.opts.Logger
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.queue = make(chan outMsg, c.opts.PublishQueueSize)
	c.sub = pubsub.New(rdb, pubsub.Options{Sharded: true, HealthCheck: c.opts.HealthCheckInterval, Logger: c.log}, c.onMessage)
	go c.publisher()
	return c
}

// Adapter creates the adapter of nsp; it is an adapter.Factory.
func (c *Cluster) Adapter(nsp adapter.Namespace) adapter.Adapter { return c.newAdapter(nsp) }

// Stats returns the counters.
func (c *Cluster) Stats() Stats {
	return Stats{Published: c.published.Load(), Dropped: c.dropped.Load(), Received: c.received.Load(), Ignored: c.ignored.Load()}
}

// Close stops the subscribers and the publisher (messages still queued
// are dropped), fails pending requests with ErrClosed and waits for its
// goroutines. Close the server first.
func (c *Cluster) Close() error {
	c.qmu.Lock()
	if c.shut {
		c.qmu.Unlock()
		return nil
	}
	c.shut = true
	close(c.queue)
	c.qmu.Unlock()
	c.sub.Close()
	<-c.done
	c.mu.Lock()
	adapters := map[*Adapter]struct{}{}
	for _, a := range c.channels {
		adapters[a] = struct{}{}
	}
	c.mu.Unlock()
	for a := range adapters {
		_ = a.Core.Close()
	}
	return nil
}

// publish queues a message; it never blocks.
func (c *Cluster) publish(channel string, payload []byte) bool {
	c.qmu.RLock()
	defer c.qmu.RUnlock()
	if c.shut {
		c.dropped.Add(1)
		return false
	}
	select {
	case c.queue <- outMsg{channel, payload}:
		return true
	default:
		c.dropped.Add(1)
		return false
	}
}

const maxBatch = 256

// publisher sends the queued messages in pipelined batches (go-redis
// splits them by shard), once each.
func (c *Cluster) publisher() {
	defer close(c.done)
	batch := make([]outMsg, 0, maxBatch)
	for {
		m, ok := <-c.queue
		if !ok {
			return
		}
		batch = append(batch[:0], m)
	more:
		for len(batch) < maxBatch {
			select {
			case m, ok := <-c.queue:
				if !ok {
					break more
				}
				batch = append(batch, m)
			default:
				break more
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.opts.RequestsTimeout)
		pipe := c.rdb.Pipeline()
		cmds := make([]*goredis.IntCmd, len(batch))
		for i, m := range batch {
			cmds[i] = pipe.SPublish(ctx, m.channel, m.payload)
		}
		_, _ = pipe.Exec(ctx)
		cancel()
		for _, cmd := range cmds {
			if cmd.Err() != nil {
				c.dropped.Add(1)
			} else {
				c.published.Add(1)
			}
		}
		clear(batch)
	}
}

// onMessage handles a message of a subscribed channel (subscriber
// goroutine of the channel's slot).
func (c *Cluster) onMessage(channel, payload string) {
	c.mu.Lock()
	a := c.channels[channel]
	c.mu.Unlock()
	if a == nil {
		c.ignored.Add(1)
		return
	}
	m, err := cluster.Decode([]byte(payload))
	if err != nil {
		c.ignored.Add(1)
		return
	}
	c.received.Add(1)
	if channel == a.response {
		a.HandleResponse(m)
		return
	}
	a.HandleMessage(m, "")
}
