// Package streams is a Socket.IO cluster adapter over one Redis stream,
// wire compatible with the npm package @socket.io/redis-streams-adapter
// 0.3.x, so Go and Node.js servers can serve one cluster; it also backs
// connection state recovery across nodes, which pub/sub adapters cannot.
//
//	rdb := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379"})
//	cl := streams.New(rdb, &streams.Options{
//		Recovery: &streams.Recovery{MaxDisconnectionDuration: 2 * time.Minute},
//	})
//	srv := socketio.NewServer(&socketio.Options{
//		Adapter:                 cl.Adapter,
//		ConnectionStateRecovery: &socketio.RecoveryOptions{MaxDisconnectionDuration: 2 * time.Minute},
//	})
//	...
//	srv.Close()
//	cl.Close()
//
// Wire format (socketio/socket.io-redis-streams-adapter lib/adapter.ts):
// broadcasts, socketsJoin/Leave and disconnectSockets are entries of the
// stream "socket.io" (XADD MAXLEN ~ 10000) with the fields uid, nsp, type
// (the ClusterAdapter message type, as a string) and data (JSON, or base64
// of MessagePack when it holds binary). Requests that need answers
// (fetchSockets, serverSideEmit, broadcasts with acks) are MessagePack on
// the pub/sub channel "socket.io#<nsp>#", and answers on
// "socket.io#<nsp>#<uid>#"; the node count is PUBSUB NUMSUB of the first.
// Sessions are base64 MessagePack under "sio:session:<pid>", kept for the
// recovery window; offsets are stream entry ids.
//
// Every node reads the stream with a blocking XREAD from the last entry it
// read, so a Redis restart (with persistence) or a network cut within the
// stream's retention loses nothing: the node catches up when Redis is
// back. See the package README section for the bounds.
package streams

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/adapter/redis/internal/cluster"
	"github.com/gosio/socketio/adapter/redis/internal/pubsub"
)

// Options configure a Cluster. The zero value works, and matches the Node
// adapter's defaults.
type Options struct {
	// StreamName is the stream (or the prefix of the streams when
	// StreamCount > 1); default "socket.io".
	StreamName string
	// StreamCount spreads namespaces over that many streams
	// "<StreamName>-<i>", each namespace on the one Node's hashCode picks
	// (default 1: one stream named StreamName).
	StreamCount int
	// ChannelPrefix prefixes the pub/sub channels (default "socket.io").
	ChannelPrefix string
	// UseShardedPubSub uses SPUBLISH/SSUBSCRIBE (Redis 7) for the
	// channels.
	UseShardedPubSub bool
	// MaxLen is the stream's approximate bound (MAXLEN ~; default
	// 10000): how far back a node that was away, or a client recovering
	// its session, can catch up.
	MaxLen int64
	// ReadCount is the number of entries read per XREAD (default 100).
	ReadCount int64
	// BlockTime is how long an XREAD blocks (default 5s).
	BlockTime time.Duration
	// SessionKeyPrefix prefixes the session keys (default
	// "sio:session:").
	SessionKeyPrefix string
	// OnlyPlaintext skips looking for binary values: every data field is
	// JSON (binary would arrive as {"type":"Buffer","data":[...]}).
	OnlyPlaintext bool
	// RequestsTimeout bounds fetchSockets and serverSideEmit with acks
	// (default 5s, as Node), and how long Close flushes what is queued.
	RequestsTimeout time.Duration
	// PublishQueueSize bounds the messages waiting to be written to Redis
	// (default 10000). While Redis is away, stream entries wait there and
	// are written, in order, when it is back; once it is full further
	// messages are dropped (counted in Stats).
	PublishQueueSize int
	// Recovery turns on connection state recovery for the namespaces of
	// this Cluster: offsets (stream entry ids) are appended to the
	// broadcasts that can be replayed, and the adapters implement
	// adapter.SessionAware with sessions kept in Redis for
	// MaxDisconnectionDuration. Give the server the same RecoveryOptions
	// (socketio.Options.ConnectionStateRecovery).
	Recovery *Recovery
	// Logger receives connection state changes; nil means quiet.
	Logger *slog.Logger
}

// Recovery configures connection state recovery (the fields of
// socketio.RecoveryOptions the adapter needs).
type Recovery struct {
	// MaxDisconnectionDuration is how long sessions are kept (default 2
	// minutes, as Node).
	MaxDisconnectionDuration time.Duration
}

func (o *Options) withDefaults() {
	if o.StreamName == "" {
		o.StreamName = "socket.io"
	}
	if o.StreamCount <= 0 {
		o.StreamCount = 1
	}
	if o.ChannelPrefix == "" {
		o.ChannelPrefix = "socket.io"
	}
	if o.MaxLen <= 0 {
		o.MaxLen = 10000
	}
	if o.ReadCount <= 0 {
		o.ReadCount = 100
	}
	if o.BlockTime <= 0 {
		o.BlockTime = 5 * time.Second
	}
	if o.SessionKeyPrefix == "" {
		o.SessionKeyPrefix = "sio:session:"
	}
	if o.RequestsTimeout <= 0 {
		o.RequestsTimeout = 5 * time.Second
	}
	if o.PublishQueueSize <= 0 {
		o.PublishQueueSize = 10000
	}
	if o.Recovery != nil {
		r := *o.Recovery
		if r.MaxDisconnectionDuration <= 0 {
			r.MaxDisconnectionDuration = 2 * time.Minute
		}
		o.Recovery = &r
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
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
	Added     uint64 // stream entries written (XADD)
	Published uint64 // pub/sub messages published
	Retried   uint64 // writes retried after Redis failed them
	Dropped   uint64 // messages not written: queue full, closed, or refused by Redis
	Read      uint64 // stream entries read
	Received  uint64 // pub/sub messages received
	Ignored   uint64 // malformed entries and messages, or of an unknown namespace
	Gaps      uint64 // times a reader found entries it had not read trimmed away (MaxLen)
	ReadUp    bool   // every stream reader is connected
}

// Cluster connects the namespaces of one server to the other nodes
// through Redis streams. Its Adapter method is the adapter.Factory to put
// in socketio.Options.
type Cluster struct {
	rdb  goredis.UniversalClient
	opts Options
	log  *slog.Logger

	pub     *publisher
	sub     *pubsub.Subscriber
	readers map[string]*reader // by stream name

	mu       sync.Mutex
	adapters map[string]*Adapter // by namespace
	channels map[string]*Adapter // by pub/sub channel
	closed   bool

	read, received, ignored, gaps atomic.Uint64
}

// New returns a Cluster over rdb (a *goredis.Client or
// *goredis.ClusterClient; any UniversalClient works, but only these two
// let Close end a blocked XREAD at once). It does not wait for Redis.
// Close it after the server; rdb stays open (it is the caller's).
func New(rdb goredis.UniversalClient, opts *Options) *Cluster {
	c := &Cluster{rdb: rdb, readers: map[string]*reader{}, adapters: map[string]*Adapter{}, channels: map[string]*Adapter{}}
	if opts != nil {
		c.opts = *opts
	}
	c.opts.withDefaults()
	c.log = c.opts.Logger
	c.pub = newPublisher(c)
	c.sub = pubsub.New(rdb, pubsub.Options{Sharded: c.opts.UseShardedPubSub, Logger: c.log}, c.onPubSub)
	for i := 0; i < c.opts.StreamCount; i++ {
		name := streamName(c.opts.StreamName, c.opts.StreamCount, i)
		c.readers[name] = newReader(c, name)
	}
	return c
}

func streamName(base string, count, i int) string {
	if count == 1 {
		return base
	}
	return base + "-" + itoa(i)
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// streamOf is the stream of namespace nsp: Node's computeStreamName
// (hashCode as Java's String.hashCode over UTF-16 code units, remainder
// with the sign of the hash, as JavaScript's %).
func (c *Cluster) streamOf(nsp string) string {
	if c.opts.StreamCount == 1 {
		return c.opts.StreamName
	}
	return c.opts.StreamName + "-" + itoa(int(hashCode(nsp)%int32(c.opts.StreamCount)))
}

func hashCode(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = h*31 + int32(0xD800+(r>>10))
			h = h*31 + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = h*31 + int32(r)
	}
	return h
}

// Adapter creates the adapter of nsp; it is an adapter.Factory. With
// Options.Recovery the adapter is a *SessionAdapter.
func (c *Cluster) Adapter(nsp adapter.Namespace) adapter.Adapter {
	a := c.newAdapter(nsp)
	if c.opts.Recovery != nil {
		return &SessionAdapter{Adapter: a}
	}
	return a
}

// Stats returns the counters.
func (c *Cluster) Stats() Stats {
	s := Stats{Read: c.read.Load(), Received: c.received.Load(), Ignored: c.ignored.Load(), Gaps: c.gaps.Load(), ReadUp: true}
	c.pub.stats(&s)
	for _, r := range c.readers {
		if !r.up.Load() {
			s.ReadUp = false
		}
	}
	return s
}

// Close stops reading, writes what is queued (sessions of the sockets the
// server closed included) for at most RequestsTimeout, fails pending
// requests with ErrClosed and waits for its goroutines. Close the server
// first.
func (c *Cluster) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	adapters := make([]*Adapter, 0, len(c.adapters))
	for _, a := range c.adapters {
		adapters = append(adapters, a)
	}
	c.mu.Unlock()
	for _, r := range c.readers {
		r.stop()
	}
	c.sub.Close()
	c.pub.close(c.opts.RequestsTimeout)
	for _, a := range adapters {
		_ = a.Core.Close()
	}
	return nil
}

// onPubSub handles a message of a pub/sub channel (subscriber goroutine).
func (c *Cluster) onPubSub(channel, payload string) {
	c.mu.Lock()
	a := c.channels[channel]
	c.mu.Unlock()
	if a == nil {
		c.ignored.Add(1)
		return
	}
	m, err := cluster.Decode([]byte(payload))
	if err != nil || len(payload) == 0 || payload[0] == '{' {
		c.ignored.Add(1) // the Node adapter only sends MessagePack here
		return
	}
	c.received.Add(1)
	if channel == a.private {
		a.HandleResponse(m)
		return
	}
	a.HandleMessage(m, "")
}

var errClosed = errors.New("socketio/redis: cluster closed")
