// What an adapter knows of the nodes that serve its namespace: whether
// this node is subscribed, how many nodes were counted, and the moments
// after this node lost Redis when other nodes may not be back yet. The
// requests of requests.go use it so that an outage never yields a
// silent partial result.

package redis

import (
	"context"
	"sync"
	"time"
)

// minRejoinGrace is the least time after this node subscribes again
// during which nodes counted before it lost Redis are waited for. Nodes
// retry with backoff capped near 2 s (this package's subscriber, and
// ioredis' default retryStrategy), so they are back within it once Redis
// is. RequestsTimeout is used when longer.
const minRejoinGrace = 5 * time.Second

// membership is an adapter's view of the nodes of its namespace. The
// Cluster's subscriber goroutine reports the adapter's subscriptions
// (confirm, lost); requests and the Cluster's peer watcher report node
// counts (count). Safe for concurrent use.
type membership struct {
	mu        sync.Mutex
	channels  map[string]bool // the adapter's channels; true once subscribed on the current connection
	up        chan struct{}   // closed while every channel is subscribed
	isUp      bool
	everUp    bool
	epoch     uint64 // incremented when the subscriptions are lost
	known     int    // nodes counted while subscribed (this one included)
	rejoining bool   // this node subscribed again after losing Redis...
	until     time.Time
	grace     time.Duration // ...and for grace after, a lower count means nodes not back yet
}

func newMembership(grace time.Duration, channels ...string) *membership {
	m := &membership{channels: make(map[string]bool, len(channels)), up: make(chan struct{}), grace: grace}
	for _, ch := range channels {
		m.channels[ch] = false
	}
	return m
}

// confirm records that ch was subscribed (on) or unsubscribed on the
// current connection. When every channel is subscribed again after a
// loss, the rejoin period starts.
func (m *membership) confirm(ch string, on bool, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.channels[ch]; !ok {
		return
	}
	m.channels[ch] = on
	if !on {
		m.down()
		return
	}
	for _, ok := range m.channels {
		if !ok {
			return
		}
	}
	if m.isUp {
		return
	}
	m.isUp = true
	close(m.up)
	if m.everUp && m.known > 1 {
		m.rejoining, m.until = true, now.Add(m.grace)
	}
	m.everUp = true
}

// lost records that the subscriber connection is gone.
func (m *membership) lost() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for ch := range m.channels {
		m.channels[ch] = false
	}
	m.down()
}

func (m *membership) down() {
	m.epoch++
	if m.isUp {
		m.isUp = false
		m.up = make(chan struct{})
	}
}

// state returns a channel closed while the adapter is subscribed, whether
// it is, and the epoch to pass to count.
func (m *membership) state() (up <-chan struct{}, isUp bool, epoch uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.up, m.isUp, m.epoch
}

// count records n nodes counted (PUBSUB NUMSUB) in epoch and returns how
// many a request must hear from: n, or, while this node is rejoining,
// the larger count from before it lost Redis (nodes that were subscribed
// then and may come back). A count from an older epoch, or read while
// not subscribed, is not recorded.
func (m *membership) count(n int, epoch uint64, now time.Time) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if epoch != m.epoch || !m.isUp {
		return n
	}
	if m.rejoining && (n >= m.known || now.After(m.until)) {
		m.rejoining = false // every node is back, or the rest left
	}
	if !m.rejoining {
		m.known = n
		return n
	}
	return m.known
}

// watchPeers counts the nodes of every subscribed namespace each
// HealthCheckInterval while the Cluster is healthy, so that an adapter
// knows how many nodes served its namespace before an outage even if it
// made no request. It runs on its own goroutine until Close.
func (c *Cluster) watchPeers() {
	defer c.wg.Done()
	t := time.NewTicker(c.opts.HealthCheckInterval)
	defer t.Stop()
	type watched struct {
		a     *Adapter
		epoch uint64
	}
	var list []watched
	var chans []string
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		}
		if !c.Healthy() {
			continue
		}
		list, chans = list[:0], chans[:0]
		c.mu.Lock()
		for ch, a := range c.channels {
			if ch != a.requestChannel {
				continue
			}
			if _, isUp, epoch := a.members.state(); isUp {
				list = append(list, watched{a, epoch})
				chans = append(chans, ch)
			}
		}
		c.mu.Unlock()
		if len(chans) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(c.ctx, c.opts.RequestsTimeout)
		counts, err := c.serverCounts(ctx, chans...)
		cancel()
		if err != nil {
			continue // the subscriber and the publisher notice outages
		}
		now := time.Now()
		for i, w := range list {
			w.a.members.count(counts[chans[i]], w.epoch, now)
		}
	}
}

// numSubRead is a PUBSUB NUMSUB of one channel in flight; done is closed
// when n and err are set.
type numSubRead struct {
	done chan struct{}
	n    int
	err  error
}

// numSub returns PUBSUB NUMSUB of channel, waiting at most until ctx
// ends. go-redis bounds network I/O by its own timeouts (ReadTimeout),
// not by the context, unless ContextTimeoutEnabled is set: so the command
// runs on a goroutine of the Cluster (bounded by RequestsTimeout and the
// client's timeouts), one per channel at a time, and callers that need
// the count meanwhile share it.
func (c *Cluster) numSub(ctx context.Context, channel string) (int, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return 0, ErrClosed
	}
	r := c.counting[channel]
	if r == nil {
		r = &numSubRead{done: make(chan struct{})}
		c.counting[channel] = r
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			rctx, cancel := context.WithTimeout(c.ctx, c.opts.RequestsTimeout)
			r.n, r.err = c.serverCount(rctx, channel)
			cancel()
			c.mu.Lock()
			delete(c.counting, channel)
			c.mu.Unlock()
			close(r.done)
		}()
	}
	c.mu.Unlock()
	select {
	case <-r.done:
		return r.n, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
