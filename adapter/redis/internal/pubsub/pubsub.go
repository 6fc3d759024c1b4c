// Package pubsub keeps a set of Redis pub/sub subscriptions alive for the
// ClusterAdapter transports: classic SUBSCRIBE, or sharded SSUBSCRIBE
// (Redis 7), over a plain client or a Redis Cluster. go-redis carries the
// channels of one PubSub in one (S)SUBSCRIBE when it reconnects, and a
// Redis Cluster refuses sharded channels of different hash slots in one
// command, so on a cluster the sharded channels are grouped by slot: one
// PubSub (one connection, to the slot's master) per slot in use.
package pubsub

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Options configure a Subscriber.
type Options struct {
	// Sharded uses SSUBSCRIBE instead of SUBSCRIBE.
	Sharded bool
	// HealthCheck is how long a connection may stay silent before it is
	// pinged; a ping unanswered for as long again replaces the connection
	// (default 2s).
	HealthCheck time.Duration
	Logger      *slog.Logger
}

// Subscriber delivers the messages of the channels it is told to keep to
// one handler, from one goroutine per connection.
type Subscriber struct {
	rdb     goredis.UniversalClient
	opts    Options
	bySlot  bool
	handler func(channel, payload string)
	log     *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	groups  map[int]*group
	changed chan struct{} // closed and replaced when a confirmation changes
	closed  bool
}

// group is one PubSub: its channels, those Redis confirmed, and the
// goroutine receiving on it.
type group struct {
	key       int
	opMu      sync.Mutex // orders (un)subscribe calls
	ps        *goredis.PubSub
	want      map[string]struct{}
	confirmed map[string]struct{}
	stop      context.CancelFunc
}

// New returns a Subscriber calling handler for every message, on the
// receiving goroutine of the message's connection (one at a time per
// connection). Close it to stop them.
func New(rdb goredis.UniversalClient, opts Options, handler func(channel, payload string)) *Subscriber {
	if opts.HealthCheck <= 0 {
		opts.HealthCheck = 2 * time.Second
	}
	s := &Subscriber{rdb: rdb, opts: opts, handler: handler, groups: map[int]*group{}, changed: make(chan struct{}), log: opts.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	_, isCluster := rdb.(*goredis.ClusterClient)
	s.bySlot = isCluster && opts.Sharded
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

func (s *Subscriber) keyOf(ch string) int {
	if s.bySlot {
		return Slot(ch)
	}
	return 0
}

func (s *Subscriber) newPubSub() *goredis.PubSub {
	if s.opts.Sharded {
		return s.rdb.SSubscribe(s.ctx)
	}
	return s.rdb.Subscribe(s.ctx)
}

// Add subscribes channels (those already kept are left alone). It does not
// wait for Redis: a channel is subscribed as soon as Redis can be reached,
// and again after every reconnection.
func (s *Subscriber) Add(channels ...string) {
	for key, chs := range s.split(channels) {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return
		}
		g := s.groups[key]
		var start context.Context
		if g == nil {
			g = &group{key: key, want: map[string]struct{}{}, confirmed: map[string]struct{}{}, ps: s.newPubSub()}
			start, g.stop = context.WithCancel(s.ctx)
			s.groups[key] = g
			s.wg.Add(1)
		}
		var fresh []string
		for _, ch := range chs {
			if _, ok := g.want[ch]; !ok {
				g.want[ch] = struct{}{}
				fresh = append(fresh, ch)
			}
		}
		s.mu.Unlock()
		if len(fresh) > 0 {
			s.call(g, true, fresh)
		}
		if start != nil {
			// started after the first SUBSCRIBE, so that the connection
			// is made for this group's slot
			go s.receive(start, g)
		}
	}
}

// Remove unsubscribes channels; a connection left without channels is
// closed.
func (s *Subscriber) Remove(channels ...string) {
	for key, chs := range s.split(channels) {
		s.mu.Lock()
		g := s.groups[key]
		if g == nil || s.closed {
			s.mu.Unlock()
			continue
		}
		var gone []string
		for _, ch := range chs {
			if _, ok := g.want[ch]; ok {
				delete(g.want, ch)
				delete(g.confirmed, ch)
				gone = append(gone, ch)
			}
		}
		empty := len(g.want) == 0
		if empty {
			delete(s.groups, key)
		}
		s.mu.Unlock()
		if empty {
			g.stop()
			g.opMu.Lock()
			_ = g.ps.Close()
			g.opMu.Unlock()
		} else if len(gone) > 0 {
			s.call(g, false, gone)
		}
	}
}

func (s *Subscriber) split(channels []string) map[int][]string {
	out := map[int][]string{}
	for _, ch := range channels {
		k := s.keyOf(ch)
		out[k] = append(out[k], ch)
	}
	return out
}

// call sends (S)SUBSCRIBE or (S)UNSUBSCRIBE for chs on g. An error means
// the connection is failing: go-redis keeps the channels and resubscribes
// them when it reconnects.
func (s *Subscriber) call(g *group, sub bool, chs []string) {
	g.opMu.Lock()
	defer g.opMu.Unlock()
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	var err error
	switch {
	case sub && s.opts.Sharded:
		err = g.ps.SSubscribe(ctx, chs...)
	case sub:
		err = g.ps.Subscribe(ctx, chs...)
	case s.opts.Sharded:
		err = g.ps.SUnsubscribe(ctx, chs...)
	default:
		err = g.ps.Unsubscribe(ctx, chs...)
	}
	if err != nil && s.ctx.Err() == nil {
		s.log.Debug("socketio/redis: (un)subscribe failed; retried on reconnect", "err", err)
	}
}

func (s *Subscriber) receive(ctx context.Context, g *group) {
	defer s.wg.Done()
	delay := 50 * time.Millisecond
	pinged := false
	for ctx.Err() == nil {
		g.opMu.Lock()
		ps := g.ps
		g.opMu.Unlock()
		msg, err := ps.ReceiveTimeout(ctx, s.opts.HealthCheck)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && !pinged {
				pinged = true
				if ps.Ping(ctx) == nil {
					continue
				}
			}
			// the connection failed or stayed silent: start over with a
			// new one after a jittered backoff
			pinged = false
			s.unconfirm(g)
			s.replace(g)
			t := time.NewTimer(delay/2 + rand.N(delay/2+1))
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
			delay = min(2*delay, 2*time.Second)
			continue
		}
		pinged = false
		switch m := msg.(type) {
		case *goredis.Subscription:
			delay = 50 * time.Millisecond
			s.confirm(g, m)
		case *goredis.Message:
			s.handler(m.Channel, m.Payload)
		}
	}
}

// replace closes g's PubSub and opens a new one for its channels.
func (s *Subscriber) replace(g *group) {
	s.mu.Lock()
	chs := make([]string, 0, len(g.want))
	for ch := range g.want {
		chs = append(chs, ch)
	}
	s.mu.Unlock()
	g.opMu.Lock()
	_ = g.ps.Close()
	g.ps = s.newPubSub()
	g.opMu.Unlock()
	if len(chs) > 0 {
		s.call(g, true, chs)
	}
}

func (s *Subscriber) confirm(g *group, m *goredis.Subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch m.Kind {
	case "subscribe", "ssubscribe":
		if _, ok := g.want[m.Channel]; ok {
			g.confirmed[m.Channel] = struct{}{}
		}
	case "unsubscribe", "sunsubscribe":
		delete(g.confirmed, m.Channel)
	default:
		return
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Subscriber) unconfirm(g *group) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(g.confirmed) > 0 {
		clear(g.confirmed)
		close(s.changed)
		s.changed = make(chan struct{})
	}
}

// Subscribed reports whether Redis confirmed every channel of chs (since
// the connection carrying it last (re)connected).
func (s *Subscriber) Subscribed(chs ...string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.subscribedLocked(chs)
}

func (s *Subscriber) subscribedLocked(chs []string) bool {
	for _, ch := range chs {
		g := s.groups[s.keyOf(ch)]
		if g == nil {
			return false
		}
		if _, ok := g.confirmed[ch]; !ok {
			return false
		}
	}
	return true
}

// Wait waits until every channel of chs is confirmed, or ctx ends.
func (s *Subscriber) Wait(ctx context.Context, chs ...string) error {
	for {
		s.mu.Lock()
		ok := s.subscribedLocked(chs)
		changed := s.changed
		closed := s.closed
		s.mu.Unlock()
		if ok {
			return nil
		}
		if closed {
			return errClosed
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

var errClosed = errors.New("socketio/redis: subscriber closed")

// Close closes every connection and waits for the receiving goroutines.
func (s *Subscriber) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	groups := s.groups
	s.groups = map[int]*group{}
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	s.cancel()
	for _, g := range groups {
		g.opMu.Lock()
		_ = g.ps.Close()
		g.opMu.Unlock()
	}
	s.wg.Wait()
}

// NumSub returns PUBSUB NUMSUB (or SHARDNUMSUB when sharded) of channel,
// summed over the masters of a Redis Cluster, as Node's adapters count
// the nodes.
func NumSub(ctx context.Context, rdb goredis.UniversalClient, sharded bool, channel string) (int, error) {
	one := func(ctx context.Context, c goredis.UniversalClient) (int, error) {
		var r map[string]int64
		var err error
		if sharded {
			r, err = c.PubSubShardNumSub(ctx, channel).Result()
		} else {
			r, err = c.PubSubNumSub(ctx, channel).Result()
		}
		return int(r[channel]), err
	}
	cc, ok := rdb.(*goredis.ClusterClient)
	if !ok {
		return one(ctx, rdb)
	}
	var mu sync.Mutex
	total := 0
	err := cc.ForEachMaster(ctx, func(ctx context.Context, n *goredis.Client) error {
		k, err := one(ctx, n)
		mu.Lock()
		total += k
		mu.Unlock()
		return err
	})
	return total, err
}
