package client

import (
	"context"
	"sync"
	"time"

	"github.com/gosio/socketio/engineio/packet"
	"github.com/gosio/socketio/internal/dispatch"
)

// transport is the active way packets travel: polling or WebSocket.
type transport interface {
	name() string
	// write sends pkts, blocking until they are written.
	write(pkts []packet.Packet) error
	// close releases the transport; it does not notify the Conn.
	close()
}

// Conn is an open Engine.IO connection. Its methods are safe for
// concurrent use.
type Conn struct {
	cfg          *config
	id           string
	upgrades     []string
	pingInterval time.Duration
	pingTimeout  time.Duration
	maxPayload   int64
	onPing       func()

	ctx    context.Context // cancelled on close: aborts pending requests
	cancel context.CancelFunc
	done   chan struct{}
	disp   dispatch.Dispatcher

	mu       sync.Mutex
	cond     sync.Cond // signalled when polling requests finish
	closed   bool
	tr       transport
	queue    []packet.Packet
	queued   int // bytes in queue, bounded by Options.MaxBufferedBytes
	writing  bool
	paused   bool // upgrading: polling issues no new request
	polling  int  // polling requests in flight
	hb       *time.Timer
	hbGen    uint64
	upgraded bool
	closing  bool         // Close was called: the end is "forced close"
	probing  *wsTransport // a WebSocket probing an upgrade
}

func newConn(cfg *config, hs *handshake, h Handler) *Conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &Conn{
		cfg:          cfg,
		id:           hs.SID,
		upgrades:     hs.Upgrades,
		pingInterval: time.Duration(hs.PingInterval) * time.Millisecond,
		pingTimeout:  time.Duration(hs.PingTimeout) * time.Millisecond,
		maxPayload:   hs.MaxPayload,
		ctx:          ctx,
		cancel:       cancel,
		done:         make(chan struct{}),
	}
	c.cond.L = &c.mu
	c.disp.Set(h)
	c.mu.Lock()
	c.armHeartbeatLocked()
	c.mu.Unlock()
	return c
}

// ID returns the session id.
func (c *Conn) ID() string { return c.id }

// Transport returns the current transport name.
func (c *Conn) Transport() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tr.name()
}

// Upgraded reports whether the connection moved to WebSocket.
func (c *Conn) Upgraded() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.upgraded
}

// Done is closed when the connection is closed.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Send queues a message; data must not be modified afterwards. It returns
// ErrClosed once the connection is closed or Close has begun.
func (c *Conn) Send(data []byte, binary bool) error {
	return c.SendPackets(packet.Packet{Type: packet.Message, Data: data, Binary: binary})
}

// SendPackets queues packets atomically and in order; it returns ErrClosed
// once Close has begun. Past Options.MaxBufferedBytes of unwritten data (a
// server that does not read) the connection closes with "transport error"
// and ErrWriteBufferFull.
func (c *Conn) SendPackets(pkts ...packet.Packet) error {
	c.mu.Lock()
	if c.closed || c.closing {
		c.mu.Unlock()
		return ErrClosed
	}
	for _, p := range pkts {
		c.queue = append(c.queue, p)
		c.queued += len(p.Data) + 1
	}
	if c.queued > c.cfg.MaxBufferedBytes {
		c.mu.Unlock()
		c.closeWith(ReasonTransportError, ErrWriteBufferFull)
		return ErrWriteBufferFull
	}
	c.flushLocked()
	c.mu.Unlock()
	c.cfg.Events.packetCreate(pkts)
	return nil
}

// flushLocked starts the writer if packets wait and none runs.
func (c *Conn) flushLocked() {
	if c.writing || len(c.queue) == 0 || c.closed || c.paused {
		return
	}
	c.writing = true
	go c.writeLoop()
}

// writeLoop writes queued packets in batches until the queue is empty.
func (c *Conn) writeLoop() {
	for {
		c.mu.Lock()
		if c.closed || c.paused || len(c.queue) == 0 {
			c.writing = false
			c.cond.Broadcast()
			c.mu.Unlock()
			return
		}
		tr := c.tr
		pkts := c.takeBatchLocked(tr)
		polling := tr.name() == Polling
		if polling {
			c.polling++
		}
		c.mu.Unlock()
		err := tr.write(pkts)
		c.mu.Lock()
		if polling {
			c.polling--
			c.cond.Broadcast()
		}
		drained := len(c.queue) == 0 && !c.closed
		c.mu.Unlock()
		if err != nil {
			c.closeWith(ReasonTransportError, err)
			return
		}
		if drained {
			c.cfg.Events.drain()
		}
	}
}

// takeBatchLocked removes the packets of the next write: everything for
// WebSocket; for polling, as many as fit in the server's maxPayload (at
// least one), as the reference client does.
func (c *Conn) takeBatchLocked(tr transport) []packet.Packet {
	n := len(c.queue)
	if tr.name() == Polling && c.maxPayload > 0 {
		size := int64(0)
		for i, p := range c.queue {
			size += int64(p.EncodedLen()) + 1
			if i > 0 && size > c.maxPayload {
				n = i
				break
			}
		}
	}
	pkts := c.queue[:n:n]
	for _, p := range pkts {
		c.queued -= len(p.Data) + 1
	}
	c.queue = c.queue[n:]
	if len(c.queue) == 0 {
		c.queue = nil
	}
	return pkts
}

// onPacket handles a packet from the active transport (its reader).
func (c *Conn) onPacket(p packet.Packet) {
	c.cfg.Events.packet(p)
	switch p.Type {
	case packet.Message:
		c.disp.Message(p.Data, p.Binary)
	case packet.Ping:
		c.mu.Lock()
		c.armHeartbeatLocked()
		c.mu.Unlock()
		c.SendPackets(packet.Packet{Type: packet.Pong})
		if f := c.cfg.OnPing; f != nil {
			f()
		}
	case packet.Close:
		c.closeWith(ReasonTransportClose, nil)
	}
	// open, pong, upgrade and noop are ignored here.
}

// armHeartbeatLocked restarts the ping-timeout timer: the server must ping
// within pingInterval+pingTimeout.
func (c *Conn) armHeartbeatLocked() {
	c.hbGen++
	gen := c.hbGen
	if c.hb != nil {
		c.hb.Stop()
	}
	c.hb = time.AfterFunc(c.pingInterval+c.pingTimeout, func() {
		c.mu.Lock()
		stale := gen != c.hbGen || c.closed
		c.mu.Unlock()
		if !stale {
			c.closeWith(ReasonPingTimeout, nil)
		}
	})
}

// closeDrainTimeout bounds how long Close waits for queued packets to leave.
const closeDrainTimeout = time.Second

// Close closes the connection (reason "forced close"), as engine.io-client
// does: packets already queued are written first, an upgrade in progress
// is let finish, then the transport closes (for up to one second in all).
// Over polling the close packet travels in a request of its own, after
// the last write completed: a server handles a close packet before the
// other packets of the same payload (a Node server would see a Socket.IO
// DISCONNECT sent just before as "transport close"). Over WebSocket the
// close frame alone ends the session, as in the reference. Packets sent
// once Close has begun are refused with ErrClosed.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed || c.closing {
		c.mu.Unlock()
		return nil
	}
	c.closing = true
	expired := false
	timer := time.AfterFunc(closeDrainTimeout, func() {
		c.mu.Lock()
		expired = true
		c.cond.Broadcast()
		c.mu.Unlock()
	})
	defer timer.Stop()
	c.flushLocked()
	for (c.writing || c.paused || len(c.queue) > 0) && !c.closed && !expired {
		c.cond.Wait()
	}
	if !c.closed && !expired && c.tr.name() == Polling {
		c.queue = append(c.queue, packet.Packet{Type: packet.Close})
		c.queued++
		c.flushLocked()
		for (c.writing || len(c.queue) > 0) && !c.closed && !expired {
			c.cond.Wait()
		}
	}
	c.mu.Unlock()
	c.closeWith(ReasonForcedClose, nil)
	return nil
}

// closeWith ends the connection once and notifies the handler.
func (c *Conn) closeWith(reason string, err error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	if c.closing {
		reason, err = ReasonForcedClose, nil
	}
	c.hbGen++
	if c.hb != nil {
		c.hb.Stop()
	}
	tr, probing := c.tr, c.probing
	c.queue, c.queued = nil, 0
	c.cond.Broadcast()
	c.mu.Unlock()
	c.cancel()
	if tr != nil {
		tr.close()
	}
	if probing != nil {
		probing.close()
	}
	close(c.done)
	c.cfg.Logger.Debug("engineio client: closed", "sid", c.id, "reason", reason, "err", err)
	c.disp.Close(reason, err)
}
