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
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/gosio/socketio/adapter/redis/internal/cluster"
)

// reader follows one stream with blocking XREADs from the last entry it
// handled, on its own goroutine and (for a *goredis.Client or
// *goredis.ClusterClient) its own connection, so that Close can end a
// blocked read with CLIENT UNBLOCK. After an error it reads again from the
// same entry, with backoff: nothing within the stream's retention is
// missed.
type reader struct {
	c      *Cluster
	stream string

	// mu is the hold of connection state recovery: the reader takes it to
	// deliver each broadcast and advance pos, and a restore takes it while
	// it applies, so no broadcast lands in between.
	mu       sync.Mutex
	advanced *sync.Cond // on mu: pos moved, or the reader stopped
	pos      string     // last entry handled; "" until known
	stopped  bool

	// ordinal is the number of the entry at pos in the stream's history
	// (XINFO entries-added counts them), -1 when unknown (reader goroutine
	// only).
	ordinal int64

	up     atomic.Bool
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	connMu   sync.Mutex
	connID   int64  // CLIENT ID of the blocking connection (0: none)
	connAddr string // the node it is connected to
}

func newReader(c *Cluster, stream string) *reader {
	r := &reader{c: c, stream: stream, done: make(chan struct{})}
	r.advanced = sync.NewCond(&r.mu)
	r.ctx, r.cancel = context.WithCancel(context.Background())
	go r.run()
	return r
}

// streamConn is what the reader needs of a connection.
type streamConn interface {
	XRead(ctx context.Context, a *goredis.XReadArgs) *goredis.XStreamSliceCmd
	XInfoStream(ctx context.Context, stream string) *goredis.XInfoStreamCmd
}

// dial returns a client of its own (one connection) for the stream's
// node, and how to release it; the shared client when the client type
// offers no way to find that node. (A client of its own rather than
// Client.Conn: a Conn shares the parent's options, which go-redis 9.23
// writes during a connection handshake.)
func (r *reader) dial() (streamConn, func(), error) {
	var base *goredis.Options
	switch rdb := r.c.rdb.(type) {
	case *goredis.Client:
		base = rdb.Options()
	case *goredis.ClusterClient:
		ctx, cancel := context.WithTimeout(r.ctx, r.c.opts.RequestsTimeout)
		defer cancel()
		m, err := rdb.MasterForKey(ctx, r.stream)
		if err != nil {
			return nil, nil, err
		}
		base = m.Options()
	default:
		return r.c.rdb, func() {}, nil
	}
	o := *base
	o.PoolSize, o.MinIdleConns, o.MaxIdleConns, o.MaxRetries = 1, 0, 1, -1
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	cl := goredis.NewClient(&o)
	ctx, cancel := context.WithTimeout(r.ctx, r.c.opts.RequestsTimeout)
	defer cancel()
	id, err := cl.ClientID(ctx).Result()
	if err != nil {
		_ = cl.Close()
		return nil, nil, err
	}
	r.connMu.Lock()
	r.connID = id
	r.connAddr = o.Addr
	r.connMu.Unlock()
	return cl, func() {
		r.connMu.Lock()
		r.connID = 0
		r.connMu.Unlock()
		_ = cl.Close()
	}, nil
}

func (r *reader) run() {
	defer close(r.done)
	defer func() {
		r.mu.Lock()
		r.stopped = true
		r.advanced.Broadcast()
		r.mu.Unlock()
	}()
	delay := 50 * time.Millisecond
	for r.ctx.Err() == nil {
		conn, release, err := r.dial()
		if err == nil {
			err = r.follow(conn, &delay)
			release()
		}
		if r.ctx.Err() != nil {
			return
		}
		if r.up.Swap(false) {
			r.c.log.Warn("socketio/redis: stream reader lost Redis; reading again from the last entry", "stream", r.stream, "err", err)
		}
		t := time.NewTimer(delay/2 + rand.N(delay/2+1))
		select {
		case <-t.C:
		case <-r.ctx.Done():
			t.Stop()
			return
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// follow reads the stream on conn until an error.
func (r *reader) follow(conn streamConn, delay *time.Duration) error {
	r.mu.Lock()
	pos := r.pos
	r.mu.Unlock()
	ctx, cancel := context.WithTimeout(r.ctx, r.c.opts.RequestsTimeout)
	info, err := conn.XInfoStream(ctx, r.stream).Result()
	cancel()
	exists := err == nil
	if err != nil && !isNoSuchKey(err) {
		return err
	}
	if pos == "" {
		// The first read starts after the stream's last entry (Node reads
		// from "$"); asked explicitly so that Offset knows it at once.
		pos, r.ordinal = "0-0", 0
		if exists {
			pos, r.ordinal = info.LastGeneratedID, info.EntriesAdded
		}
		r.mu.Lock()
		r.pos = pos
		r.advanced.Broadcast()
		r.mu.Unlock()
	} else if r.ordinal >= 0 {
		// Back after an error: were entries trimmed (MaxLen) before this
		// node read them? The stream only ever loses its oldest entries,
		// so its first entry is number added-length+1, and the next one
		// this node needs is number ordinal+1.
		switch {
		case exists && info.EntriesAdded-info.Length > r.ordinal:
			r.c.gaps.Add(1)
			r.c.log.Error("socketio/redis: stream entries were trimmed before this node read them; broadcasts were lost",
				"stream", r.stream, "after", pos, "lost", info.EntriesAdded-info.Length-r.ordinal)
			r.ordinal = info.EntriesAdded - info.Length
		case !exists && r.ordinal > 0 || exists && info.EntriesAdded < r.ordinal:
			r.c.log.Warn("socketio/redis: the stream was recreated (Redis restarted without persistence?)", "stream", r.stream)
			r.ordinal = -1 // unknown from now on
		}
	}
	r.up.Store(true)
	for {
		res, err := conn.XRead(r.ctx, &goredis.XReadArgs{
			Streams: []string{r.stream, pos}, Count: r.c.opts.ReadCount, Block: r.c.opts.BlockTime,
		}).Result()
		if r.ctx.Err() != nil {
			return r.ctx.Err()
		}
		if err != nil && !errors.Is(err, goredis.Nil) {
			return err
		}
		if !r.up.Swap(true) {
			*delay = 50 * time.Millisecond
			r.c.log.Info("socketio/redis: reading the stream", "stream", r.stream, "from", pos)
		}
		for _, s := range res {
			for _, e := range s.Messages {
				r.handle(e)
				pos = e.ID
				if r.ordinal >= 0 {
					r.ordinal++
				}
			}
		}
	}
}

// handle dispatches one entry to the adapter of its namespace, then
// records it as handled.
func (r *reader) handle(e goredis.XMessage) {
	r.c.read.Add(1)
	nsp, _ := e.Values["nsp"].(string)
	var a *Adapter
	var m *cluster.Message
	if nsp != "" {
		var err error
		if m, err = cluster.FromStreamFields(e.Values); err != nil {
			r.c.ignored.Add(1)
		} else {
			a = r.c.adapter(nsp)
		}
	}
	if a != nil && m.Type != cluster.Broadcast {
		a.HandleMessage(m, e.ID) // changes membership, not what is replayed
		a = nil
	}
	r.mu.Lock()
	if a != nil {
		a.onStreamBroadcast(m, e.ID)
	}
	r.pos = e.ID
	r.advanced.Broadcast()
	r.mu.Unlock()
}

// offset returns the last entry handled ("" until the reader reached
// Redis once).
func (r *reader) offset() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pos
}

// stop ends the reader: a blocked XREAD is ended with CLIENT UNBLOCK
// (again, should the reader have been between two reads).
func (r *reader) stop() {
	r.cancel()
	for {
		r.connMu.Lock()
		id, addr := r.connID, r.connAddr
		r.connMu.Unlock()
		if id != 0 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			if cc, ok := r.c.rdb.(*goredis.ClusterClient); ok {
				// the id is the node's: ask that node
				_ = cc.ForEachMaster(ctx, func(ctx context.Context, m *goredis.Client) error {
					if m.Options().Addr == addr {
						_ = m.ClientUnblock(ctx, id).Err()
					}
					return nil
				})
			} else {
				_ = r.c.rdb.ClientUnblock(ctx, id).Err()
			}
			cancel()
		}
		select {
		case <-r.done:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// isNoSuchKey reports Redis's answer to XINFO STREAM for a stream that
// does not exist.
func isNoSuchKey(err error) bool {
	var re goredis.Error
	return errors.As(err, &re) && strings.Contains(re.Error(), "no such key")
}
