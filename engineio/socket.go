package engineio

import (
	"bytes"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosio/socketio/engineio/packet"
	"github.com/gosio/socketio/engineio/session"
	"github.com/gosio/socketio/internal/dispatch"
	"github.com/gosio/socketio/internal/signal"
)

// Handler receives the events of one session; set it with
// Socket.SetHandler, normally inside Options.OnConnection. See
// session.Handler for the contract. A handler may call any Socket method,
// including Close; Send after close returns ErrClosed.
type Handler = session.Handler

type sockState uint8

const (
	stateOpen sockState = iota
	stateClosing
	stateClosed
)

// closeReply is what a poll held when the session closes receives.
type closeReply uint8

const (
	closeReplyClose closeReply = iota // packet "1": the server ended the session
	closeReplyNoop                    // packet "6": the client asked to close
)

// Socket is one Engine.IO session (Node: the engine "socket", socket.conn).
type Socket struct {
	id   string
	srv  *Server
	cfg  *config
	req  sessionRequest // what is kept of the handshake request
	done signal.Done    // closed when the session is closed

	// dispatch serializes handler calls; see Handler.
	dispatch dispatch.Dispatcher

	// postActive is set while a POST is read (a second one is an overlap).
	postActive atomic.Bool

	// mu guards the fields below: the session state, its outbound queue
	// and the transports that drain it.
	mu    sync.Mutex
	state sockState
	// eio3: the session speaks Engine.IO v3 (Options.AllowEIO3). b64: its
	// polling client takes no binary (b64 in the handshake query). Set
	// once, before the session is shared: read without mu.
	eio3, b64 bool
	transport string
	out       outQueue // packets sent and not yet handed to the transport

	// heartbeat: one timer, re-armed for the interval and for the pong.
	hb            *time.Timer
	hbGen         uint64
	hbWaitingPong bool

	// polling
	pollWait    chan struct{} // set while a GET is held; closed to wake it
	pollActive  bool
	pollReply   closeReply
	noopPending bool // a probe succeeded: release held polls with a noop
	// probeSettled is closed when a probed upgrade completes or aborts.
	probeSettled chan struct{}
	closeTimer   *time.Timer

	// websocket
	ws           *wsConn // the active WebSocket transport
	upgrading    *wsConn // a WebSocket probing to replace polling
	upgraded     bool
	writing      bool // a writer goroutine is draining the queue to ws
	upgradeTimer *time.Timer
}

// newSocket returns a session opened by handshake r, with query q.
func newSocket(srv *Server, id string, r *http.Request, transport string, q *query) *Socket {
	s := &Socket{
		id:        id,
		srv:       srv,
		cfg:       srv.cfg,
		req:       newSessionRequest(r),
		eio3:      q.eio3(),
		b64:       q.b64,
		transport: transport,
		out:       outQueue{max: srv.cfg.MaxBufferedBytes},
	}
	s.out.addControl(s.openPacket())
	if p := s.cfg.InitialPacket; p != nil {
		s.out.addControl(packet.Packet{Type: packet.Message, Data: p})
	}
	s.mu.Lock()
	if s.eio3 {
		s.awaitPingLocked()
	} else {
		s.armHeartbeatLocked(s.cfg.PingInterval)
	}
	s.mu.Unlock()
	return s
}

func (s *Socket) openPacket() packet.Packet {
	data := appendOpenPayload(make([]byte, 0, 128), s.id, s.cfg.upgrades(s.transport),
		s.cfg.PingInterval.Milliseconds(), s.cfg.PingTimeout.Milliseconds(), s.cfg.MaxHTTPBufferSize)
	return packet.Packet{Type: packet.Open, Data: data}
}

// ID returns the session id (sid).
func (s *Socket) ID() string { return s.id }

// Protocol returns the Engine.IO protocol revision of the session: 4, or
// 3 for a v3 client (Socket.IO v2) served with Options.AllowEIO3.
func (s *Socket) Protocol() int {
	if s.eio3 {
		return 3
	}
	return 4
}

// Request returns the handshake request: method, URL, headers, host,
// remote address and TLS state; no body, no context. The session keeps
// the request in compact form: each call builds a new *http.Request
// (1.4 KB and 1.6 µs for a browser's twelve headers, BenchmarkSessionRequest),
// which the caller may keep or change.
func (s *Socket) Request() *http.Request { return s.req.request() }

// RemoteAddr returns the client's address as net/http reports it.
func (s *Socket) RemoteAddr() string { return s.req.remoteAddr() }

// Done returns a channel closed when the session is closed.
func (s *Socket) Done() <-chan struct{} { return s.done.Chan() }

// TransportName returns "polling" or "websocket".
func (s *Socket) TransportName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transport
}

// Upgraded reports whether the session moved from polling to WebSocket.
func (s *Socket) Upgraded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.upgraded
}

// SetHandler sets the receiver of the session's messages and close. Call it
// from Options.OnConnection so that no message is missed; messages that
// arrive while no handler is set are dropped.
func (s *Socket) SetHandler(h Handler) { s.dispatch.Set(h) }

// Send queues one message. The session keeps data until it is written, so
// the caller must not modify it afterwards; the same slice may be sent to
// many sessions. It returns ErrClosed if the session is closing or closed,
// and ErrWriteBufferFull (closing the session) if the client is too slow.
func (s *Socket) Send(data []byte, binary bool) error {
	return s.SendPackets(packet.Packet{Type: packet.Message, Data: data, Binary: binary})
}

// SendPackets queues several packets atomically and in order (a Socket.IO
// binary packet and its attachments, for instance). Same rules as Send.
func (s *Socket) SendPackets(pkts ...packet.Packet) error {
	c, err := s.enqueue(pkts)
	if c != nil {
		go c.writeLoop()
	}
	return err
}

// enqueue queues pkts and hands them to the transport (see
// startWriterLocked): it returns the connection whose writer the caller
// must run, if any. A queue over its bound closes the session.
func (s *Socket) enqueue(pkts []packet.Packet) (*wsConn, error) {
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	if !s.out.add(pkts...) {
		s.mu.Unlock()
		if h := s.srv.observer(); h != nil && h.WriteBufferFull != nil {
			h.WriteBufferFull(s, dataLen(pkts))
		}
		s.closeWith(ReasonTransportError, ErrWriteBufferFull, closeReplyClose)
		return nil, ErrWriteBufferFull
	}
	c := s.startWriterLocked()
	s.mu.Unlock()
	if h := s.srv.observer(); h != nil && h.PacketsOut != nil {
		h.PacketsOut(s, len(pkts), dataLen(pkts))
	}
	return c, nil
}

// flushLocked hands queued packets to the transport: it wakes a held poll
// or starts the WebSocket writer.
func (s *Socket) flushLocked() {
	if c := s.startWriterLocked(); c != nil {
		go c.writeLoop()
	}
}

// startWriterLocked wakes a held poll, or claims the WebSocket writer role
// and returns the connection whose writeLoop the caller must run (nil if a
// writer already runs or nothing is to be written).
func (s *Socket) startWriterLocked() *wsConn {
	if s.out.len() == 0 && s.state == stateOpen {
		return nil
	}
	switch s.transport {
	case Polling:
		s.wakePollLocked()
	case WebSocket:
		if !s.writing && s.ws != nil {
			s.writing = true
			return s.ws
		}
	}
	return nil
}

// SendPacketsNow is SendPackets, but if no write is in progress it writes
// on the calling goroutine instead of starting a writer: it then blocks
// until the packets (with any queued before them) are written, at most
// WriteTimeout for a client that does not read; packets queued meanwhile
// by others go to a writer goroutine. Use it where the caller may wait for this one client,
// e.g. to answer it from its own handler; never for broadcasts.
func (s *Socket) SendPacketsNow(pkts ...packet.Packet) error {
	c, err := s.enqueue(pkts)
	if c != nil {
		c.drain(true)
	}
	return err
}

func (s *Socket) wakePollLocked() {
	if s.pollWait != nil {
		close(s.pollWait)
		s.pollWait = nil
	}
}

// Close closes the session gracefully (Node: socket.close()): packets
// already queued are written first, then the transport is closed and the
// handler sees reason "forced close". It does not wait.
func (s *Socket) Close() {
	s.mu.Lock()
	if s.state != stateOpen {
		s.mu.Unlock()
		return
	}
	s.state = stateClosing
	if s.transport == Polling {
		// Queued packets and the close packet go out with the next polls;
		// do not wait for them forever (the reference waits 30 s).
		s.closeTimer = time.AfterFunc(30*time.Second, func() {
			s.closeWith(ReasonForcedClose, nil, closeReplyClose)
		})
	}
	s.flushLocked()
	s.mu.Unlock()
}

// closeWith ends the session at once: timers stop, queued packets are
// dropped, a held poll is answered with reply, WebSocket connections are
// closed, the session leaves the server, and the handler's OnClose runs.
// Later calls do nothing.
func (s *Socket) closeWith(reason string, err error, reply closeReply) {
	s.mu.Lock()
	if s.state == stateClosed {
		s.mu.Unlock()
		return
	}
	s.state = stateClosed
	s.hbGen++
	stopTimer(s.hb)
	stopTimer(s.closeTimer)
	stopTimer(s.upgradeTimer)
	s.settleProbeLocked()
	s.out.drop()
	s.pollReply = reply
	if reply == closeReplyNoop && s.pollWait == nil && s.transport == Polling {
		s.srv.rememberClientClose(s.id)
	}
	s.wakePollLocked()
	ws, up := s.ws, s.upgrading
	s.upgrading = nil
	s.mu.Unlock()

	registered := s.srv.unregister(s)
	if ws != nil {
		ws.close(closeNormal)
	}
	if up != nil {
		up.close(closeNormal)
	}
	s.done.Close()
	s.cfg.Logger.Debug("engineio: session closed", "sid", s.id, "reason", reason, "err", err)
	if h := s.srv.observer(); registered && h != nil && h.Close != nil {
		h.Close(s, reason, err)
	}
	s.dispatch.Close(reason, err)
}

// onPacket handles a packet received on the active transport. Close is
// handled by the transports, which know which reply to give.
func (s *Socket) onPacket(p packet.Packet) {
	if h := s.srv.observer(); h != nil && h.PacketIn != nil {
		h.PacketIn(s, p.Type, len(p.Data))
	}
	switch p.Type {
	case packet.Message:
		s.mu.Lock()
		open := s.state == stateOpen
		s.mu.Unlock()
		if open {
			s.dispatch.Message(p.Data, p.Binary)
		}
	case packet.Pong:
		if s.eio3 { // in v3 the client pings and the server answers
			s.closeWith(ReasonTransportError, ErrHeartbeatDirection, closeReplyClose)
			return
		}
		s.mu.Lock()
		if s.state == stateOpen {
			s.hbWaitingPong = false
			s.armHeartbeatLocked(s.cfg.PingInterval)
		}
		s.mu.Unlock()
	case packet.Ping:
		if s.eio3 {
			s.onClientPing()
			return
		}
		s.closeWith(ReasonTransportError, ErrHeartbeatDirection, closeReplyClose)
	}
	// open, upgrade and noop from a client on the active transport are
	// ignored, as in the reference.
}

// armHeartbeatLocked (re)starts the heartbeat timer. A generation number
// makes a timer that fired concurrently with the re-arm do nothing.
func (s *Socket) armHeartbeatLocked(d time.Duration) {
	s.hbGen++
	gen := s.hbGen
	stopTimer(s.hb)
	s.hb = time.AfterFunc(d, func() { s.onHeartbeat(gen) })
}

func (s *Socket) onHeartbeat(gen uint64) {
	s.mu.Lock()
	if gen != s.hbGen || s.state == stateClosed {
		s.mu.Unlock()
		return
	}
	if s.hbWaitingPong {
		s.mu.Unlock()
		s.closeWith(ReasonPingTimeout, nil, closeReplyClose)
		return
	}
	s.hbWaitingPong = true
	s.armHeartbeatLocked(s.cfg.PingTimeout)
	if s.state == stateOpen {
		s.out.addControl(packet.Packet{Type: packet.Ping})
		s.flushLocked()
	}
	s.mu.Unlock()
}

// awaitPingLocked (re)starts the v3 heartbeat: the session closes with
// "ping timeout" unless the client pings within PingInterval+PingTimeout
// (onHeartbeat with hbWaitingPong set). Unlike Node's, the wait goes on
// after an upgrade (Node clears the timer then, and a cleared timer does
// not refresh), so a v2 client that dies on WebSocket is still found.
func (s *Socket) awaitPingLocked() {
	s.hbWaitingPong = true
	s.armHeartbeatLocked(s.cfg.PingInterval + s.cfg.PingTimeout)
}

// onClientPing answers a v3 client's ping with a pong and restarts the
// wait for the next one. Only pings do: other traffic does not count, as
// in the reference.
func (s *Socket) onClientPing() {
	s.mu.Lock()
	if s.state == stateOpen {
		s.awaitPingLocked()
		s.out.addControl(packet.Packet{Type: packet.Pong})
		s.flushLocked()
	}
	s.mu.Unlock()
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

var probe = []byte("probe")

func isProbe(p packet.Packet) bool { return bytes.Equal(p.Data, probe) }

// Writable reports whether a packet sent now would leave at once: a poll
// is held (polling), or no write is in progress (WebSocket). Socket.IO
// drops volatile packets when it is false, as the reference does.
func (s *Socket) Writable() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateOpen {
		return false
	}
	if s.transport == Polling {
		return s.pollWait != nil
	}
	return !s.writing
}
