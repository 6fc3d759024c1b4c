package socketio

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/parser"
)

// Re-exported engine option types.
type (
	CORSOptions        = engineio.CORSOptions
	CookieOptions      = engineio.CookieOptions
	CompressionOptions = engineio.CompressionOptions
	DeflateOptions     = engineio.DeflateOptions
	ConnectionError    = engineio.ConnectionError
)

// Options configures a Server. The zero value (or nil) gives the defaults
// of Node's socket.io 4.8; every field names its default. NewServer copies
// it and never modifies the caller's value.
type Options struct {
	// Engine configures the Engine.IO layer: Path (here "/socket.io/" by
	// default), ping interval and timeout, payload and buffer sizes,
	// transports, CORS, cookies, compression and the HTTP hooks; each
	// field of engineio.Options names its default. Engine.OnConnection is
	// the server's own: NewServer replaces it. Engine.Logger defaults to
	// Logger.
	Engine engineio.Options

	// ConnectTimeout closes connections that join no namespace in time
	// (default 45s).
	ConnectTimeout time.Duration

	// Adapter creates each namespace's adapter (default
	// adapter.MemoryFactory).
	Adapter adapter.Factory
	// CleanupEmptyChildNamespaces removes a dynamic namespace's child when
	// its last socket leaves (default false), whatever
	// EmptyChildNamespaceGrace says.
	CleanupEmptyChildNamespaces bool
	// EmptyChildNamespaceGrace removes a child namespace of a parent
	// (OfFunc, OfRegexp) once it has had no socket for this long (default
	// 30s; negative: never), so that clients who left do not keep slots
	// of MaxDynamicNamespaces taken. A child stays while a socket is in it
	// or a CONNECT to it is in progress, and for good once the application
	// has asked for it by name with Of. The reference keeps children for
	// ever unless cleanupEmptyChildNamespaces is set.
	EmptyChildNamespaceGrace time.Duration
	// MaxDynamicNamespaces caps the child namespaces that parent
	// namespaces (OfFunc, OfRegexp) may create (default 10000; negative:
	// no cap). Past it a CONNECT to a new name gets "Invalid namespace".
	// The reference has no cap: without cleanup, clients could otherwise
	// create namespaces without bound.
	MaxDynamicNamespaces int
	// MaxDynamicNamespacesPerConnection caps the child namespaces that one
	// connection has created and that still exist (default 10; negative:
	// no cap), so that one client cannot take every slot of
	// MaxDynamicNamespaces. Past it, that connection's CONNECT to a name
	// no namespace has gets CONNECT_ERROR "Invalid namespace", as past
	// MaxDynamicNamespaces, and the connection stays usable; joining a
	// child that exists is not limited. A child stops counting when it is
	// removed (EmptyChildNamespaceGrace) or when the application asks for
	// it with Of. The reference has no such limit.
	MaxDynamicNamespacesPerConnection int
	// MaxInboundBacklog bounds, in bytes, the packets one connection has
	// received and its handler goroutine has not finished with (the
	// running handler's packet included; each packet counts its payload
	// plus 256 bytes). Default 4 × Engine.MaxHTTPBufferSize (4 MB). At the
	// bound the server stops reading from that connection until a handler
	// returns: TCP pushes back on a WebSocket client, a polling client's
	// POST waits. Nothing is dropped and nothing is closed for it; the
	// reference has no bound.
	MaxInboundBacklog int
	// MaxAttachments and MaxAttachmentBytes bound binary attachments of
	// one incoming packet (defaults 10 and 10 MB).
	MaxAttachments     int
	MaxAttachmentBytes int
	// Parser is the wire format of the Socket.IO packets (default
	// parser.JSON{}, socket.io-parser's, Node's default); clients must use
	// the same. msgpack.Parser{} of package parser/msgpack speaks
	// socket.io-msgpack-parser. MaxAttachments and MaxAttachmentBytes
	// bound the binary values of one packet in either format.
	Parser parser.Parser

	// ConnectionStateRecovery turns on connection state recovery (nil:
	// off, as Node); see RecoveryOptions.
	ConnectionStateRecovery *RecoveryOptions

	// Logger receives errors (handler panics, refused packets). Nil means
	// quiet.
	Logger *slog.Logger

	// Hooks observe the server (metrics, tracing, admin tools); nil means
	// none. See Hooks and Server.AddHooks.
	Hooks *Hooks
}

// Server is a Socket.IO server. It is an http.Handler for the path in
// Options (mount it at that path or above).
type Server struct {
	opts    Options
	engine  *engineio.Server
	limits  parser.Limits
	format  parser.Parser // Options.Parser or parser.JSON{}
	log     *slog.Logger
	adapter adapter.Factory

	mu           sync.RWMutex
	nsps         map[string]*Namespace
	dynamic      int // child namespaces of parents in nsps
	created      map[*client]*childCount
	parents      []*ParentNamespace
	clients      map[*client]struct{}
	newNamespace []func(*Namespace)
	closed       bool

	main *Namespace

	hooks atomic.Pointer[Hooks] // see AddHooks; nil: none
}

// NewServer returns a server configured by opts (nil for defaults).
func NewServer(opts *Options) *Server {
	s := &Server{nsps: make(map[string]*Namespace), clients: make(map[*client]struct{}), created: make(map[*client]*childCount)}
	if opts != nil {
		s.opts = *opts
	}
	o := &s.opts
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 45 * time.Second
	}
	if o.MaxInboundBacklog <= 0 {
		max := o.Engine.MaxHTTPBufferSize
		if max <= 0 {
			max = 1e6
		}
		o.MaxInboundBacklog = int(4 * max)
	}
	if o.MaxDynamicNamespaces == 0 {
		o.MaxDynamicNamespaces = 10000
	}
	if o.MaxDynamicNamespacesPerConnection == 0 {
		o.MaxDynamicNamespacesPerConnection = 10
	}
	if o.EmptyChildNamespaceGrace == 0 {
		o.EmptyChildNamespaceGrace = 30 * time.Second
	}
	s.adapter = o.Adapter
	if s.adapter == nil {
		s.adapter = adapter.MemoryFactory
		if r := o.ConnectionStateRecovery; r != nil {
			s.adapter = adapter.SessionMemoryFactory(r.sessionOptions())
		}
	}
	s.log = o.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.limits = parser.Limits{MaxAttachments: o.MaxAttachments, MaxAttachmentBytes: o.MaxAttachmentBytes}
	if s.format = o.Parser; s.format == nil {
		s.format = parser.JSON{}
	}
	eo := o.Engine
	if eo.Path == "" {
		eo.Path = "/socket.io"
	}
	if eo.Logger == nil {
		eo.Logger = o.Logger
	}
	eo.OnConnection = s.onEngineConnection
	s.engine = engineio.NewServer(&eo)
	s.AddHooks(o.Hooks)
	s.main = s.Of("/")
	return s
}

// ServeHTTP serves the Engine.IO transports.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Engine returns the underlying Engine.IO server.
func (s *Server) Engine() *engineio.Server { return s.engine }

func (s *Server) onEngineConnection(conn *engineio.Socket) {
	c := newClient(s, conn)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return
	}
	s.clients[c] = struct{}{}
	s.mu.Unlock()
	conn.SetHandler(c)
	if c.eio3 {
		c.connectImplicitRoot()
	}
}

func (s *Server) removeClient(c *client) {
	s.mu.Lock()
	delete(s.clients, c)
	delete(s.created, c)
	s.mu.Unlock()
}

// Of returns the namespace name, creating it if needed. A name without a
// leading "/" gets one. A child of a parent namespace (OfFunc, OfRegexp)
// asked for by name is the application's from then on: it is no longer
// removed when empty after EmptyChildNamespaceGrace, nor counted against
// the connection that created it (CleanupEmptyChildNamespaces still
// removes it).
func (s *Server) Of(name string) *Namespace {
	if !strings.HasPrefix(name, "/") {
		name = "/" + name
	}
	s.mu.Lock()
	nsp, created := s.ofLocked(name, nil)
	if !created && nsp.parent != nil {
		nsp.pin()
	}
	hooks := s.newNamespace
	s.mu.Unlock()
	if created {
		s.hookNamespace(nsp)
	}
	if created && name != "/" {
		for _, f := range hooks {
			f(nsp)
		}
	}
	return nsp
}

func (s *Server) ofLocked(name string, parent *ParentNamespace) (*Namespace, bool) {
	if nsp := s.nsps[name]; nsp != nil {
		return nsp, false
	}
	nsp := newNamespace(s, name, parent)
	s.nsps[name] = nsp
	return nsp, true
}

// OfFunc creates a parent namespace: a client connecting to a name that
// no namespace has, and for which match returns true, gets a child
// namespace of that name, with the parent's middlewares and connection
// handlers (Node: io.of(fn)). auth is the client's CONNECT payload.
func (s *Server) OfFunc(match func(name string, auth map[string]any) bool) *ParentNamespace {
	p := newParentNamespace(s, match)
	s.mu.Lock()
	s.parents = append(s.parents, p)
	s.mu.Unlock()
	return p
}

// OfRegexp is OfFunc matching names against re (Node: io.of(regexp)).
func (s *Server) OfRegexp(re *regexp.Regexp) *ParentNamespace {
	return s.OfFunc(func(name string, _ map[string]any) bool { return re.MatchString(name) })
}

// childCount counts the child namespaces one connection created that
// still exist (guarded by Server.mu).
type childCount struct{ n int }

// lookupNamespace is lookupNamespaceFor without a connection: no
// per-connection limit.
func (s *Server) lookupNamespace(name string, auth map[string]any) *Namespace {
	return s.lookupNamespaceFor(nil, name, auth)
}

// lookupNamespaceFor returns the namespace a CONNECT of connection c to
// name joins, creating a dynamic child if a parent matches and neither
// MaxDynamicNamespaces nor c's MaxDynamicNamespacesPerConnection is
// reached, or nil ("Invalid namespace"). The namespace returned is
// acquired: the caller releases it.
func (s *Server) lookupNamespaceFor(c *client, name string, auth map[string]any) *Namespace {
	s.mu.RLock()
	nsp := s.nsps[name]
	if nsp != nil {
		nsp.acquire() // under s.mu: cannot be removed in between
	}
	parents := s.parents
	s.mu.RUnlock()
	if nsp != nil {
		return nsp
	}
	for _, p := range parents {
		if !p.match(name, auth) {
			continue
		}
		s.mu.Lock()
		if s.nsps[name] == nil {
			if full := s.limitReachedLocked(c); full != "" {
				s.mu.Unlock()
				if full == "MaxDynamicNamespaces" {
					s.log.Warn("socketio: MaxDynamicNamespaces reached", "name", name)
				} else {
					s.log.Debug("socketio: MaxDynamicNamespacesPerConnection reached", "name", name, "sid", c.conn.ID())
				}
				return nil
			}
		}
		nsp, created := s.ofLocked(name, p)
		hooks := s.newNamespace
		if created {
			s.dynamic++
			p.addChild(nsp)
			if c != nil {
				cc := s.created[c]
				if cc == nil {
					cc = &childCount{}
					s.created[c] = cc
				}
				cc.n++
				nsp.creator = cc
			}
		}
		nsp.acquire()
		s.mu.Unlock()
		if created {
			s.hookNamespace(nsp)
			for _, f := range hooks {
				f(nsp)
			}
		}
		return nsp
	}
	return nil
}

// limitReachedLocked returns the option whose limit forbids connection c
// (nil: none) to create a child namespace, or "".
func (s *Server) limitReachedLocked(c *client) string {
	if max := s.opts.MaxDynamicNamespaces; max >= 0 && s.dynamic >= max {
		return "MaxDynamicNamespaces"
	}
	if max := s.opts.MaxDynamicNamespacesPerConnection; c != nil && max >= 0 {
		if cc := s.created[c]; cc != nil && cc.n >= max {
			return "MaxDynamicNamespacesPerConnection"
		}
	}
	return ""
}

// removeNamespace removes nsp unless it is gone already or in use.
func (s *Server) removeNamespace(nsp *Namespace) { s.dropNamespace(nsp, false) }

// reclaimNamespace is removeNamespace for a child left empty for
// EmptyChildNamespaceGrace (its timer's goroutine): it also keeps a child
// the application asked for with Of or used again meanwhile, and does
// nothing once the server is closed (Close closes the adapters).
func (s *Server) reclaimNamespace(nsp *Namespace) { s.dropNamespace(nsp, true) }

func (s *Server) dropNamespace(nsp *Namespace, idle bool) {
	s.mu.Lock()
	if s.nsps[nsp.name] != nsp || !nsp.unused() || idle && (s.closed || !nsp.reclaimable()) {
		// Gone already, or a socket or a CONNECT in progress uses it.
		s.mu.Unlock()
		return
	}
	delete(s.nsps, nsp.name)
	if nsp.parent != nil {
		s.dynamic--
		nsp.uncountLocked()
	}
	s.mu.Unlock()
	nsp.stopReclaim()
	if nsp.parent != nil {
		nsp.parent.removeChild(nsp)
	}
	nsp.adapter.Close()
}

// OnNewNamespace registers f, called when a namespace other than "/" is
// created, dynamic children included (Node: "new_namespace").
func (s *Server) OnNewNamespace(f func(*Namespace)) {
	s.mu.Lock()
	s.newNamespace = append(s.newNamespace, f)
	s.mu.Unlock()
}

// Sockets returns the main namespace "/" (Node: io.sockets).
func (s *Server) Sockets() *Namespace { return s.main }

// OnConnection registers a handler for sockets connecting to "/".
func (s *Server) OnConnection(f func(*Socket)) { s.main.OnConnection(f) }

// Use adds a connection middleware to "/".
func (s *Server) Use(f func(*Socket) error) { s.main.Use(f) }

// To selects sockets of "/" in rooms (Node: io.to).
func (s *Server) To(rooms ...string) *BroadcastOperator { return s.main.To(rooms...) }

// In is To.
func (s *Server) In(rooms ...string) *BroadcastOperator { return s.main.In(rooms...) }

// Except excludes sockets of "/" in rooms.
func (s *Server) Except(rooms ...string) *BroadcastOperator { return s.main.Except(rooms...) }

// Emit broadcasts an event to every socket of "/".
func (s *Server) Emit(event string, args ...any) error { return s.main.Emit(event, args...) }

// EmitWithAck broadcasts to "/" and gathers every reply (see
// BroadcastOperator.EmitWithAck).
func (s *Server) EmitWithAck(ctx context.Context, event string, args ...any) ([]Args, error) {
	return s.main.EmitWithAck(ctx, event, args...)
}

// Timeout sets the acknowledgement timeout of a broadcast to "/".
func (s *Server) Timeout(d time.Duration) *BroadcastOperator { return s.main.Timeout(d) }

// Volatile marks a broadcast to "/" as droppable.
func (s *Server) Volatile() *BroadcastOperator { return s.main.Volatile() }

// Local limits a broadcast to "/" to this node.
func (s *Server) Local() *BroadcastOperator { return s.main.Local() }

// Compress sets the compress flag of a broadcast to "/".
func (s *Server) Compress(c bool) *BroadcastOperator { return s.main.Compress(c) }

// FetchSockets returns the sockets of "/" across the cluster.
func (s *Server) FetchSockets(ctx context.Context) ([]*RemoteSocket, error) {
	return s.main.FetchSockets(ctx)
}

// SocketsJoin makes every socket of "/" join rooms.
func (s *Server) SocketsJoin(rooms ...string) { s.main.SocketsJoin(rooms...) }

// SocketsLeave makes every socket of "/" leave rooms.
func (s *Server) SocketsLeave(rooms ...string) { s.main.SocketsLeave(rooms...) }

// DisconnectSockets disconnects every socket of "/"; close also closes
// their connections.
func (s *Server) DisconnectSockets(close bool) { s.main.DisconnectSockets(close) }

// ServerSideEmit sends an event to the other nodes of the cluster.
func (s *Server) ServerSideEmit(ctx context.Context, event string, args ...any) error {
	return s.main.ServerSideEmit(ctx, event, args...)
}

// ServerSideEmitWithAck sends an event to the other nodes and gathers their
// replies.
func (s *Server) ServerSideEmitWithAck(ctx context.Context, event string, args ...any) ([]Args, error) {
	return s.main.ServerSideEmitWithAck(ctx, event, args...)
}

// Close disconnects every socket with reason "server shutting down" (no
// DISCONNECT packet is sent, as in the reference), closes every Engine.IO
// session and the adapters, and refuses new connections. The sockets'
// contexts are cancelled at once; Close waits at most closeWait (5 s) for
// their disconnect handlers, which run on each connection's handler
// goroutine once its running handler returns.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	done := s.closeClients()
	err := s.engine.Close()
	waitAll(ctx, done)
	s.closeAdapters()
	return err
}

// closeWait bounds how long Close waits for disconnect handlers.
const closeWait = 5 * time.Second

// Shutdown is Close, draining first: it waits until the packets queued
// for each client are written and every disconnect handler has run, or
// until ctx ends, and returns ctx's error in that case.
func (s *Server) Shutdown(ctx context.Context) error {
	done := s.closeClients()
	err := s.engine.Shutdown(ctx)
	if werr := waitAll(ctx, done); err == nil {
		err = werr
	}
	s.closeAdapters()
	return err
}

// closeClients refuses new connections and starts the close of every
// connection ("server shutting down"); it returns their done channels.
func (s *Server) closeClients() []<-chan struct{} {
	s.mu.Lock()
	s.closed = true
	clients := make([]*client, 0, len(s.clients))
	for c := range s.clients {
		clients = append(clients, c)
	}
	s.mu.Unlock()
	done := make([]<-chan struct{}, len(clients))
	for i, c := range clients {
		c.beginClose(ReasonServerShuttingDown, nil)
		done[i] = c.done.Chan()
	}
	return done
}

func (s *Server) closeAdapters() {
	s.mu.RLock()
	nsps := make([]*Namespace, 0, len(s.nsps))
	for _, n := range s.nsps {
		nsps = append(nsps, n)
	}
	s.mu.RUnlock()
	for _, n := range nsps {
		n.stopReclaim()
		n.adapter.Close()
	}
}

// waitAll waits for every channel of done to close, or for ctx to end.
func waitAll(ctx context.Context, done []<-chan struct{}) error {
	for _, d := range done {
		select {
		case <-d:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
