package socketio

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/engineio/packet"
	"github.com/gosio/socketio/internal/serial"
	"github.com/gosio/socketio/parser"
)

// maxQueuedPackets bounds the packets of one connection waiting for its
// handler goroutine; past it the connection's reader waits (TCP
// backpressure).
const maxQueuedPackets = 1024

// client is one Engine.IO connection and the namespace sockets it carries
// (Node: Client). It implements engineio.Handler.
type client struct {
	srv       *Server
	conn      *engineio.Socket
	handshake *connHandshake  // shared by the connection's sockets
	dec       *parser.Decoder // used by the engine's dispatch goroutine only

	// attachment wait: a binary packet whose attachments do not all
	// arrive within maxAttachmentWait closes the connection.
	attWaiting bool        // dispatch goroutine only
	attTimer   *time.Timer // dispatch goroutine only
	attGen     atomic.Uint64

	mu           sync.Mutex
	nsps         map[string]*Socket
	closed       bool
	connectTimer *time.Timer

	// tasks run in order on a goroutine that exists while there are any.
	tasks *serial.Queue
}

func newClient(srv *Server, conn *engineio.Socket) *client {
	c := &client{srv: srv, conn: conn, handshake: newConnHandshake(conn), dec: parser.NewDecoder(srv.limits), nsps: make(map[string]*Socket)}
	c.tasks = serial.New(maxQueuedPackets, func(v any, stack []byte) {
		srv.log.Error("socketio: handler panicked", "panic", v, "sid", conn.ID(), "stack", string(stack))
	})
	c.connectTimer = time.AfterFunc(srv.opts.ConnectTimeout, c.onConnectTimeout)
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
	if c.attWaiting {
		c.attWaiting = false
		c.attGen.Add(1) // the packet completed: disarm the timer
		c.attTimer.Stop()
	}
	if p.Type == parser.Ack || p.Type == parser.BinaryAck {
		c.mu.Lock()
		s := c.nsps[p.Nsp]
		c.mu.Unlock()
		if s != nil {
			s.onAck(p)
			return
		}
	}
	c.enqueue(func() { c.process(p) })
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
			c.conn.Close()
		}
	})
}

// OnClose is called once by the engine when the connection ends.
func (c *client) OnClose(reason string, err error) {
	c.dec.Reset()
	c.attGen.Add(1)
	if c.attTimer != nil {
		c.attTimer.Stop() // do not keep the connection reachable for 30 s
	}
	// Never wait for room in the queue: OnClose may run on the task
	// goroutine itself (a write that overflows the buffer closes the
	// session synchronously), which would then wait for itself.
	c.tasks.PushNoWait(func() { c.onClose(Reason(reason)) })
	c.tasks.Close()
}

// enqueue adds a task; it waits while the queue is full (backpressure on
// the connection's reader).
func (c *client) enqueue(task func()) { c.tasks.Push(task) }

// process routes a packet (task goroutine), closing the connection on a
// packet invalid in the current state, as the reference does.
func (c *client) process(p *parser.Packet) {
	c.mu.Lock()
	s, closed := c.nsps[p.Nsp], c.closed
	c.mu.Unlock()
	switch {
	case closed:
	case s == nil && p.Type == parser.Connect:
		c.connect(p)
	case s != nil && p.Type != parser.Connect && p.Type != parser.ConnectError:
		s.onPacket(p)
	default:
		c.srv.log.Debug("socketio: invalid state", "type", p.Type, "nsp", p.Nsp)
		c.closeWith(ReasonForcedServerClose)
	}
}

// connect handles a CONNECT: find (or create) the namespace, run its
// middlewares, then connect the socket or refuse with CONNECT_ERROR.
func (c *client) connect(p *parser.Packet) {
	auth := map[string]any{}
	if len(p.Data) > 0 {
		if err := json.Unmarshal(p.Data, &auth); err != nil || auth == nil {
			c.closeWith(ReasonForcedServerClose)
			return
		}
	}
	nsp := c.srv.lookupNamespace(p.Nsp, auth)
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
	mws, onConnect := nsp.handlers()
	for _, mw := range mws {
		if err := mw(s); err != nil {
			if c.isClosed() {
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
	c.nsps[nsp.name] = s
	if c.connectTimer != nil {
		c.connectTimer.Stop()
		c.connectTimer = nil
	}
	c.mu.Unlock()
	s.onConnect()
	release() // the socket now holds the namespace
	for _, f := range onConnect {
		if !s.Connected() {
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
	if c.nsps[s.nsp.name] == s {
		delete(c.nsps, s.nsp.name)
	}
	c.mu.Unlock()
}

// writePacket encodes p and queues it on the connection.
func (c *client) writePacket(p *parser.Packet, volatile bool) {
	c.writeEncoded(encodePacket(p).Packets, volatile)
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
	sockets := make([]*Socket, 0, len(c.nsps))
	for _, s := range c.nsps {
		sockets = append(sockets, s)
	}
	c.mu.Unlock()
	c.enqueue(func() {
		for _, s := range sockets {
			s.emitError(err)
		}
	})
	c.conn.Close()
}

func (c *client) onConnectTimeout() {
	c.mu.Lock()
	joined := len(c.nsps) > 0 || c.closed
	c.mu.Unlock()
	if !joined {
		c.enqueue(func() { c.closeWith(ReasonForcedServerClose) })
	}
}

// closeWith closes the connection now and disconnects every socket with
// reason (task goroutine).
func (c *client) closeWith(reason Reason) {
	c.conn.Close()
	c.onClose(reason)
}

// onClose disconnects every socket of the connection with reason, once.
func (c *client) onClose(reason Reason) {
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
	sockets := make([]*Socket, 0, len(c.nsps))
	for _, s := range c.nsps {
		sockets = append(sockets, s)
	}
	c.mu.Unlock()
	c.tasks.Close()
	for _, s := range sockets {
		s.onClose(reason)
	}
	c.srv.removeClient(c)
}

// closeSockets disconnects every socket with reason without sending
// anything (Server.Close); the returned channel is closed when done.
func (c *client) closeSockets(reason Reason) <-chan struct{} {
	// Cancel the sockets' contexts first, so a handler waiting on one
	// returns and lets the queued close run.
	c.mu.Lock()
	for _, s := range c.nsps {
		s.cancel()
	}
	c.mu.Unlock()
	done := make(chan struct{})
	c.tasks.PushNoWait(func() { c.onClose(reason); close(done) })
	return done
}

// disconnectAll sends DISCONNECT for every namespace, then closes the
// connection (Socket.Disconnect(true)).
func (c *client) disconnectAll() {
	c.mu.Lock()
	sockets := make([]*Socket, 0, len(c.nsps))
	for _, s := range c.nsps {
		sockets = append(sockets, s)
	}
	c.mu.Unlock()
	for _, s := range sockets {
		s.disconnect(false)
	}
	c.closeWith(ReasonForcedServerClose)
}
