package engineio

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// WebSocket close codes used by the server.
const (
	closeNormal        = 1000
	closeProtocolError = 1002
	closeInvalidData   = 1007
	closePolicy        = 1008
	closeTooBig        = 1009
	closeInternal      = 1011
)

// maxFragments caps the frames of one message, so that memory and CPU
// follow bytes and not fragment count (ws GHSA-96hv-2xvq-fx4p).
const maxFragments = 1024

// readBufferSize is the read buffer of a WebSocket connection: small, so a
// connection holds little; larger payloads are read straight into the
// message buffer.
const readBufferSize = 512

// wsConn is one WebSocket connection serving a session, either as its
// active transport or while it probes an upgrade.
type wsConn struct {
	s    *Socket
	conn net.Conn
	src  io.Reader // what br reads: conn, or bytes sent with the upgrade request then conn

	// Read state, owned by the reader goroutine (readLoop). While the
	// connection is handed over to the idle poller there is no reader, br
	// is nil and its buffer is back in the pool.
	br      *bufio.Reader
	handoff bool // the reader may hand the connection over when idle
	waiting bool // waiting for the first byte of a message
	// heartbeat: the last message was a heartbeat (pong; a v3 client's
	// ping), after which the client is idle until the next one.
	heartbeat bool
	idleAt    int64 // the idle read deadline in UnixNano; 0: none set

	idle       *idlePoller     // nil: never handed over (not Linux, TLS, option off)
	raw        syscall.RawConn // conn's descriptor, for the poller
	pollID     uint64          // registration id, under idle.mu
	registered bool            // registered with the poller's epoll, under idle.mu
	unwatched  atomic.Bool     // closed: not to be handed over again

	wmu      sync.Mutex // serializes writes to conn
	deadline int64      // current write deadline in UnixNano, under wmu
	probed   bool       // "2probe" answered (upgrade in progress)
	deflate  int        // permessage-deflate threshold in bytes; 0: off
	gather   bool       // conn writes net.Buffers with one writev
	binary   binaryForm // how binary messages are framed (protocol v3 or v4)

	closeOnce sync.Once
}

// binaryForm is how a WebSocket connection frames binary messages.
type binaryForm uint8

const (
	binaryRaw    binaryForm = iota // v4: a binary frame of the bytes
	binaryTyped                    // v3: a binary frame of type byte 4 and the bytes
	binaryBase64                   // v3, client without binary: text frame "b4" + base64
)

// binaryFormFor returns the framing of a WebSocket of session s opened
// with query q: in v3 a client that asks b64 gets base64 (the reference
// reads b64 from each transport's own request).
func binaryFormFor(s *Socket, q *query) binaryForm {
	switch {
	case !s.eio3:
		return binaryRaw
	case q.b64:
		return binaryBase64
	}
	return binaryTyped
}

func newWSConn(s *Socket, conn net.Conn, src io.Reader, deflate int, binary binaryForm) *wsConn {
	c := &wsConn{s: s, conn: conn, src: src, deflate: deflate, binary: binary}
	switch conn.(type) {
	case *net.TCPConn, *net.UnixConn:
		c.gather = true // else (TLS) net.Buffers would write segment by segment
	}
	if s.srv != nil && s.srv.idle != nil && s.cfg.IdleHandoff > 0 && src == io.Reader(conn) {
		p := s.srv.idle
		if c.raw = rawConn(conn); c.raw != nil {
			c.idle, c.handoff = p, true
		}
	}
	return c
}

var errWSClosedByPeer = errors.New("engineio: websocket closed by the client")

// openWebSocketSession handles a handshake with transport=websocket: the
// open packet is the first frame and the session has no upgrades.
func (srv *Server) openWebSocketSession(w http.ResponseWriter, r *http.Request, q *query, id string) {
	s := newSocket(srv, id, r, WebSocket, q)
	binary := binaryFormFor(s, q)
	hdr := make(http.Header)
	srv.applyHeaders(hdr, r, true)
	var first []byte
	if !s.eio3 {
		s.mu.Lock()
		first = appendFrames(nil, s.out.take(), 0)
		s.mu.Unlock()
	}
	// A v3 session's open packet goes in a write of its own, after the
	// 101, as Node's server writes it: the v3 suite (and a client that
	// attaches its message listener when the socket opens) loses a frame
	// that arrives in the same read as the 101.
	conn, src, deflate := srv.acceptWebSocket(w, r, hdr, first)
	if conn == nil {
		s.closeWith(ReasonTransportError, nil, closeReplyClose)
		return
	}
	c := newWSConn(s, conn, src, deflate, binary)
	s.mu.Lock()
	s.ws = c
	s.mu.Unlock()
	if !srv.register(s) {
		s.closeWith(ReasonForcedClose, ErrServerClosed, closeReplyClose)
		return
	}
	s.mu.Lock()
	s.flushLocked() // anything OnConnection sent
	s.mu.Unlock()
	go c.readLoop()
}

// upgradeSession handles a WebSocket that wants to replace the polling
// transport of s. A second upgrade, or one for a session that is not open
// on polling, gets its WebSocket closed at once.
func (srv *Server) upgradeSession(w http.ResponseWriter, r *http.Request, q *query, s *Socket) {
	hdr := make(http.Header)
	srv.applyHeaders(hdr, r, false)
	conn, src, deflate := srv.acceptWebSocket(w, r, hdr, nil)
	if conn == nil {
		return
	}
	c := newWSConn(s, conn, src, deflate, binaryFormFor(s, q))
	s.mu.Lock()
	if s.state != stateOpen || s.transport != Polling || s.upgrading != nil || s.upgraded {
		s.mu.Unlock()
		c.close(closeNormal)
		return
	}
	s.upgrading = c
	s.upgradeTimer = time.AfterFunc(s.cfg.UpgradeTimeout, func() { s.abortUpgrade(c) })
	s.mu.Unlock()
	go c.readLoop()
}
