package socketio

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/engineio/packet"
	"github.com/gosio/socketio/internal/serial"
	"github.com/gosio/socketio/internal/signal"
	"github.com/gosio/socketio/parser"
)

// maxQueuedPackets bounds the packets of one connection waiting for its
// handler goroutine, whatever their size (Options.MaxInboundBacklog bounds
// their bytes); past it the connection's reader waits (TCP backpressure).
const maxQueuedPackets = 1024

// packetOverhead is what a queued packet costs besides its payload (the
// packet, its closure and queue entry), counted against the byte bound so
// that many tiny packets are bounded too.
const packetOverhead = 256

// client is one Engine.IO connection and the namespace sockets it carries
// (Node: Client). It implements engineio.Handler.
//
// Goroutines: the engine calls OnMessage on the connection's reader
// goroutine and OnClose on whichever goroutine saw the end. Everything
// else the application sees (connection middlewares, OnConnection, event
// handlers, OnDisconnecting, OnDisconnect) runs on the connection's
// handler goroutine, the runner of tasks, one at a time, in order.
type client struct {
	srv  *Server
	conn *engineio.Socket
	dec  parser.MessageDecoder // used by the engine's dispatch goroutine only
	eio3 bool                  // a Socket.IO v2 client (Engine.IO v3), set once: see v2client.go

	// attachment wait: a binary packet whose attachments do not all
	// arrive within maxAttachmentWait closes the connection.
	attWaiting bool // dispatch goroutine only
	// received numbers the packets queued (dispatch goroutine only);
	// packets numbered past stopAt are not handled: a close started by
	// the handling of one packet ends the handling of those after it, as
	// in the reference, which handles packets one by one as they arrive.
	received uint64
	stopAt   atomic.Uint64
	attTimer *time.Timer // dispatch goroutine only
	attGen   atomic.Uint64

	mu           sync.Mutex
	nsps         nspSockets
	closed       bool  // the connection is closing: see beginClose
	decodeErr    error // the packet error that closed it, for OnError
	connectTimer *time.Timer

	// tasks run in order on a goroutine that exists while there are any:
	// the connection's handler goroutine.
	tasks *serial.Queue
	done  signal.Done // closed when finishClose has run
}

func newClient(srv *Server, conn *engineio.Socket) *client {
	c := &client{srv: srv, conn: conn, dec: srv.format.NewDecoder(srv.limits), eio3: conn.Protocol() == 3}
	c.tasks = serial.New(maxQueuedPackets, func(v any, stack []byte) {
		srv.log.Error("socketio: handler panicked", "panic", v, "sid", conn.ID(), "stack", string(stack))
	})
	c.tasks.SetMaxBytes(srv.opts.MaxInboundBacklog)
	c.stopAt.Store(^uint64(0))
	c.mu.Lock() // the timer's callback reads connectTimer under mu
	c.connectTimer = time.AfterFunc(srv.opts.ConnectTimeout, c.onConnectTimeout)
	c.mu.Unlock()
	return c
}

// OnMessage decodes a message (engine dispatch goroutine). Acks for
// connected namespaces are handled at once, so a handler waiting for one
// is not blocked by itself; every other packet is queued in order.
func (c *client) OnMessage(data []byte, binary bool) {
	p, err := c.dec.Add(data, binary)
	if err != nil {
		c.onDecodeError(err)
		return
	}
	if p == nil {
		c.awaitAttachments()
		return
	}
	if c.eio3 {
		normalizeV2Namespace(p)
	}
	if c.attWaiting {
		c.attWaiting = false
		c.attGen.Add(1) // the packet completed: disarm the timer
		c.attTimer.Stop()
	}
	if p.Type == parser.Disconnect {
		// Noted on arrival: if the connection closes before the packet's
		// turn comes, the socket still gets the reason the client gave.
		c.mu.Lock()
		if s := c.nsps.get(p.Nsp); s != nil {
			s.clientLeft.Store(true)
		}
		c.mu.Unlock()
	}
	if p.Type == parser.Ack || p.Type == parser.BinaryAck {
		c.mu.Lock()
		s := c.nsps.get(p.Nsp)
		c.mu.Unlock()
		if s != nil {
			s.onAck(p)
			return
		}
	}
	c.received++
	seq := c.received
	c.tasks.PushSized(func() { c.process(p, seq) }, packetSize(p))
}

// packetSize is what a queued packet counts against the inbound bound.
func packetSize(p *parser.Packet) int {
	n := packetOverhead + len(p.Data)
	for _, a := range p.Attachments {
		n += len(a)
	}
	return n
}

// maxAttachmentWait bounds how long a binary packet may wait for its
// attachments (GHSA-2m8v: memory is bounded by MaxAttachmentBytes, time by
// this).
const maxAttachmentWait = 30 * time.Second

// awaitAttachments arms the attachment timer when a binary packet starts.
func (c *client) awaitAttachments() {
	if c.attWaiting {
		return
	}
	c.attWaiting = true
	gen := c.attGen.Add(1)
	c.attTimer = time.AfterFunc(maxAttachmentWait, func() {
		if c.attGen.Load() == gen {
			c.srv.log.Debug("socketio: attachments not received in time", "sid", c.conn.ID())
			c.closeWith(ReasonTransportError, errAttachmentsTimeout)
		}
	})
}

// errAttachmentsTimeout is the cause of a close for attachments that did
// not arrive in time.
var errAttachmentsTimeout = errors.New("socketio: binary attachments not received in time")

// OnClose is called once by the engine when the connection ends, on
// whichever goroutine saw the end.
func (c *client) OnClose(reason string, err error) {
	c.dec.Reset()
	c.attGen.Add(1)
	if c.attTimer != nil {
		c.attTimer.Stop() // do not keep the connection reachable for 30 s
	}
	c.beginClose(Reason(reason), err)
}

// enqueue adds a task; it waits while the queue is full (backpressure on
// the connection's reader).
func (c *client) enqueue(task func()) { c.tasks.Push(task) }

// process routes a packet (task goroutine), closing the connection on a
// packet invalid in the current state, as the reference does.
func (c *client) process(p *parser.Packet, seq uint64) {
	if seq > c.stopAt.Load() {
		return // after the packet whose handling closed the connection
	}
	c.mu.Lock()
	s, closed := c.nsps.get(p.Nsp), c.closed
	c.mu.Unlock()
	switch {
	case s != nil && p.Type != parser.Connect && p.Type != parser.ConnectError:
		s.onPacket(p) // also once closing: it arrived before the close
	case closed:
	case s == nil && p.Type == parser.Connect:
		c.connect(p, seq)
	default:
		c.srv.log.Debug("socketio: invalid state", "type", p.Type, "nsp", p.Nsp)
		c.stopAt.Store(seq)
		c.closeWith(ReasonForcedServerClose, errInvalidState)
	}
}

// Causes of a "forced server close".
var (
	errConnectTimeout = errors.New("socketio: no namespace joined within ConnectTimeout")
	errInvalidState   = errors.New("socketio: packet invalid in the connection's state")
	errInvalidAuth    = errors.New("socketio: CONNECT payload is not a JSON object")
)

// connect handles a CONNECT: find (or create) the namespace, run its
// middlewares, then connect the socket or refuse with CONNECT_ERROR.
func (c *client) connect(p *parser.Packet, seq uint64) {
	auth := map[string]any{}
	if len(p.Data) > 0 {
		if err := json.Unmarshal(p.Data, &auth); err != nil || auth == nil {
			c.stopAt.Store(seq)
			c.closeWith(ReasonForcedServerClose, errInvalidAuth)
			return
		}
	}
	nsp := c.srv.lookupNamespaceFor(c, p.Nsp, auth)
	if nsp == nil {
		c.writePacket(&parser.Packet{Type: parser.ConnectError, Nsp: p.Nsp, Data: json.RawMessage(`{"message":"Invalid namespace"}`)}, false)
		return
	}
	// Until released, the namespace cannot be cleaned up under us; a
	// refused CONNECT releases it unused, so it goes (clients cannot
	// create dynamic namespaces without bound).
	released := false
	release := func() {
		if !released {
			released = true
			nsp.release()
		}
	}
	defer release()
	s := newSocket(nsp, c, auth)
	s.peekRecovery(auth)
	mws, onConnect := nsp.handlers()
	if s.recovered && !c.srv.opts.ConnectionStateRecovery.RunMiddlewares {
		mws = nil // Node's skipMiddlewares (its default)
	}
	for _, mw := range mws {
		if err := mw(s); err != nil {
			release() // before the reply: a client that has it sees the namespace gone
			if c.isClosed() {
				return
			}
			if c.eio3 {
				c.writeEncoded(v2ConnectError(nsp.name, err), false)
				return
			}
			c.writePacket(connectErrorPacket(nsp.name, err), false)
			return
		}
	}
	if c.isClosed() {
		return
	}
	c.mu.Lock()
	c.nsps.set(s)
	if c.connectTimer != nil {
		c.connectTimer.Stop()
		c.connectTimer = nil
	}
	c.mu.Unlock()
	if !s.recovered || !s.connectRecovered(auth) {
		if s.recovered { // the session went meanwhile: a new one
			s.id, s.data, s.recovered = c.socketID(nsp.name), nil, false
		}
		s.onConnect()
	}
	release() // the socket now holds the namespace
	s.hookConnect()
	// Every connection handler runs, as in the reference (which runs them
	// before it handles anything else), unless one of them disconnects the
	// socket; a close of the connection meanwhile does not skip them, so
	// the handlers they register (OnDisconnect, OnError...) are in place.
	for _, f := range onConnect {
		if s.disconnectedByServer() {
			break
		}
		f(s)
	}
}

func connectErrorPacket(nsp string, err error) *parser.Packet {
	body := struct {
		Message string `json:"message"`
		Data    any    `json:"data,omitempty"`
	}{Message: err.Error()}
	if ce, ok := err.(*ConnectError); ok {
		body.Data = ce.Data
	}
	data, merr := json.Marshal(body)
	if merr != nil {
		data, _ = json.Marshal(struct {
			Message string `json:"message"`
		}{fmt.Sprint(err)})
	}
	return &parser.Packet{Type: parser.ConnectError, Nsp: nsp, Data: data}
}

func (c *client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

func (c *client) remove(s *Socket) {
	c.mu.Lock()
	c.nsps.remove(s)
	c.mu.Unlock()
}

// writePacket encodes p and queues it on the connection.
func (c *client) writePacket(p *parser.Packet, volatile bool) {
	c.writeEncoded(encodePacket(c.srv.format, p).Packets, volatile)
}

func (c *client) writeEncoded(pkts []packet.Packet, volatile bool) {
	if volatile && !c.conn.Writable() {
		return
	}
	c.conn.SendPackets(pkts...)
}

// onDecodeError closes the connection after a packet that does not
// decode: sockets get their error handler called, then the engine closes
// (reason "forced close"), as in the reference.
func (c *client) onDecodeError(err error) {
	c.srv.log.Debug("socketio: invalid packet", "err", err, "sid", c.conn.ID())
	c.mu.Lock()
	if !c.closed {
		c.decodeErr = err
	}
	c.mu.Unlock()
	c.stopAt.Store(c.received) // the packets before the bad one are handled
	c.closeWith(ReasonForcedClose, err)
}

func (c *client) onConnectTimeout() {
	c.mu.Lock()
	joined := c.nsps.len() > 0 || c.closed
	c.mu.Unlock()
	if !joined {
		c.enqueue(func() { c.closeWith(ReasonForcedServerClose, errConnectTimeout) })
	}
}

// closeWith closes the connection with reason and cause (any goroutine):
// the sockets learn the reason before the engine reports its own.
func (c *client) closeWith(reason Reason, cause error) {
	c.beginClose(reason, cause)
	c.conn.Close()
}

// beginClose starts the end of the connection, once, on any goroutine:
// each socket's context is cancelled and its pending acknowledgements
// fail with ErrDisconnected at once, so that a handler waiting on either
// returns; the lifecycle handlers (finishClose) are queued to run on the
// handler goroutine after the packets already received (at most
// MaxInboundBacklog of them: the client's last events before it left are
// handled, as Node handles them on arrival). Sockets already closing keep
// their own reason.
func (c *client) beginClose(reason Reason, cause error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	if c.connectTimer != nil {
		c.connectTimer.Stop()
		c.connectTimer = nil
	}
	sockets := c.socketsLocked()
	c.mu.Unlock()
	started := sockets[:0:0]
	for _, s := range sockets {
		if s.beginClose(reason, cause) {
			started = append(started, s)
		}
	}
	// Never wait for room in the queue: this may run on the handler
	// goroutine itself (a write that overflows the buffer closes the
	// session synchronously), which would then wait for itself.
	c.tasks.PushNoWait(c.finishClose)
	c.tasks.Close()
	for _, s := range started {
		s.releaseWaiters()
	}
}

// finishClose runs the lifecycle handlers of every socket of the closed
// connection (handler goroutine), then forgets the connection.
func (c *client) finishClose() {
	c.mu.Lock()
	sockets := c.socketsLocked()
	decodeErr := c.decodeErr
	c.mu.Unlock()
	for _, s := range sockets {
		if decodeErr != nil {
			s.emitError(decodeErr)
		}
		s.finishClose()
	}
	c.srv.removeClient(c)
	c.done.Close()
}

func (c *client) socketsLocked() []*Socket {
	return c.nsps.all()
}

// disconnectAll sends DISCONNECT for every namespace, then closes the
// connection (Socket.Disconnect(true)); any goroutine.
func (c *client) disconnectAll() {
	c.mu.Lock()
	sockets := c.socketsLocked()
	c.mu.Unlock()
	for _, s := range sockets {
		s.Disconnect(false)
	}
	c.closeWith(ReasonForcedServerClose, nil)
}
