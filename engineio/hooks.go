package engineio

import "github.com/gosio/socketio/engineio/packet"

// Hooks observe a server's sessions, for metrics, tracing and admin tools
// (the socketio package's Hooks carry them in their Engine field). Every
// field may be nil. With no hooks installed (the default) an event costs
// one atomic pointer load and allocates nothing.
//
// A hook runs synchronously on the goroutine its field names, often with
// traffic waiting behind it: it must be quick and must not block. It may
// call the Socket's read-only methods (ID, TransportName, Request, ...).
// A hook that panics is not recovered: it fails the goroutine it runs on,
// as a panicking http.Handler does.
type Hooks struct {
	// Open is called when a session opens (after its handshake, before
	// Options.OnConnection), on the goroutine serving the handshake.
	Open func(s *Socket)
	// Close is called once for each session that opened (whether or not
	// Open was installed then), when it closes, with the reason (ReasonTransportClose, ReasonPingTimeout,
	// ...) and the error behind it (ErrWriteBufferFull for a client too
	// slow to read), before the session's Handler hears of it; on the
	// goroutine that ended the session.
	Close func(s *Socket, reason string, err error)
	// Upgrade is called when a session moves from polling to WebSocket,
	// on the WebSocket's reader goroutine.
	Upgrade func(s *Socket)
	// PacketIn is called for each packet the client sends on the
	// session's active transport (messages, pongs), with its type and
	// the length of its data (the payload, without framing), on the
	// reader goroutine: the WebSocket's read loop or the goroutine
	// serving a polling POST.
	PacketIn func(s *Socket, t packet.Type, size int)
	// PacketsOut is called when messages are queued for the client
	// (Send, SendPackets, SendPacketsNow), with their count and the
	// length of their data, on the sender's goroutine: a broadcast calls
	// it once per recipient.
	PacketsOut func(s *Socket, count, size int)
	// WriteBufferFull is called when packets are refused because the
	// session's queue would pass Options.MaxBufferedBytes (a client too
	// slow to read), just before the session closes with
	// ErrWriteBufferFull; size is what was refused, in data bytes. On the
	// sender's goroutine.
	WriteBufferFull func(s *Socket, size int)
}

// AddHooks installs h (nil does nothing) after the hooks already
// installed (Options.Hooks first): every hook of each is called, in the
// order they were added. It may be called at any time, concurrently with
// traffic; events already under way may not see h.
func (srv *Server) AddHooks(h *Hooks) {
	if h == nil {
		return
	}
	for {
		old := srv.hooks.Load()
		if srv.hooks.CompareAndSwap(old, joinHooks(old, h)) {
			return
		}
	}
}

// observer returns the installed hooks, nil if none.
func (srv *Server) observer() *Hooks { return srv.hooks.Load() }

// joinHooks returns hooks that call a's, then b's.
func joinHooks(a, b *Hooks) *Hooks {
	if a == nil {
		c := *b
		return &c
	}
	return &Hooks{
		Open:            join1(a.Open, b.Open),
		Close:           join3(a.Close, b.Close),
		Upgrade:         join1(a.Upgrade, b.Upgrade),
		PacketIn:        join3(a.PacketIn, b.PacketIn),
		PacketsOut:      join3(a.PacketsOut, b.PacketsOut),
		WriteBufferFull: join2(a.WriteBufferFull, b.WriteBufferFull),
	}
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

// TransportCounts returns how many open sessions are on each transport
// now (a session being upgraded counts as polling). It walks the
// sessions: for a dashboard or a scrape, not for a hot path.
func (srv *Server) TransportCounts() (polling, websocket int) {
	srv.mu.RLock()
	list := make([]*Socket, 0, len(srv.sessions))
	for _, s := range srv.sessions {
		list = append(list, s)
	}
	srv.mu.RUnlock()
	for _, s := range list {
		if s.TransportName() == WebSocket {
			websocket++
		} else {
			polling++
		}
	}
	return polling, websocket
}

// dataLen is the data length of pkts, as hooks report it.
func dataLen(pkts []packet.Packet) int {
	n := 0
	for _, p := range pkts {
		n += len(p.Data)
	}
	return n
}
