// The publisher: one goroutine per Cluster that publishes queued messages
// in pipelined batches, and stops publishing (dropping, counting) while
// Redis is away.

package redis

import (
	"context"
	"errors"
	"time"
)

type outMsg struct {
	channel string
	payload []byte
}

// publish queues a message; it never blocks. While Redis is known to be
// unreachable the message is dropped at once: pub/sub keeps nothing for
// later, and delivering it late would reorder it with what follows. It
// reports whether the message was queued.
func (c *Cluster) publish(channel string, payload []byte) bool {
	if !c.pubOK.Load() {
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

func (c *Cluster) publisher() {
	defer c.wg.Done()
	batch := make([]outMsg, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case m := <-c.queue:
			batch = append(batch, m)
		case <-c.subLost:
			c.publisherDown(errSubscriberLost)
			continue
		case <-c.ctx.Done():
			c.dropped.Add(uint64(len(c.queue)))
			return
		}
	more:
		for len(batch) < maxBatch {
			select {
			case m := <-c.queue:
				batch = append(batch, m)
			default:
				break more
			}
		}
		select {
		case <-c.subLost: // queued before the subscriber found Redis gone
			c.dropped.Add(uint64(len(batch)))
			c.publisherDown(errSubscriberLost)
			continue
		default:
		}
		ctx, cancel := context.WithTimeout(c.ctx, c.opts.RequestsTimeout)
		c.pubMu.Lock()
		c.pubStop = cancel
		c.pubMu.Unlock()
		var err error
		if len(batch) == 1 {
			err = c.rdb.Publish(ctx, batch[0].channel, batch[0].payload).Err()
		} else {
			pipe := c.rdb.Pipeline()
			for _, m := range batch {
				pipe.Publish(ctx, m.channel, m.payload)
			}
			_, err = pipe.Exec(ctx)
		}
		c.pubMu.Lock()
		c.pubStop = nil
		c.pubMu.Unlock()
		cancel()
		if err == nil {
			c.published.Add(uint64(len(batch)))
			continue
		}
		c.dropped.Add(uint64(len(batch)))
		if c.ctx.Err() != nil {
			continue
		}
		c.publisherDown(err)
	}
}

// publisherDown drops what is queued and refuses new messages until a
// PING succeeds, probing once per backoff period instead of spinning.
// What was queued meanwhile (messages that passed the health check just
// before it failed) is dropped before publishing resumes.
func (c *Cluster) publisherDown(err error) {
	c.pubOK.Store(false)
	c.log.Warn("socketio/redis: publish failed; dropping messages until Redis is back", "err", err)
	bo := backoff{min: 50 * time.Millisecond, max: time.Second}
	for {
		c.dropQueued()
		t := time.NewTimer(bo.next())
		select {
		case <-t.C:
		case <-c.ctx.Done():
			t.Stop()
			return
		}
		ctx, cancel := context.WithTimeout(c.ctx, c.opts.RequestsTimeout)
		err := c.rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			c.dropQueued()
			select {
			case <-c.subLost: // covered by this outage
			default:
			}
			c.pubOK.Store(true)
			c.log.Info("socketio/redis: publishing again")
			return
		}
	}
}

// errSubscriberLost is why publishing stops when the subscriber lost its
// connection.
var errSubscriberLost = errors.New("socketio/redis: the subscriber connection was lost")

// suspendPublishing stops publishing when the subscriber lost Redis: the
// publish in flight is cancelled (a dial to a dead Redis can take most of
// a second, and one that succeeds after a quick restart would deliver the
// outage's messages late), and the publisher drops what is queued and
// probes Redis before it publishes again. It runs on the subscriber
// goroutine.
func (c *Cluster) suspendPublishing() {
	c.pubOK.Store(false)
	c.pubMu.Lock()
	if c.pubStop != nil {
		c.pubStop()
	}
	c.pubMu.Unlock()
	select {
	case c.subLost <- struct{}{}:
	default:
	}
}

// dropQueued empties the publish queue, counting its messages as dropped.
func (c *Cluster) dropQueued() {
	for {
		select {
		case <-c.queue:
			c.dropped.Add(1)
		default:
			return
		}
	}
}
