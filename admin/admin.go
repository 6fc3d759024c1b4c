// Package admin serves the official Socket.IO admin UI
// (@socket.io/admin-ui 0.5.1, https://admin.socket.io or the npm
// package's ui/dist) from a gosio server: it speaks the UI's protocol on
// an admin namespace ("/admin" by default), as the npm package's
// instrument() does for a Node server.
//
//	adm, err := admin.Instrument(io, admin.Options{
//		Auth: &admin.BasicAuth{Username: "admin", PasswordHash: hash}, // bcrypt
//	})
//	defer adm.Close()
//
// The UI connects to <server URL>/admin with the server's path, logs in
// (basic authentication with a bcrypt hash, then a session id kept by
// the UI), receives the configuration, the server's statistics every 2 s
// and, in development mode, every socket and every event; it can make
// sockets join or leave rooms, disconnect them, and emit to them, unless
// the instrumentation is read-only.
//
// Everything the admin namespace emits goes through its adapter: with a
// cluster adapter (adapter/redis) every node's statistics and events
// reach every UI, whichever node it is connected to, and the sockets
// listed at login are fetched cluster-wide.
package admin

import (
	"errors"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosio/socketio"
	"golang.org/x/crypto/bcrypt"
)

// Mode chooses what the UI is sent (Node: the mode option).
type Mode string

const (
	// Development sends every socket, room change and event, as well as
	// the aggregated statistics (the default, as Node's when NODE_ENV is
	// unset).
	Development Mode = "development"
	// Production sends the aggregated statistics only.
	Production Mode = "production"
)

// Options configures Instrument. Auth or NoAuth must be set.
type Options struct {
	// Namespace is the admin namespace (default "/admin").
	Namespace string
	// Auth turns on basic authentication: the UI logs in with Username
	// and the password whose bcrypt hash is PasswordHash, then with the
	// session id it was given.
	Auth *BasicAuth
	// NoAuth must be set to run without authentication (Node: auth:
	// false): anyone who reaches the server can then use the UI.
	NoAuth bool
	// ReadOnly offers the UI no action (emit, join, leave, disconnect).
	ReadOnly bool
	// Mode is Development (default) or Production.
	Mode Mode
	// ServerID names this node in the UI (default: the host name).
	ServerID string
	// Sessions keeps the session ids of logged-in UIs (default: in memory,
	// see NewMemoryStore). In a cluster, use a shared store
	// (admin/redisstore, compatible with the npm package's RedisStore) so
	// that every node accepts a session any node created.
	Sessions SessionStore
	// StatsInterval is how often server_stats is sent (default 2 s, the
	// UI's expectation).
	StatsInterval time.Duration
	// FetchTimeout bounds the cluster-wide fetch of sockets for a UI that
	// connects in development mode (default 5 s).
	FetchTimeout time.Duration
	// Logger receives the errors of admin actions (nil: quiet).
	Logger *slog.Logger
}

// BasicAuth is the admin login: a user name and the bcrypt hash of the
// password (e.g. from bcrypt.GenerateFromPassword or htpasswd -nbB).
type BasicAuth struct {
	Username     string
	PasswordHash string
}

// Admin is the instrumentation of one server. Close stops it.
type Admin struct {
	srv     *socketio.Server
	nsp     *socketio.Namespace
	opts    Options
	log     *slog.Logger
	started time.Time
	host    string

	events eventBuffer
	conns  connSockets // development mode: the sockets of each connection

	pendingMu sync.Mutex
	pending   map[*socketio.Socket]pendingSession // fresh logins, until they connect

	closed  atomic.Bool
	timerMu sync.Mutex
	timer   *time.Timer
}

// Instrument serves the admin UI's protocol on srv. It fails on options
// the UI could not work with (no authentication chosen, a password that
// is not a bcrypt hash).
func Instrument(srv *socketio.Server, opts Options) (*Admin, error) {
	if opts.Auth == nil && !opts.NoAuth {
		return nil, errors.New("admin: Options.Auth must be set, or NoAuth to run without authentication")
	}
	if opts.Auth != nil {
		if _, err := bcrypt.Cost([]byte(opts.Auth.PasswordHash)); err != nil {
			return nil, errors.New("admin: Options.Auth.PasswordHash must be a bcrypt hash")
		}
	}
	if opts.Namespace == "" {
		opts.Namespace = "/admin"
	}
	switch opts.Mode {
	case "":
		opts.Mode = Development
	case Development, Production:
	default:
		return nil, errors.New("admin: Options.Mode must be Development or Production")
	}
	if opts.Sessions == nil {
		opts.Sessions = NewMemoryStore(0, 0)
	}
	if opts.StatsInterval <= 0 {
		opts.StatsInterval = 2 * time.Second
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = 5 * time.Second
	}
	host, _ := os.Hostname()
	if opts.ServerID == "" {
		opts.ServerID = host
	}
	a := &Admin{srv: srv, opts: opts, log: opts.Logger, started: time.Now(), host: host, pending: map[*socketio.Socket]pendingSession{}}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.nsp = srv.Of(opts.Namespace)
	if opts.Auth != nil {
		a.nsp.Use(a.authenticate)
	}
	a.nsp.OnConnection(a.onAdminConnection)
	if a.development() {
		a.answerPeers()
	}
	srv.AddHooks(a.hooks())
	a.timerMu.Lock()
	a.timer = time.AfterFunc(0, a.tick)
	a.timerMu.Unlock()
	return a, nil
}

// Namespace returns the admin namespace.
func (a *Admin) Namespace() *socketio.Namespace { return a.nsp }

// Close stops sending statistics. The hooks stay installed but do
// nothing; the admin namespace stays (disconnect its sockets to end the
// UIs' sessions).
func (a *Admin) Close() {
	a.timerMu.Lock()
	defer a.timerMu.Unlock()
	a.closed.Store(true)
	if a.timer != nil {
		a.timer.Stop()
	}
}

func (a *Admin) development() bool { return a.opts.Mode == Development }

// features are the UI features this instrumentation supports.
func (a *Admin) features() []string {
	var f []string
	if !a.opts.ReadOnly {
		f = append(f, "EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT")
	}
	f = append(f, "AGGREGATED_EVENTS")
	if a.development() {
		f = append(f, "ALL_EVENTS")
	}
	return f
}

// onAdminConnection greets a UI (its handler goroutine): the session id
// of a fresh login, the configuration, and in development mode every
// socket of the cluster.
func (a *Admin) onAdminConnection(s *socketio.Socket) {
	a.pendingMu.Lock()
	p, ok := a.pending[s]
	delete(a.pending, s)
	a.pendingMu.Unlock()
	if ok {
		s.Emit("session", p.id)
	}
	if !a.opts.ReadOnly {
		a.registerActions(s)
	}
	s.Emit("config", map[string]any{"supportedFeatures": a.features()})
	if a.development() {
		s.Emit("all_sockets", a.allSockets())
	}
}
