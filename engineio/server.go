package engineio

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is an Engine.IO server. Create it with NewServer; it is an
// http.Handler to mount at Options.Path (or anywhere above it).
type Server struct {
	cfg  *config
	sids sidGenerator

	mu       sync.RWMutex
	sessions map[string]*Socket
	closed   bool

	// closedByClient remembers, for a moment, sessions the client closed
	// over polling while no poll was held. HTTP requests run concurrently
	// here, so a poll the client sent with its close may be served after
	// it; it gets the noop it would have got had it arrived first (the
	// reference, single-threaded, serves them in arrival order). Only that
	// one poll: the entry is consumed.
	closedByClient recentCloses

	idle *idlePoller // idle WebSocket connections (Linux); nil elsewhere

	hooks atomic.Pointer[Hooks] // see AddHooks; nil: none
}

// NewServer returns a server configured by opts (nil means defaults). It
// panics if opts is invalid (an unusable cookie), as a configuration error
// should be found at start-up.
func NewServer(opts *Options) *Server {
	cfg := newConfig(opts)
	if cfg.Cookie != nil {
		if err := cfg.Cookie.validate(); err != nil {
			panic(err)
		}
	}
	srv := &Server{
		cfg:            cfg,
		sessions:       make(map[string]*Socket),
		closedByClient: recentCloses{grace: closedGrace, max: maxClosedByClient},
		idle:           newIdlePoller(),
	}
	srv.AddHooks(cfg.Hooks)
	return srv
}

// Path returns the URL path prefix the server answers, with a trailing
// slash.
func (srv *Server) Path() string { return srv.cfg.path }

// ClientsCount returns the number of open sessions.
func (srv *Server) ClientsCount() int {
	srv.mu.RLock()
	defer srv.mu.RUnlock()
	return len(srv.sessions)
}

// Socket returns the open session with the given id, or nil.
func (srv *Server) Socket(id string) *Socket {
	srv.mu.RLock()
	defer srv.mu.RUnlock()
	return srv.sessions[id]
}

// ServeHTTP answers Engine.IO requests: handshakes, polls, posts and
// WebSocket upgrades. Requests outside Path get 404; requests whose
// headers are over MaxHeaderBytes get 431. Refused requests get
// the reference's error codes and bodies (see ConnectionError).
func (srv *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, srv.cfg.path) {
		http.NotFound(w, r)
		return
	}
	if headerBytesOver(r, srv.cfg.MaxHeaderBytes) {
		writeHeaderTooLarge(w)
		return
	}
	if c := srv.cfg.CORS; c != nil && c.apply(w, r) {
		return // preflight answered
	}
	q := parseQuery(r.URL.RawQuery)
	upgrade := isUpgradeRequest(r)
	if code, ctx := srv.verify(r, &q, upgrade); code >= 0 {
		if code == CodeUnknownSID && !upgrade && r.Method == http.MethodGet && q.transport == Polling && srv.takeClosedByClient(q.sid) {
			srv.writeNoop(w, &q)
			return
		}
		srv.refuse(w, r, upgrade, code, ctx)
		return
	}
	if q.sid == "" {
		srv.handshake(w, r, &q, upgrade)
		return
	}
	s := srv.Socket(q.sid)
	if s == nil { // closed between verify and now
		if !upgrade && r.Method == http.MethodGet && q.transport == Polling && srv.takeClosedByClient(q.sid) {
			srv.writeNoop(w, &q)
			return
		}
		srv.refuse(w, r, upgrade, CodeUnknownSID, map[string]string{"sid": q.sid})
		return
	}
	switch {
	case upgrade && q.transport == WebSocket:
		srv.upgradeSession(w, r, &q, s)
	case upgrade:
		// The reference accepts the WebSocket and closes it at once: a
		// polling transport does not handle upgrades.
		srv.refuse(w, r, true, CodeBadRequest, map[string]string{"name": ContextTransportMismatch})
	case r.Method == http.MethodGet:
		s.servePoll(w, r)
	case r.Method == http.MethodPost:
		s.servePost(w, r)
	default:
		w.WriteHeader(http.StatusInternalServerError)
	}
}

// verify applies the reference's checks in the reference's order. It
// returns -1 when the request may proceed, else the error code and context.
func (srv *Server) verify(r *http.Request, q *query, upgrade bool) (int, map[string]string) {
	if !srv.transportEnabled(q.transport) {
		return CodeUnknownTransport, map[string]string{"transport": q.transport}
	}
	if origin := r.Header.Get("Origin"); invalidHeaderValue(origin) {
		return CodeBadRequest, map[string]string{"name": ContextInvalidOrigin}
	}
	if upgrade && srv.cfg.CORS != nil && r.Header.Get("Origin") != "" && srv.cfg.CORS.allowedOrigin(r) == "" {
		// Not in the reference (the cors module only sets headers): with an
		// origin list configured, refuse cross-site WebSocket hijacking.
		return CodeForbidden, map[string]string{"message": "Origin not allowed"}
	}
	if q.sid != "" {
		s := srv.Socket(q.sid)
		if s == nil {
			return CodeUnknownSID, map[string]string{"sid": q.sid}
		}
		if prev := s.TransportName(); !upgrade && prev != q.transport {
			return CodeBadRequest, map[string]string{"name": ContextTransportMismatch, "transport": q.transport, "previousTransport": prev}
		}
		return -1, nil
	}
	if r.Method != http.MethodGet {
		return CodeBadHandshakeMethod, map[string]string{"method": r.Method}
	}
	if q.transport == WebSocket && !upgrade {
		return CodeBadRequest, map[string]string{"name": ContextTransportHandshakeError}
	}
	if f := srv.cfg.AllowRequest; f != nil {
		if err := f(r); err != nil {
			return CodeForbidden, map[string]string{"message": err.Error()}
		}
	}
	if q.eio3() && !srv.cfg.AllowEIO3 {
		return CodeUnsupportedProtocolVersion, map[string]string{"protocol": "3"}
	}
	return -1, nil
}

func (srv *Server) transportEnabled(t string) bool {
	switch t {
	case Polling:
		return srv.cfg.polling
	case WebSocket:
		return srv.cfg.websocket
	}
	return false
}

// refuse reports a ConnectionError and answers it. For an upgrade request
// the reference writes a bare 400 with the message as text/html.
func (srv *Server) refuse(w http.ResponseWriter, r *http.Request, upgrade bool, code int, ctx map[string]string) {
	msg := codeMessages[code]
	if m := ctx["message"]; m != "" {
		msg = m
	}
	if f := srv.cfg.OnConnectionError; f != nil {
		f(&ConnectionError{Request: r, Code: code, Message: codeMessages[code], Context: ctx})
	}
	srv.cfg.Logger.Debug("engineio: request refused", "code", code, "message", msg, "remote", r.RemoteAddr)
	if upgrade {
		h := w.Header()
		h.Set("Connection", "close")
		h.Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(msg))
		return
	}
	writeError(w, code, msg)
}

// handshake opens a new session on the transport named in the query.
func (srv *Server) handshake(w http.ResponseWriter, r *http.Request, q *query, upgrade bool) {
	id := ""
	if gen := srv.cfg.GenerateID; gen != nil {
		var err error
		if id, err = gen(r); err != nil || id == "" {
			srv.refuse(w, r, upgrade, CodeBadRequest, map[string]string{"name": ContextIDGenerationError})
			return
		}
	} else {
		id = srv.sids.next()
	}
	if q.transport == WebSocket {
		srv.openWebSocketSession(w, r, q, id)
		return
	}
	s := newSocket(srv, id, r, Polling, q)
	if !srv.register(s) {
		writeError(w, CodeBadRequest, codeMessages[CodeBadRequest])
		return
	}
	s.servePoll(w, r)
}

// register adds s to the session table and runs OnConnection. It returns
// false if the server is closed.
func (srv *Server) register(s *Socket) bool {
	srv.mu.Lock()
	if srv.closed {
		srv.mu.Unlock()
		return false
	}
	srv.sessions[s.id] = s
	srv.mu.Unlock()
	if h := srv.observer(); h != nil && h.Open != nil {
		h.Open(s)
	}
	if f := srv.cfg.OnConnection; f != nil {
		f(s)
	}
	return true
}

// unregister removes s from the session table; it reports whether s was
// in it.
func (srv *Server) unregister(s *Socket) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.sessions[s.id] == s {
		delete(srv.sessions, s.id)
		return true
	}
	return false
}

// rememberClientClose records that the client closed session id with no
// poll held (see closedByClient). Called with the session's lock held, so
// a poll served after the close always finds the record. Constant time.
func (srv *Server) rememberClientClose(id string) {
	srv.closedByClient.remember(id, timeNow())
}

// A closed session is remembered for closedGrace; at most
// maxClosedByClient are (the oldest go first).
const (
	closedGrace       = time.Second
	maxClosedByClient = 10000
)

// takeClosedByClient reports, once, whether the client closed session sid
// within the last closedGrace with no poll held.
func (srv *Server) takeClosedByClient(sid string) bool {
	return srv.closedByClient.take(sid, timeNow())
}

// writeNoop answers a poll with a lone noop packet ("1:6" in v3).
func (srv *Server) writeNoop(w http.ResponseWriter, q *query) {
	body := []byte{'6'}
	if q.eio3() && srv.cfg.AllowEIO3 {
		body = []byte("1:6")
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// Close closes every session at once (reason "forced close", queued
// packets dropped) and refuses new handshakes. It does not wait for
// handlers to return.
func (srv *Server) Close() error {
	for _, s := range srv.stop() {
		s.closeWith(ReasonForcedClose, ErrServerClosed, closeReplyClose)
	}
	if srv.idle != nil {
		srv.idle.close() // hands back what is left (upgrade probes)
	}
	return nil
}

// Shutdown refuses new handshakes, asks every session to close after its
// queued packets are written, and waits until all are closed or ctx is
// done; then it closes what is left, as Close does, and returns ctx.Err().
func (srv *Server) Shutdown(ctx context.Context) error {
	sessions := srv.stop()
	for _, s := range sessions {
		s.Close()
	}
	for _, s := range sessions {
		select {
		case <-s.done.Chan():
		case <-ctx.Done():
			srv.Close()
			return ctx.Err()
		}
	}
	return nil
}

func (srv *Server) stop() []*Socket {
	srv.mu.Lock()
	srv.closed = true
	list := make([]*Socket, 0, len(srv.sessions))
	for _, s := range srv.sessions {
		list = append(list, s)
	}
	srv.mu.Unlock()
	return list
}

// applyHeaders runs the header hooks for a response of session sid.
func (srv *Server) applyHeaders(h http.Header, r *http.Request, initial bool) {
	if initial && srv.cfg.OnInitialHeaders != nil {
		srv.cfg.OnInitialHeaders(h, r)
	}
	if srv.cfg.OnHeaders != nil {
		srv.cfg.OnHeaders(h, r)
	}
}

// isUpgradeRequest reports whether r asks for a WebSocket upgrade.
func isUpgradeRequest(r *http.Request) bool {
	return r.Method == http.MethodGet && headerHasToken(r.Header, "Upgrade", "websocket")
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h[http.CanonicalHeaderKey(name)] {
		for v != "" {
			var t string
			t, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// invalidHeaderValue mirrors the reference's checkInvalidHeaderChar:
// control characters other than tab, and DEL, are invalid.
func invalidHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return true
		}
	}
	return false
}

var errNotHijacker = errors.New("engineio: http.ResponseWriter does not implement http.Hijacker")

// timeNow is the clock.
func timeNow() time.Time { return time.Now() }

// NewID returns a fresh random id in the session id format (20 base64url
// characters), for layers above that need unguessable ids.
func (srv *Server) NewID() string { return srv.sids.next() }
