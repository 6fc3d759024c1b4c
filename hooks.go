package socketio

import (
	"errors"
	"time"

	"github.com/gosio/socketio/adapter"

	"github.com/gosio/socketio/engineio"
)

// Hooks observe a server, for metrics, tracing and admin tools (the
// admin/, metrics/prometheus and tracing/otel modules are built on them).
// Every field may be nil. With no hooks installed (the default) an event
// costs one atomic pointer load and allocates nothing.
//
// A hook runs synchronously on the goroutine its field names, often with
// traffic waiting behind it: it must be quick and must not block. It may
// read the objects it is given and emit, join or leave from them; it must
// not wait for the socket it is given (no EmitWithAck to it, no waiting
// on its handler goroutine). A hook that panics is not recovered except
// where the goroutine it runs on recovers handler panics (the handler
// goroutine logs them and goes on).
type Hooks struct {
	// Engine observes the Engine.IO sessions under the server:
	// connections and their close reasons, upgrades, packets and bytes,
	// slow consumers (see engineio.Hooks).
	Engine *engineio.Hooks

	// NamespaceCreated is called when a namespace is created (dynamic
	// children included; "/" only when the hooks are given in Options),
	// on the goroutine that created it (the caller of Of, or a
	// connection's handler goroutine).
	NamespaceCreated func(n *Namespace)
	// Connect is called when a socket has connected (it is in its
	// namespace and its own room, the CONNECT reply is queued), before
	// the OnConnection handlers, on the connection's handler goroutine.
	Connect func(s *Socket)
	// Disconnect is called when a socket has disconnected and left its
	// rooms, before its OnDisconnect handlers, with their reason and
	// cause, on the connection's handler goroutine.
	Disconnect func(s *Socket, reason Reason, cause error)
	// RoomJoined and RoomLeft are called when socket id joins or leaves
	// room of namespace n in this node's adapter (Node: the adapter's
	// "join-room" and "leave-room"): by Join and Leave, SocketsJoin and
	// SocketsLeave (from any node), and the rooms a socket leaves when it
	// disconnects; on the goroutine that changed the membership, after
	// the adapter's lock is released. An adapter that does not embed
	// adapter.Memory reports nothing.
	RoomJoined func(n *Namespace, room, id string)
	RoomLeft   func(n *Namespace, room, id string)
	// DataChanged is called when SetData changes a socket's data, with
	// the new value, on the caller's goroutine.
	DataChanged func(s *Socket, v any)
	// Event is called for each event the client sends, on the
	// connection's handler goroutine, before any handler of it
	// (OnAny, per-socket middlewares, On). The func it returns, if not
	// nil, is called once those have run, with the first error a
	// middleware or handler returned, or ErrHandlerPanicked.
	Event func(s *Socket, e *Event) (done func(err error))
	// Emit is called for each event the application sends, just before
	// it is queued: to one socket (s set, rooms nil) or as a broadcast
	// of namespace n (s nil; rooms are the target rooms, none for the
	// whole namespace). The func it returns, if not nil, is called right after the event is
	// queued (for a broadcast, once the adapter has handed it to every
	// recipient, and published it for a cluster adapter). On the
	// emitting goroutine.
	Emit func(n *Namespace, s *Socket, event string, rooms []string) (done func())
	// Cluster observes a cluster adapter's messages to and from the other
	// nodes (publishes, receives, request timeouts; see
	// adapter.ClusterHooks). The in-memory adapter has none.
	Cluster *adapter.ClusterHooks
	// Ack is called when the client acknowledges an event the server
	// sent with EmitWithAck (or a broadcast with acks), with the time
	// since it was queued, on the connection's reader goroutine.
	Ack func(s *Socket, latency time.Duration)
}

// ErrHandlerPanicked is what a Hooks.Event done func receives when an
// event handler panicked (the panic itself goes to Options.Logger).
var ErrHandlerPanicked = errors.New("socketio: event handler panicked")

// AddHooks installs h (nil does nothing) after the hooks already
// installed (Options.Hooks first): every hook of each is called, in the
// order they were added, and an Event or Emit hook's done funcs in the
// same order. h.Engine goes to the Engine.IO server (engineio.Server
// AddHooks). It may be called at any time, concurrently with traffic;
// events already under way may not see h.
func (s *Server) AddHooks(h *Hooks) {
	if h == nil {
		return
	}
	s.engine.AddHooks(h.Engine)
	for {
		old := s.hooks.Load()
		if s.hooks.CompareAndSwap(old, joinHooks(old, h)) {
			return
		}
	}
}

// observer returns the installed hooks, nil if none.
func (s *Server) observer() *Hooks { return s.hooks.Load() }

// joinHooks returns hooks that call a's, then b's (Engine aside: the
// engine keeps its own).
func joinHooks(a, b *Hooks) *Hooks {
	if a == nil {
		c := *b
		c.Engine = nil
		return &c
	}
	return &Hooks{
		NamespaceCreated: join1(a.NamespaceCreated, b.NamespaceCreated),
		Connect:          join1(a.Connect, b.Connect),
		Disconnect:       join3(a.Disconnect, b.Disconnect),
		RoomJoined:       join3(a.RoomJoined, b.RoomJoined),
		RoomLeft:         join3(a.RoomLeft, b.RoomLeft),
		DataChanged:      join2(a.DataChanged, b.DataChanged),
		Event:            joinEvent(a.Event, b.Event),
		Emit:             joinEmit(a.Emit, b.Emit),
		Ack:              join2(a.Ack, b.Ack),
		Cluster:          joinCluster(a.Cluster, b.Cluster),
	}
}

func joinCluster(a, b *adapter.ClusterHooks) *adapter.ClusterHooks {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	return &adapter.ClusterHooks{
		Published:       join3(a.Published, b.Published),
		Received:        join3(a.Received, b.Received),
		RequestTimedOut: join2(a.RequestTimedOut, b.RequestTimedOut),
	}
}

// ClusterHooks tells the namespace's cluster adapter whom to tell of its
// traffic (adapter.ClusterObserver): nil while none is installed.
func (n *namespaceSeam) ClusterHooks() *adapter.ClusterHooks {
	if h := n.srv.observer(); h != nil {
		return h.Cluster
	}
	return nil
}

func join1[A any](f, g func(A)) func(A) {
	if f == nil {
		return g
	}
	if g == nil {
		return f
	}
	return func(a A) { f(a); g(a) }
}

func join2[A, B any](f, g func(A, B)) func(A, B) {
	if f == nil {
		return g
	}
	if g == nil {
		return f
	}
	return func(a A, b B) { f(a, b); g(a, b) }
}

func join3[A, B, C any](f, g func(A, B, C)) func(A, B, C) {
	if f == nil {
		return g
	}
	if g == nil {
		return f
	}
	return func(a A, b B, c C) { f(a, b, c); g(a, b, c) }
}

type eventHook = func(*Socket, *Event) func(error)

func joinEvent(f, g eventHook) eventHook {
	if f == nil {
		return g
	}
	if g == nil {
		return f
	}
	return func(s *Socket, e *Event) func(error) {
		df, dg := f(s, e), g(s, e)
		if df == nil {
			return dg
		}
		if dg == nil {
			return df
		}
		return func(err error) { df(err); dg(err) }
	}
}

type emitHook = func(*Namespace, *Socket, string, []string) func()

func joinEmit(f, g emitHook) emitHook {
	if f == nil {
		return g
	}
	if g == nil {
		return f
	}
	return func(n *Namespace, s *Socket, event string, rooms []string) func() {
		df, dg := f(n, s, event, rooms), g(n, s, event, rooms)
		if df == nil {
			return dg
		}
		if dg == nil {
			return df
		}
		return func() { df(); dg() }
	}
}

// The event sites call these: each is a nil check when no hook is set.

func (s *Server) hookNamespace(n *Namespace) {
	if h := s.observer(); h != nil && h.NamespaceCreated != nil {
		h.NamespaceCreated(n)
	}
}

func (s *Socket) hookConnect() {
	if h := s.nsp.srv.observer(); h != nil && h.Connect != nil {
		h.Connect(s)
	}
}

func (s *Socket) hookDisconnect(reason Reason, cause error) {
	if h := s.nsp.srv.observer(); h != nil && h.Disconnect != nil {
		h.Disconnect(s, reason, cause)
	}
}

func (s *Socket) hookData(v any) {
	if h := s.nsp.srv.observer(); h != nil && h.DataChanged != nil {
		h.DataChanged(s, v)
	}
}

// hookEmit reports an emit about to be queued; it returns the done func
// to call after, or nil.
func (n *Namespace) hookEmit(s *Socket, event string, rooms []string) func() {
	if h := n.srv.observer(); h != nil && h.Emit != nil {
		return h.Emit(n, s, event, rooms)
	}
	return nil
}

// ackSent returns the time to measure an acknowledgement's latency from:
// now if an Ack hook is installed, else zero (no clock read).
func (s *Socket) ackSent() time.Time {
	if h := s.nsp.srv.observer(); h != nil && h.Ack != nil {
		return time.Now()
	}
	return time.Time{}
}

func (s *Socket) hookAck(sent time.Time) {
	if sent.IsZero() {
		return
	}
	if h := s.nsp.srv.observer(); h != nil && h.Ack != nil {
		h.Ack(s, time.Since(sent))
	}
}

// RoomHook tells the namespace's adapter.Memory whom to tell of
// membership changes (adapter.RoomObserver): nil while no room hook is
// installed.
func (n *namespaceSeam) RoomHook() func(room, id string, joined bool) {
	h := n.srv.observer()
	if h == nil || (h.RoomJoined == nil && h.RoomLeft == nil) {
		return nil
	}
	nsp := (*Namespace)(n)
	return func(room, id string, joined bool) {
		switch {
		case joined && h.RoomJoined != nil:
			h.RoomJoined(nsp, room, id)
		case !joined && h.RoomLeft != nil:
			h.RoomLeft(nsp, room, id)
		}
	}
}

// dispatchObserved is dispatchEvent for a Hooks.Event that wants to know
// when the handlers are done, panic included (the panic goes on to the
// handler goroutine, which logs it).
func (s *Socket) dispatchObserved(e *Event, mws []func(*Event) error, closedBefore bool, done func(error)) {
	finished := false
	defer func() {
		if !finished {
			done(ErrHandlerPanicked)
		}
	}()
	err := s.dispatchEvent(e, mws, closedBefore)
	finished = true
	done(err)
}

// endEmit calls an Emit hook's done func, if any.
func endEmit(done func()) {
	if done != nil {
		done()
	}
}
