package client

import (
	"sync"
	"sync/atomic"

	"github.com/gosio/socketio/engineio/client"
	"github.com/gosio/socketio/engineio/packet"
	"github.com/gosio/socketio/parser"
)

// engineHandler receives one Engine.IO connection's messages (the engine's
// reader goroutine).
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
	h.m.engineEvents.notifyPacket(h.m, p)
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
	// The socket's handler goroutine decides whether the packet concerns
	// it (it may have left, or be on another connection by then).
	gen := h.gen
	s.tasks.PushSized(func() { s.onPacket(gen, p) }, packetSize(p))
}

func (h *engineHandler) OnClose(reason string, err error) {
	h.dec.Reset()
	h.m.engineEvents.notifyClose(h.m, Reason(reason), err)
	// Not Push: the close may be reported from a write made under a
	// socket's lock (Conn.SendPackets), which must not wait for the queue.
	h.m.tasks.PushNoWait(func() { h.m.onEngineClose(h.gen, Reason(reason), err) })
}

func packetSize(p *parser.Packet) int {
	n := len(p.Data) + 16
	for _, a := range p.Attachments {
		n += len(a)
	}
	return n
}

// isCurrent reports whether gen is the open connection.
func (m *Manager) isCurrent(gen uint64) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gen == gen && m.engine != nil
}

// Engine events (Node: manager.engine.on("upgrade", ...), and the
// Manager's own "packet"). Listeners registered on the Manager apply to
// every connection it opens, the one open included. They run on the Manager's handler
// goroutine, in the order of the events of each kind. Events come from
// the engine's goroutines (reader, writer, senders) and must not wait for
// a slow listener: past maxEngineBacklog events waiting for the handler
// goroutine, further ones are dropped (and logged at debug level) until it
// catches up.

const maxEngineBacklog = 4096

type engineListeners struct {
	mu             sync.Mutex
	set            atomic.Bool // some listener exists: the hooks are installed
	backlog        atomic.Int64
	onUpgrade      []func(transport string)
	onUpgradeError []func(err error)
	onPacket       []func(p packet.Packet)
	onPacketCreate []func(p packet.Packet)
	onDrain        []func()
	onClose        []func(reason Reason, cause error)
	onSIOPacket    []func(p *parser.Packet)
}

func (e *engineListeners) add(f func()) {
	e.mu.Lock()
	f()
	e.set.Store(true)
	e.mu.Unlock()
}

// OnUpgrade registers f, called when a connection moved to a new
// transport (Node: engine "upgrade"; transport is "websocket").
func (m *Manager) OnUpgrade(f func(transport string)) {
	m.engineEvents.add(func() { m.engineEvents.onUpgrade = append(m.engineEvents.onUpgrade, f) })
}

// OnUpgradeError registers f, called when an upgrade failed and the
// connection stayed on polling (Node: engine "upgradeError"); err is an
// *engineio/client.TransportError with the message "probe error".
func (m *Manager) OnUpgradeError(f func(err error)) {
	m.engineEvents.add(func() { m.engineEvents.onUpgradeError = append(m.engineEvents.onUpgradeError, f) })
}

// OnEnginePacket registers f, called with each Engine.IO packet received
// (Node: engine "packet": open, ping, message, ...).
func (m *Manager) OnEnginePacket(f func(p packet.Packet)) {
	m.engineEvents.add(func() { m.engineEvents.onPacket = append(m.engineEvents.onPacket, f) })
}

// OnPacketCreate registers f, called with each Engine.IO packet queued to
// be sent: messages and pongs (Node: engine "packetCreate").
func (m *Manager) OnPacketCreate(f func(p packet.Packet)) {
	m.engineEvents.add(func() { m.engineEvents.onPacketCreate = append(m.engineEvents.onPacketCreate, f) })
}

// OnDrain registers f, called when a write left the connection's queue
// empty (Node: engine "drain").
func (m *Manager) OnDrain(f func()) {
	m.engineEvents.add(func() { m.engineEvents.onDrain = append(m.engineEvents.onDrain, f) })
}

// OnEngineClose registers f, called when an Engine.IO connection closed,
// with the engine's reason and cause (Node: engine "close"); unlike
// OnClose, not for a connection that never opened nor for a parse error
// of a Socket.IO packet.
func (m *Manager) OnEngineClose(f func(reason Reason, cause error)) {
	m.engineEvents.add(func() { m.engineEvents.onClose = append(m.engineEvents.onClose, f) })
}

// OnPacket registers f, called with each Socket.IO packet decoded (Node:
// the Manager's "packet" event), before it reaches its socket. p must not
// be modified.
func (m *Manager) OnPacket(f func(p *parser.Packet)) {
	m.engineEvents.add(func() { m.engineEvents.onSIOPacket = append(m.engineEvents.onSIOPacket, f) })
}

// push queues call on the Manager's handler goroutine, unless no
// listener is registered or the backlog is full.
func (e *engineListeners) push(m *Manager, call func(l *engineListeners)) {
	if !e.set.Load() {
		return
	}
	if e.backlog.Add(1) > maxEngineBacklog {
		e.backlog.Add(-1)
		m.opts.Logger.Debug("socketio client: engine event dropped, listeners too slow")
		return
	}
	m.tasks.PushNoWait(func() {
		e.backlog.Add(-1)
		l := e.snapshot()
		call(&l)
	})
}

func (e *engineListeners) notifyPacket(m *Manager, p *parser.Packet) {
	if !e.set.Load() {
		return // no closure made: this runs for every packet
	}
	e.push(m, func(l *engineListeners) {
		for _, f := range l.onSIOPacket {
			f(p)
		}
	})
}

func (e *engineListeners) notifyClose(m *Manager, reason Reason, cause error) {
	e.push(m, func(l *engineListeners) {
		for _, f := range l.onClose {
			f(reason, cause)
		}
	})
}

// snapshot returns the lists as they are now (registration appends to
// them; a snapshot reads each up to its length at this point).
func (e *engineListeners) snapshot() engineListeners {
	e.mu.Lock()
	defer e.mu.Unlock()
	return engineListeners{
		onUpgrade: e.onUpgrade, onUpgradeError: e.onUpgradeError, onPacket: e.onPacket,
		onPacketCreate: e.onPacketCreate, onDrain: e.onDrain, onClose: e.onClose, onSIOPacket: e.onSIOPacket,
	}
}

// engineHooks returns the Events of a connection: each queues the call of
// the Manager's listeners (none while there are none).
func (m *Manager) engineHooks() client.Events {
	e := &m.engineEvents
	return client.Events{
		OnUpgrade: func(tr string) {
			if !e.set.Load() {
				return
			}
			e.push(m, func(l *engineListeners) {
				for _, f := range l.onUpgrade {
					f(tr)
				}
			})
		},
		OnUpgradeError: func(err error) {
			if !e.set.Load() {
				return
			}
			e.push(m, func(l *engineListeners) {
				for _, f := range l.onUpgradeError {
					f(err)
				}
			})
		},
		OnPacket: func(p packet.Packet) {
			if !e.set.Load() {
				return
			}
			e.push(m, func(l *engineListeners) {
				for _, f := range l.onPacket {
					f(p)
				}
			})
		},
		OnPacketCreate: func(p packet.Packet) {
			if !e.set.Load() {
				return
			}
			e.push(m, func(l *engineListeners) {
				for _, f := range l.onPacketCreate {
					f(p)
				}
			})
		},
		OnDrain: func() {
			if !e.set.Load() {
				return
			}
			e.push(m, func(l *engineListeners) {
				for _, f := range l.onDrain {
					f()
				}
			})
		},
	}
}
