package redis

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/cluster"
)

// Options configure a Cluster. The zero value works.
type Options struct {
	// Key prefixes every channel (default "socket.io", as the Node
	// adapter).
	Key string
	// RequestsTimeout bounds requests to other nodes: FetchSockets,
	// ServerSideEmit with acks, AllRooms, ServerCount (each counting,
	// waiting and answering included), and the bookkeeping of broadcasts
	// with acks that set no timeout (default 5s, as the Node adapter's
	// requestsTimeout).
	RequestsTimeout time.Duration
	// PublishOnSpecificResponseChannel sends responses to the requesting
	// node's own channel "<key>-response#<nsp>#<uid>#" instead of the
	// shared one (Node: publishOnSpecificResponseChannel).
	PublishOnSpecificResponseChannel bool
	// PublishQueueSize bounds the messages waiting to be published
	// (default 10000). When it is full, further messages are dropped and
	// counted in Stats.Dropped: a broadcast never blocks on Redis.
	PublishQueueSize int
	// HealthCheckInterval is how long the subscriber connection may stay
	// silent before it is pinged; a ping unanswered for as long again
	// makes it reconnect (default 2s). The nodes of every namespace are
	// counted as often (one PUBSUB NUMSUB), so that after an outage a
	// node knows which nodes to wait for.
	HealthCheckInterval time.Duration
	// Logger receives connection state changes and dropped input; nil
	// means quiet.
	Logger *slog.Logger
}

// Stats are counters of a Cluster since it was created.
type Stats struct {
	Published        uint64 // messages published
	Dropped          uint64 // messages not published: queue full, or Redis unreachable
	Received         uint64 // messages received from other nodes
	Ignored          uint64 // malformed messages, or meant for another namespace or room
	Reconnects       uint64 // subscriber connections lost and re-established
	SubscriberUp     bool   // the subscriber connection is established and subscribed
	PublisherHealthy bool   // the last publish succeeded
}

// ErrClosed is returned by requests made after Close, and by requests
// pending when it is called.
// It is the same value as streams.ErrClosed and sharded.ErrClosed.
var ErrClosed = cluster.ErrClosed

// Cluster connects the namespaces of one server to the other nodes
// through Redis. Its Adapter method is the adapter.Factory to put in
// socketio.Options.
type Cluster struct {
	rdb  goredis.UniversalClient
	opts Options
	log  *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	queue  chan outMsg

	// subLost tells the publisher that the subscriber lost Redis; pubStop
	// cancels the publish in flight (set while one is).
	subLost chan struct{}
	pubMu   sync.Mutex
	pubStop context.CancelFunc

	mu       sync.Mutex
	ps       *goredis.PubSub        // current subscriber, nil while disconnected
	channels map[string]*Adapter    // SUBSCRIBE channel -> adapter
	patterns map[string]*Adapter    // PSUBSCRIBE pattern -> adapter
	counting map[string]*numSubRead // PUBSUB NUMSUB in flight, by channel
	wake     chan struct{}          // a namespace was added while idle
	closed   bool

	published, dropped, received, ignored, reconnects atomic.Uint64
	subUp, pubOK                                      atomic.Bool
}

// New returns a Cluster publishing and subscribing through rdb (a
// *goredis.Client, *goredis.ClusterClient, *goredis.Ring or failover
// client; its MaxRetries and timeouts apply). It does not wait for Redis:
// a server starts and serves its own clients while Redis is away. Close
// it after the server; rdb stays open (it is the caller's).
func New(rdb goredis.UniversalClient, opts *Options) *Cluster {
	c := &Cluster{rdb: rdb, channels: map[string]*Adapter{}, patterns: map[string]*Adapter{}, counting: map[string]*numSubRead{}, wake: make(chan struct{}, 1)}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.Key == "" {
		c.opts.Key = "socket.io"
	}
	if c.opts.RequestsTimeout <= 0 {
		c.opts.RequestsTimeout = 5 * time.Second
	}
	if c.opts.PublishQueueSize <= 0 {
		c.opts.PublishQueueSize = 10000
	}
	if c.opts.HealthCheckInterval <= 0 {
		c.opts.HealthCheckInterval = 2 * time.Second
	}
	c.log = c.opts.Logger
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.pubOK.Store(true)
	c.queue = make(chan outMsg, c.opts.PublishQueueSize)
	c.subLost = make(chan struct{}, 1)
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.wg.Add(3)
	go c.subscriber()
	go c.publisher()
	go c.watchPeers()
	return c
}

// Stats returns the counters.
func (c *Cluster) Stats() Stats {
	return Stats{
		Published:        c.published.Load(),
		Dropped:          c.dropped.Load(),
		Received:         c.received.Load(),
		Ignored:          c.ignored.Load(),
		Reconnects:       c.reconnects.Load(),
		SubscriberUp:     c.subUp.Load(),
		PublisherHealthy: c.pubOK.Load(),
	}
}

// Healthy reports whether the node is currently connected to the cluster:
// subscribed, and its last publish succeeded.
func (c *Cluster) Healthy() bool { return c.subUp.Load() && c.pubOK.Load() }

// Close stops the subscriber and the publisher (messages still queued are
// dropped), fails pending requests with ErrClosed and waits for its
// goroutines. Close the server first.
func (c *Cluster) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	ps := c.ps
	adapters := make(map[*Adapter]struct{})
	for _, a := range c.channels {
		adapters[a] = struct{}{}
	}
	c.mu.Unlock()
	c.cancel()
	if ps != nil {
		_ = ps.Close() // unblocks the receive loop
	}
	c.wg.Wait()
	for a := range adapters {
		a.failPending(ErrClosed)
	}
	return nil
}

// register subscribes a's channels (now if connected, else on connect).
func (c *Cluster) register(a *Adapter) {
	chans := []string{a.requestChannel, a.responseChannel, a.specificResponseChannel}
	pat := a.channel + "*"
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	for _, ch := range chans {
		c.channels[ch] = a
	}
	c.patterns[pat] = a
	ps := c.ps
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
	if ps == nil {
		return // the subscriber loop subscribes everything when it connects
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		ctx, cancel := context.WithTimeout(c.ctx, c.opts.RequestsTimeout)
		defer cancel()
		// An error here means the connection is failing: the loop
		// reconnects and resubscribes from the registry.
		if err := ps.Subscribe(ctx, chans...); err == nil {
			_ = ps.PSubscribe(ctx, pat)
		}
	}()
}

// unregister drops a's subscriptions.
func (c *Cluster) unregister(a *Adapter) {
	chans := []string{a.requestChannel, a.responseChannel, a.specificResponseChannel}
	pat := a.channel + "*"
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	for _, ch := range chans {
		if c.channels[ch] == a {
			delete(c.channels, ch)
		}
	}
	if c.patterns[pat] == a {
		delete(c.patterns, pat)
	}
	ps := c.ps
	c.mu.Unlock()
	if ps == nil {
		return
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		ctx, cancel := context.WithTimeout(c.ctx, c.opts.RequestsTimeout)
		defer cancel()
		if err := ps.Unsubscribe(ctx, chans...); err == nil {
			_ = ps.PUnsubscribe(ctx, pat)
		}
	}()
}

func (c *Cluster) subscriber() {
	defer c.wg.Done()
	bo := backoff{min: 50 * time.Millisecond, max: 2 * time.Second}
	for c.ctx.Err() == nil {
		c.mu.Lock()
		chans := make([]string, 0, len(c.channels))
		for ch := range c.channels {
			chans = append(chans, ch)
		}
		pats := make([]string, 0, len(c.patterns))
		for p := range c.patterns {
			pats = append(pats, p)
		}
		if len(chans) == 0 && len(pats) == 0 {
			c.mu.Unlock()
			select {
			case <-c.wake:
			case <-c.ctx.Done():
			}
			continue
		}
		ps := c.rdb.Subscribe(c.ctx)
		c.ps = ps
		c.mu.Unlock()

		err := ps.Subscribe(c.ctx, chans...)
		if err == nil && len(pats) > 0 {
			err = ps.PSubscribe(c.ctx, pats...)
		}
		if err == nil {
			err = c.receive(ps, &bo)
		}
		c.mu.Lock()
		c.ps = nil
		c.mu.Unlock()
		_ = ps.Close()
		c.subscriptionsLost()
		wasUp := c.subUp.Swap(false)
		if c.ctx.Err() != nil {
			return
		}
		if wasUp {
			c.reconnects.Add(1)
			c.log.Warn("socketio/redis: subscriber connection lost; reconnecting", "err", err)
			c.suspendPublishing()
		}
		t := time.NewTimer(bo.next())
		select {
		case <-t.C:
		case <-c.ctx.Done():
			t.Stop()
		}
	}
}

// receive reads messages from ps until it fails or stays silent past a
// health-check ping.
func (c *Cluster) receive(ps *goredis.PubSub, bo *backoff) error {
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(c.ctx, c.opts.HealthCheckInterval)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && c.ctx.Err() == nil {
				if pinged {
					return errors.New("socketio/redis: health-check ping unanswered")
				}
				pinged = true
				if err := ps.Ping(c.ctx); err != nil {
					return err
				}
				continue
			}
			return err
		}
		pinged = false
		switch m := msg.(type) {
		case *goredis.Subscription:
			c.subscriptionChanged(m)
			if !c.subUp.Swap(true) {
				bo.reset()
				c.log.Info("socketio/redis: subscribed")
			}
		case *goredis.Message:
			c.dispatch(m)
		}
	}
}

func (c *Cluster) dispatch(m *goredis.Message) {
	c.mu.Lock()
	var a *Adapter
	if m.Pattern != "" {
		a = c.patterns[m.Pattern]
	} else {
		a = c.channels[m.Channel]
	}
	c.mu.Unlock()
	if a == nil {
		c.ignored.Add(1)
		return
	}
	if m.Pattern != "" {
		a.onMessage(m.Channel, m.Payload)
	} else {
		a.onRequest(m.Channel, m.Payload)
	}
}

// serverCount is PUBSUB NUMSUB of channel, summed over the masters of a
// Redis Cluster.
func (c *Cluster) serverCount(ctx context.Context, channel string) (int, error) {
	r, err := c.serverCounts(ctx, channel)
	return r[channel], err
}

// serverCounts is PUBSUB NUMSUB of channels (one command), summed over
// the masters of a Redis Cluster.
func (c *Cluster) serverCounts(ctx context.Context, channels ...string) (map[string]int, error) {
	total := make(map[string]int, len(channels))
	if cc, ok := c.rdb.(*goredis.ClusterClient); ok {
		var mu sync.Mutex
		err := cc.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error {
			r, err := n.PubSubNumSub(ctx, channels...).Result()
			if err != nil {
				return err
			}
			mu.Lock()
			for ch, k := range r {
				total[ch] += int(k)
			}
			mu.Unlock()
			return nil
		})
		return total, err
	}
	r, err := c.rdb.PubSubNumSub(ctx, channels...).Result()
	if err != nil {
		return total, err
	}
	for ch, k := range r {
		total[ch] = int(k)
	}
	return total, nil
}

// subscriptionChanged tells the adapter owning m's channel that it was
// subscribed or unsubscribed. It runs on the subscriber goroutine.
func (c *Cluster) subscriptionChanged(m *goredis.Subscription) {
	var on bool
	switch m.Kind {
	case "subscribe":
		on = true
	case "unsubscribe":
	default:
		return // patterns carry broadcasts, not requests
	}
	c.mu.Lock()
	a := c.channels[m.Channel]
	c.mu.Unlock()
	if a != nil {
		a.members.confirm(m.Channel, on, time.Now())
	}
}

// subscriptionsLost tells every adapter that the subscriber connection is
// gone. It runs on the subscriber goroutine.
func (c *Cluster) subscriptionsLost() {
	c.mu.Lock()
	adapters := make(map[*Adapter]struct{}, len(c.channels))
	for _, a := range c.channels {
		adapters[a] = struct{}{}
	}
	c.mu.Unlock()
	for a := range adapters {
		a.members.lost()
	}
}

// Adapter creates the adapter of nsp; it is an adapter.Factory.
func (c *Cluster) Adapter(nsp adapter.Namespace) adapter.Adapter {
	return c.newAdapter(nsp)
}

// backoff is exponential with full jitter between min and the current cap.
type backoff struct {
	min, max time.Duration
	n        int
}

func (b *backoff) next() time.Duration {
	d := b.min << min(b.n, 16)
	if d > b.max || d <= 0 {
		d = b.max
	} else {
		b.n++
	}
	return b.min + time.Duration(rand.Int64N(int64(d-b.min)+1))
}

func (b *backoff) reset() { b.n = 0 }

const uidChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// uid returns n random characters, as uid2(n).
func uid(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = uidChars[rand.IntN(len(uidChars))]
	}
	return string(b)
}
