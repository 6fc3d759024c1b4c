package streams

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

type opKind uint8

const (
	opAdd     opKind = iota // XADD: retried until written
	opSet                   // SET PX (a session): retried until written
	opPublish               // PUBLISH or SPUBLISH: at most once
)

// op is one write to Redis.
type op struct {
	kind    opKind
	key     string // stream, session key or channel
	fields  []any  // opAdd
	payload string // opSet, opPublish
	ttl     time.Duration
	// dropped, if set, runs when the write is given up (Redis refused it
	// for good, or Close's deadline passed), on the publisher goroutine.
	dropped func()
}

// publisher writes queued ops to Redis in pipelined batches, from one
// goroutine, in order. Stream entries and sessions that fail are retried
// with backoff, before anything queued after them, until they are written
// or Close gives up: a Redis restart delays them, it does not lose them
// (a retry after a reply that was lost can write an entry twice).
// Pub/sub messages are sent once.
type publisher struct {
	c     *Cluster
	w     goredis.UniversalClient // writes (writerClient)
	wDone func()
	queue chan op
	mu    sync.RWMutex // held to enqueue; Lock to close the queue
	shut  bool
	done  chan struct{}
	stop  chan time.Time // Close's deadline

	// lastAdded is, per stream, the id of the last entry this publisher
	// wrote (publisher goroutine only).
	lastAdded map[string]string

	added, published, retried, dropped atomic.Uint64
}

const maxBatch = 256

func newPublisher(c *Cluster) *publisher {
	w, wDone := writerClient(c.rdb)
	p := &publisher{c: c, w: w, wDone: wDone, queue: make(chan op, c.opts.PublishQueueSize), done: make(chan struct{}), stop: make(chan time.Time, 1), lastAdded: map[string]string{}}
	go p.run()
	return p
}

// enqueue queues o; it never blocks. It reports false (counting the op
// dropped) when the queue is full or closed.
func (p *publisher) enqueue(o op) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.shut {
		p.dropped.Add(1)
		return false
	}
	select {
	case p.queue <- o:
		return true
	default:
		p.dropped.Add(1)
		return false
	}
}

func (p *publisher) stats(s *Stats) {
	s.Added, s.Published, s.Retried, s.Dropped = p.added.Load(), p.published.Load(), p.retried.Load(), p.dropped.Load()
}

// close stops taking ops, writes those queued for at most d, then drops
// the rest and waits for the goroutine.
func (p *publisher) close(d time.Duration) {
	p.mu.Lock()
	if p.shut {
		p.mu.Unlock()
		<-p.done
		return
	}
	p.shut = true
	close(p.queue)
	p.mu.Unlock()
	p.stop <- time.Now().Add(d)
	<-p.done
}

func (p *publisher) run() {
	defer close(p.done)
	defer p.wDone()
	var deadline time.Time // set once closing
	batch := make([]op, 0, maxBatch)
	for {
		o, ok := <-p.queue
		if !ok {
			return
		}
		batch = append(batch[:0], o)
	more:
		for len(batch) < maxBatch {
			select {
			case o, ok := <-p.queue:
				if !ok {
					break more
				}
				batch = append(batch, o)
			default:
				break more
			}
		}
		if deadline.IsZero() {
			select {
			case deadline = <-p.stop:
			default:
			}
		}
		deadline = p.write(batch, deadline)
		clear(batch)
	}
}

// write writes batch, retrying the stream entries and sessions Redis
// failed, with backoff, until they are written or deadline (zero: none
// yet; Close may set one meanwhile, which is returned) passes.
func (p *publisher) write(batch []op, deadline time.Time) time.Time {
	rdb := p.w
	delay := 50 * time.Millisecond
	check := false // a failed XADD may have been written before its reply was lost
	for len(batch) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), p.c.opts.RequestsTimeout)
		if !deadline.IsZero() {
			ctx, cancel = context.WithDeadline(context.Background(), deadline)
		}
		if check {
			var err error
			if batch, err = p.dropWritten(ctx, batch); err != nil {
				cancel()
				if deadline = p.pause(&delay, batch, deadline); len(batch) == 0 || (!deadline.IsZero() && time.Now().After(deadline)) {
					return deadline
				}
				continue
			}
			check = false
			if len(batch) == 0 {
				cancel()
				return deadline
			}
		}
		pipe := rdb.Pipeline()
		cmds := make([]goredis.Cmder, len(batch))
		for i, o := range batch {
			switch o.kind {
			case opAdd:
				cmds[i] = pipe.XAdd(ctx, &goredis.XAddArgs{Stream: o.key, MaxLen: p.c.opts.MaxLen, Approx: true, ID: "*", Values: o.fields})
			case opSet:
				cmds[i] = pipe.Set(ctx, o.key, o.payload, o.ttl)
			case opPublish:
				if p.c.opts.UseShardedPubSub {
					cmds[i] = pipe.SPublish(ctx, o.key, o.payload)
				} else {
					cmds[i] = pipe.Publish(ctx, o.key, o.payload)
				}
			}
		}
		_, _ = pipe.Exec(ctx)
		cancel()
		retry := batch[:0]
		for i, o := range batch {
			err := cmds[i].Err()
			switch {
			case err == nil && o.kind == opPublish:
				p.published.Add(1)
			case err == nil:
				p.added.Add(1)
				if o.kind == opAdd {
					p.lastAdded[o.key] = cmds[i].(*goredis.StringCmd).Val()
				}
			case o.kind != opPublish && transient(err):
				var re goredis.Error
				if o.kind == opAdd && !errors.As(err, &re) {
					check = true
				}
				retry = append(retry, o)
			default:
				p.giveUp(o, err)
			}
		}
		if len(retry) == 0 {
			return deadline
		}
		clear(batch[len(retry):])
		batch = retry
		p.retried.Add(uint64(len(batch)))
		deadline = p.pause(&delay, batch, deadline)
		if !deadline.IsZero() && time.Now().After(deadline) {
			return deadline
		}
	}
	return deadline
}

// pause waits before a retry (jittered exponential backoff up to 1s),
// picking up Close's deadline; once it has passed, batch is given up.
func (p *publisher) pause(delay *time.Duration, batch []op, deadline time.Time) time.Time {
	if deadline.IsZero() {
		select {
		case deadline = <-p.stop:
		default:
		}
	}
	if deadline.IsZero() || time.Now().Before(deadline) {
		t := time.NewTimer(*delay/2 + rand.N(*delay/2+1))
		select {
		case <-t.C:
		case deadline = <-p.stop:
			t.Stop()
		}
		*delay = min(2**delay, time.Second)
	}
	if !deadline.IsZero() && time.Now().After(deadline) {
		for _, o := range batch {
			p.giveUp(o, errClosed)
		}
	}
	return deadline
}

// dropWritten removes from batch the stream entries Redis wrote although
// their XADD failed (the connection broke before the reply): this
// publisher writes in order, so those are the first pending entries of
// each stream, and they are the latest entries with their uid after the
// last entry it knows it wrote. It looks at the last 1000 entries of each
// stream. An error means Redis cannot be asked yet.
func (p *publisher) dropWritten(ctx context.Context, batch []op) ([]op, error) {
	pending := map[string][]int{} // stream -> indexes in batch of its XADDs
	for i, o := range batch {
		if o.kind == opAdd {
			pending[o.key] = append(pending[o.key], i)
		}
	}
	written := map[int]bool{}
	for stream, idx := range pending {
		uids := map[string]bool{}
		for _, i := range idx {
			uids[batch[i].fields[1].(string)] = true
		}
		es, err := p.w.XRevRangeN(ctx, stream, "+", "-", 1000).Result()
		if err != nil {
			return batch, err
		}
		var ours []goredis.XMessage // newest first
		for _, e := range es {
			if last := p.lastAdded[stream]; last != "" && compareIDs(e.ID, last) <= 0 {
				break
			}
			if u, _ := e.Values["uid"].(string); uids[u] {
				ours = append(ours, e)
			}
		}
		for k, i := range idx {
			if k >= len(ours) || !sameFields(ours[len(ours)-1-k], batch[i].fields) {
				break
			}
			written[i] = true
			p.lastAdded[stream] = ours[len(ours)-1-k].ID
			p.added.Add(1)
		}
	}
	if len(written) == 0 {
		return batch, nil
	}
	out := batch[:0]
	for i, o := range batch {
		if !written[i] {
			out = append(out, o)
		}
	}
	return out, nil
}

// sameFields reports whether entry e holds exactly the fields f.
func sameFields(e goredis.XMessage, f []any) bool {
	if len(e.Values) != len(f)/2 {
		return false
	}
	for i := 0; i+1 < len(f); i += 2 {
		if v, _ := e.Values[f[i].(string)].(string); v != f[i+1] {
			return false
		}
	}
	return true
}

func (p *publisher) giveUp(o op, err error) {
	p.dropped.Add(1)
	p.c.log.Warn("socketio/redis: write to Redis dropped", "key", o.key, "err", err)
	if o.dropped != nil {
		o.dropped()
	}
}

// transient reports whether a failed write may succeed later: network
// errors, timeouts, and the replies of a Redis that is starting, busy or
// failing over. Other Redis errors (wrong type, out of memory) are final.
func transient(err error) bool {
	var re goredis.Error
	if !errors.As(err, &re) {
		return true
	}
	msg := re.Error()
	for _, p := range []string{"LOADING", "BUSY", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN", "READONLY", "MOVED", "ASK"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}
