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
//
// Its own handlers (OnOpen, OnError, OnClose, OnPing, the reconnection
// ones and the engine events of engine.go) run on the Manager's handler
// goroutine, one at a time, in order; its sockets' handlers run on their
// own goroutines (see Socket). The engine's reader decodes packets and
// hands each to its socket's handler queue; acknowledgements are resolved
// on the reader at once.
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

	engineEvents engineListeners // engine.go
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
	return connectSocket(ctx, NewManager(rawURL, opts).Socket(nsp, nil))
}

// connectSocket connects s and waits until it is connected, refused, or
// ctx ends.
func connectSocket(ctx context.Context, s *Socket) (*Socket, error) {
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
// connected: call Connect) with opts, or, if opts is nil, with the socket
// settings of the Manager's Options (Auth, AuthFunc, AckTimeout, Retries).
// A socket that exists is returned as it is; opts are then ignored (Node:
// manager.socket(nsp, opts)).
func (m *Manager) Socket(nsp string, opts *SocketOptions) *Socket {
	if !strings.HasPrefix(nsp, "/") {
		nsp = "/" + nsp
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s := m.sockets[nsp]; s != nil {
		return s
	}
	so := m.opts.socketConfig()
	if opts != nil {
		so = *opts
	}
	s := newSocket(m, nsp, so)
	m.sockets[nsp] = s
	return s
}

// idle reports whether the Manager is closed, with no active socket and
// no reconnection waiting.
func (m *Manager) idle() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state == mClosed && len(m.active) == 0 && !m.reconnecting
}

// hasSocket reports whether the Manager has a socket for nsp.
func (m *Manager) hasSocket(nsp string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sockets[nsp] != nil
}

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
		Events:           m.engineHooks(),
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
			err = &connectTimeout{cause: err}
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
			s.tasks.PushNoWait(func() { s.onEngineError(err) })
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
		s.tasks.PushNoWait(func() { s.sendConnect(gen) })
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
		m.handleClose(gen, reason, cause)
	}
}

// handleClose ends connection gen (handler goroutine): the Manager's
// OnClose handlers run, each active socket's close is queued behind its
// pending events, and reconnection starts unless the close was wanted.
func (m *Manager) handleClose(gen uint64, reason Reason, cause error) {
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
	m.closeSockets(gen, reason, cause)
	if !skip {
		m.reconnect()
	}
}

// closeSockets queues the close of connection gen on each active socket.
func (m *Manager) closeSockets(gen uint64, reason Reason, cause error) {
	for _, s := range m.activeSockets() {
		s.tasks.PushNoWait(func() { s.onClose(gen, reason, cause) })
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
// the connection is open, and its generation.
func (m *Manager) subscribe(s *Socket) (gen uint64, open bool) {
	m.mu.Lock()
	m.active[s] = true
	open, gen = m.state == mOpen, m.gen
	waiting := m.reconnecting
	m.mu.Unlock()
	if !open && !waiting {
		m.open()
	}
	return gen, open
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
	gen := m.gen
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
			m.closeSockets(gen, ReasonForcedClose, nil)
		})
	}
}

// writeOn sends an encoded packet on connection gen; it reports false
// when that connection is not the open one.
func (m *Manager) writeOn(gen uint64, p *parser.Packet) bool {
	m.mu.Lock()
	engine := m.engine
	if m.gen != gen {
		engine = nil
	}
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
	m.handleClose(gen, ReasonParseError, err)
}
