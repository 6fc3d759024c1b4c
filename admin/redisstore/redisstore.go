// Package redisstore keeps the admin UI's sessions in Redis, so that
// every node of a cluster accepts a session any node created. Keys and
// values are those of the npm package's RedisStore
// (@socket.io/admin-ui 0.5.1): "<prefix>#<session id>" = "1" with a TTL,
// prefix "socket.io-admin", 86400 s; gosio and Node nodes share them.
// Its own module: the admin module does not depend on Redis.
package redisstore

import (
	"context"
	"log/slog"
	"time"

	"github.com/gosio/socketio/admin"
	goredis "github.com/redis/go-redis/v9"
)

// Options configures New. The zero value is the npm package's defaults.
type Options struct {
	// Prefix of the keys (default "socket.io-admin").
	Prefix string
	// TTL of a session (default 24 h).
	TTL time.Duration
	// Timeout bounds each Redis command (default 2 s); a command that
	// fails or times out counts as an unknown session.
	Timeout time.Duration
	// Logger receives Redis errors (nil: quiet).
	Logger *slog.Logger
}

// Store is an admin.SessionStore in Redis.
type Store struct {
	rdb  goredis.UniversalClient
	opts Options
}

var _ admin.SessionStore = (*Store)(nil)

// New returns a store on rdb (which the caller closes).
func New(rdb goredis.UniversalClient, opts Options) *Store {
	if opts.Prefix == "" {
		opts.Prefix = "socket.io-admin"
	}
	if opts.TTL <= 0 {
		opts.TTL = 24 * time.Hour
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Store{rdb: rdb, opts: opts}
}

func (s *Store) key(id string) string { return s.opts.Prefix + "#" + id }

// Exists reports whether the session is in Redis (false on an error).
func (s *Store) Exists(id string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	defer cancel()
	n, err := s.rdb.Exists(ctx, s.key(id)).Result()
	if err != nil {
		s.opts.Logger.Warn("admin/redisstore: EXISTS", "err", err)
		return false
	}
	return n == 1
}

// Save stores the session with its TTL.
func (s *Store) Save(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	defer cancel()
	if err := s.rdb.Set(ctx, s.key(id), "1", s.opts.TTL).Err(); err != nil {
		s.opts.Logger.Warn("admin/redisstore: SET", "err", err)
	}
}
