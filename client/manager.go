package client

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gosio/socketio/engineio/client"
	"github.com/gosio/socketio/engineio/packet"
	"github.com/gosio/socketio/internal/serial"
	"github.com/gosio/socketio/parser"
)

type mstate uint8

const (
	mClosed mstate = iota
	mOpening
	mOpen
)

// Manager is one connection to a server, shared by sockets of several
// namespaces (Node: Manager, socket.io).
type Manager struct {
	url   string
	opts  Options
	tasks *serial.Queue

	mu            sync.Mutex
	state         mstate
	gen           uint64 // engine generation: stale callbacks are ignored
	engine        *client.Conn
	skipReconnect bool
	reconnecting  bool
	backoff       *backoff
	timer         *time.Timer
	dialCancel    context.CancelFunc // aborts the connection attempt in flight
	sockets       map[string]*Socket
	active        map[*Socket]bool
	upgraded      bool

	onOpen, onReconnectFailed []func()
	onError, onReconnectError []func(error)
	onClose                   []func(Reason, error)
	onPing                    []func()
	onReconnect               []func(int)
	onReconnectAttempt        []func(int)
}

// NewManager returns a Manager for the server at rawURL (its path is
// ignored; Options.Path is used). It connects when a socket does.
func NewManager(rawURL string, opts *Options) *Manager {
	o := opts.withDefaults()
	m := &Manager{
		url:     rawURL,
		opts:    o,
		sockets: make(map[string]*Socket),
		active:  make(map[*Socket]bool),
		backoff: newBackoff(o.ReconnectionDelay, o.ReconnectionDelayMax, o.RandomizationFactor),
	}
	m.tasks = serial.New(1024, func(v any, stack []byte) {
		m.opts.Logger.Error("socketio client: handler panicked", "panic", v, "stack", string(stack))
	})
	return m
}

// Connect opens a socket for the namespace in rawURL's path ("/" if none)
// on a new Manager, and waits until it is connected, refused, or ctx ends.
// The socket reconnects by itself afterwards; call Disconnect to stop it.
func Connect(ctx context.Context, rawURL string, opts *Options) (*Socket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	nsp := u.Path
	if nsp == "" {
		nsp = "/"
	}
	s := NewManager(rawURL, opts).Socket(nsp)
	result := make(chan error, 1)
	s.OnConnect(func() {
		select {
		case result <- nil:
		default:
		}
	})
	s.OnConnectError(func(err error) {
		var ce *ConnectError
		if errors.As(err, &ce) || !s.m.Reconnection() {
			select {
			case result <- err:
			default:
			}
		}
	})
	s.Connect()
	select {
	case err := <-result:
		if err != nil {
			s.Disconnect()
			return nil, err
		}
		return s, nil
	case <-ctx.Done():
		s.Disconnect()
		return nil, ctx.Err()
	}
}

// Socket returns the manager's socket for namespace nsp, creating it (not
// connected: call Connect).
func (m *Manager) Socket(nsp string) *Socket {
	if !strings.HasPrefix(nsp, "/") {
		nsp = "/" + nsp
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.sockets[nsp]; s != nil {
		return s
	}
	s := newSocket(m, nsp)
	m.sockets[nsp] = s
	return s
}

// The Manager's handlers (OnOpen, OnError, OnClose, OnPing and the
// reconnection ones) run on its handler goroutine, like the sockets'
// handlers: one at a time, in order.

// OnOpen registers f, called when the connection opens.
func (m *Manager) OnOpen(f func()) { m.on(func() { m.onOpen = append(m.onOpen, f) }) }

// OnError registers f, called when a connection attempt fails.
func (m *Manager) OnError(f func(error)) { m.on(func() { m.onError = append(m.onError, f) }) }

// OnClose registers f, called when the connection closes, with the reason
// and the error behind it, where there is one (Node: the Manager's
// "close" event; see Socket.OnDisconnect).
func (m *Manager) OnClose(f func(reason Reason, cause error)) {
	m.on(func() { m.onClose = append(m.onClose, f) })
}

// OnPing registers f, called for each ping from the server.
func (m *Manager) OnPing(f func()) { m.on(func() { m.onPing = append(m.onPing, f) }) }

// OnReconnect registers f, called with the attempt number after a
// successful reconnection.
func (m *Manager) OnReconnect(f func(attempt int)) {
	m.on(func() { m.onReconnect = append(m.onReconnect, f) })
}

// OnReconnectAttempt registers f, called before each reconnection attempt.
func (m *Manager) OnReconnectAttempt(f func(attempt int)) {
	m.on(func() { m.onReconnectAttempt = append(m.onReconnectAttempt, f) })
}

// OnReconnectError registers f, called when a reconnection attempt fails.
func (m *Manager) OnReconnectError(f func(error)) {
	m.on(func() { m.onReconnectError = append(m.onReconnectError, f) })
}

// OnReconnectFailed registers f, called when ReconnectionAttempts are
// exhausted.
func (m *Manager) OnReconnectFailed(f func()) {
	m.on(func() { m.onReconnectFailed = append(m.onReconnectFailed, f) })
}

func (m *Manager) on(add func()) {
	m.mu.Lock()
	add()
	m.mu.Unlock()
}

// Engine returns the current Engine.IO connection, or nil.
func (m *Manager) Engine() *client.Conn {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.engine
}

// open starts a connection attempt unless one is open or opening.
func (m *Manager) open() {
	m.mu.Lock()
	if m.state != mClosed {
		m.mu.Unlock()
		return
	}
	m.state = mOpening
	m.skipReconnect = false
	m.gen++
	gen := m.gen
	eo := &client.Options{
		Path:             m.opts.Path,
		Query:            m.opts.Query,
		Header:           m.opts.Header,
		Transports:       m.opts.Transports,
		DisableUpgrade:   m.opts.DisableUpgrade,
		TLSConfig:        m.opts.TLSConfig,
		HTTPClient:       m.opts.HTTPClient,
		Logger:           m.opts.Logger,
		MaxBufferedBytes: m.opts.MaxBufferedBytes,
		OnPing:           func() { m.tasks.Push(func() { m.emitPing(gen) }) },
	}
	if m.opts.RememberUpgrade && m.upgraded {
		eo.Transports = []string{client.WebSocket}
	}
	// Close aborts the attempt, as the reference's engine.close() does.
	// Options.Timeout bounds it (SetTimeout(0): nothing does).
	ctx, cancel := context.Background(), context.CancelFunc(nil)
	if m.opts.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, m.opts.Timeout)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	m.dialCancel = cancel
	m.mu.Unlock()
	go func() {
		defer cancel()
		h := &engineHandler{m: m, gen: gen, dec: m.opts.Parser.NewDecoder(parser.Limits{})}
		conn, err := client.Dial(ctx, m.url, eo, h)
		if err != nil && ctx.Err() == context.DeadlineExceeded {
			err = ErrConnectTimeout
		}
		m.tasks.Push(func() { m.onOpenResult(gen, conn, err) })
	}()
}

func (m *Manager) emitPing(gen uint64) {
	m.mu.Lock()
	hs := m.onPing
	stale := gen != m.gen
	m.mu.Unlock()
	if !stale {
		for _, f := range hs {
			f()
		}
	}
}

// onOpenResult completes a connection attempt (task goroutine).
func (m *Manager) onOpenResult(gen uint64, conn *client.Conn, err error) {
	m.mu.Lock()
	if gen != m.gen {
		m.mu.Unlock()
		if conn != nil {
			conn.Close()
		}
		return
	}
	reconnecting := m.reconnecting
	if err != nil {
		m.state = mClosed
		onError, onReconnectError := m.onError, m.onReconnectError
		m.mu.Unlock()
		for _, f := range onError {
			f(err)
		}
		for _, s := range m.activeSockets() {
			s.onEngineError(err)
		}
		if reconnecting {
			m.mu.Lock()
			m.reconnecting = false
			m.mu.Unlock()
			m.reconnect()
			for _, f := range onReconnectError {
				f(err)
			}
		} else {
			m.reconnect()
		}
		return
	}
	m.engine = conn
	m.state = mOpen
	onOpen := m.onOpen
	m.mu.Unlock()
	for _, f := range onOpen {
		f()
	}
	for _, s := range m.activeSockets() {
		s.sendConnect()
	}
	if reconnecting {
		m.mu.Lock()
		attempt := m.backoff.attempts
		m.reconnecting = false
		m.backoff.reset()
		hs := m.onReconnect
		m.mu.Unlock()
		for _, f := range hs {
			f(attempt)
		}
	}
}

func (m *Manager) activeSockets() []*Socket {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*Socket, 0, len(m.active))
	for s := range m.active {
		out = append(out, s)
	}
	return out
}

// onEngineClose handles the end of the connection (task goroutine): every
// active socket disconnects with reason, then reconnection starts unless
// the manager was closed on purpose.
func (m *Manager) onEngineClose(gen uint64, reason Reason, cause error) {
	if gen == m.generation() {
		m.handleClose(reason, cause)
	}
}

func (m *Manager) handleClose(reason Reason, cause error) {
	m.mu.Lock()
	if m.engine != nil && m.engine.Upgraded() {
		m.upgraded = true
	}
	m.engine = nil
	m.state = mClosed
	m.backoff.reset()
	skip := m.skipReconnect
	hs := m.onClose
	m.mu.Unlock()
	for _, f := range hs {
		f(reason, cause)
	}
	for _, s := range m.activeSockets() {
		s.onClose(reason, cause)
	}
	if !skip {
		m.reconnect()
	}
}

// reconnect schedules the next attempt with backoff, or gives up.
func (m *Manager) reconnect() {
	m.mu.Lock()
	if m.reconnecting || m.skipReconnect || m.opts.NoReconnection {
		m.mu.Unlock()
		return
	}
	if n := m.opts.ReconnectionAttempts; n > 0 && m.backoff.attempts >= n {
		m.backoff.reset()
		hs := m.onReconnectFailed
		m.mu.Unlock()
		for _, f := range hs {
			f()
		}
		return
	}
	delay := m.backoff.duration()
	m.reconnecting = true
	m.timer = time.AfterFunc(delay, func() { m.tasks.Push(m.attempt) })
	m.mu.Unlock()
}

// attempt is a reconnection attempt, once its delay has passed (task
// goroutine).
func (m *Manager) attempt() {
	m.mu.Lock()
	if m.opts.NoReconnection {
		m.reconnecting = false
	}
	if m.skipReconnect || !m.reconnecting {
		m.mu.Unlock()
		return
	}
	attempt := m.backoff.attempts
	hs := m.onReconnectAttempt
	m.mu.Unlock()
	for _, f := range hs {
		f(attempt)
	}
	m.mu.Lock()
	goOn := !m.skipReconnect && m.reconnecting
	m.mu.Unlock()
	if goOn {
		m.open()
	}
}

// subscribe marks s active and opens the connection if it is closed and
// no reconnection is waiting (Node's socket.connect()). It reports whether
// the connection is open.
func (m *Manager) subscribe(s *Socket) (open bool) {
	m.mu.Lock()
	m.active[s] = true
	open = m.state == mOpen
	waiting := m.reconnecting
	m.mu.Unlock()
	if !open && !waiting {
		m.open()
	}
	return open
}

// unsubscribe marks s inactive; the last one closes the connection.
func (m *Manager) unsubscribe(s *Socket) {
	m.mu.Lock()
	delete(m.active, s)
	last := len(m.active) == 0
	m.mu.Unlock()
	if last {
		m.Close()
	}
}

// Close closes the connection and stops reconnecting (Node:
// manager._close); sockets still active see "forced close".
func (m *Manager) Close() {
	m.mu.Lock()
	m.skipReconnect = true
	m.reconnecting = false
	if m.timer != nil {
		m.timer.Stop()
	}
	if m.dialCancel != nil {
		m.dialCancel()
		m.dialCancel = nil
	}
	engine := m.engine
	wasOpen := m.state != mClosed
	m.gen++
	m.engine = nil
	m.state = mClosed
	hs := m.onClose
	m.mu.Unlock()
	if engine != nil {
		engine.Close()
	}
	if wasOpen {
		// Not Push: Close may be called from a handler, which must not
		// wait for room in its own queue.
		m.tasks.PushNoWait(func() {
			for _, f := range hs {
				f(ReasonForcedClose, nil)
			}
			for _, s := range m.activeSockets() {
				s.onClose(ReasonForcedClose, nil)
			}
		})
	}
}

// write sends an encoded packet on the current connection; it reports
// false when there is none.
func (m *Manager) write(p *parser.Packet) bool {
	m.mu.Lock()
	engine := m.engine
	m.mu.Unlock()
	if engine == nil {
		return false
	}
	text, bins, err := m.opts.Parser.Encode(p)
	if err != nil {
		return false
	}
	pkts := make([]packet.Packet, 0, 1+len(bins))
	if text != nil {
		pkts = append(pkts, packet.Packet{Type: packet.Message, Data: text})
	}
	for _, b := range bins {
		pkts = append(pkts, packet.Packet{Type: packet.Message, Data: b, Binary: true})
	}
	return engine.SendPackets(pkts...) == nil
}

// engineHandler receives one Engine.IO connection's messages.
type engineHandler struct {
	m   *Manager
	gen uint64
	dec parser.MessageDecoder
}

func (h *engineHandler) OnMessage(data []byte, binary bool) {
	p, err := h.dec.Add(data, binary)
	if err != nil {
		h.m.tasks.Push(func() { h.m.parseError(h.gen, err) })
		return
	}
	if p == nil {
		return
	}
	h.m.mu.Lock()
	s := h.m.sockets[p.Nsp]
	h.m.mu.Unlock()
	if s == nil {
		return
	}
	if p.Type == parser.Ack || p.Type == parser.BinaryAck {
		s.onAck(p) // at once: a handler may be waiting for it
		return
	}
	h.m.tasks.Push(func() {
		// Packets of a connection closed meanwhile (Close, a parse
		// error) are dropped: a CONNECT reply belongs to its connection.
		if h.gen == h.m.generation() {
			s.onPacket(p)
		}
	})
}

func (h *engineHandler) OnClose(reason string, err error) {
	h.dec.Reset()
	// Not Push: the close may be reported from a write made under a
	// socket's lock (Conn.SendPackets), which must not wait for the queue.
	h.m.tasks.PushNoWait(func() { h.m.onEngineClose(h.gen, Reason(reason), err) })
}

// generation returns the number of the current connection attempt.
func (m *Manager) generation() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gen
}

// parseError closes the connection after an invalid packet; sockets see
// "parse error" (with the decoding error) and reconnection follows, as in
// the reference.
func (m *Manager) parseError(gen uint64, err error) {
	m.mu.Lock()
	if gen != m.gen {
		m.mu.Unlock()
		return
	}
	m.gen++ // the engine's own close report is now stale
	engine := m.engine
	m.mu.Unlock()
	if engine != nil {
		engine.Close()
	}
	m.handleClose(ReasonParseError, err)
}
