package adapter

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gosio/socketio/parser"
)

// Session is what connection state recovery keeps of a socket that left
// (Node: Session): its id, its private session id, its rooms and data.
type Session struct {
	SID   string
	PID   string
	Rooms []string
	Data  any
	// Start is the store's offset when the socket connected: packets
	// after it were meant for the socket, so a client that never received
	// one (and so sends no offset) can still be recovered.
	Start string
}

// SessionAware is implemented by adapters that support connection state
// recovery (Node: SessionAwareAdapter). Broadcast stores every packet that
// can be replayed (an EVENT without an ack id, not volatile) after
// appending its offset as the last argument.
type SessionAware interface {
	Adapter
	// Offset returns the offset of the last packet stored, for
	// Session.Start.
	Offset() string
	// PersistSession keeps s for the recovery window.
	PersistSession(s *Session)
	// PeekSession returns the session pid if it is kept, without taking
	// it (for middlewares that run before the restore).
	PeekSession(ctx context.Context, pid string) (*Session, error)
	// RestoreSession takes the session pid (it can be restored once) and
	// calls apply with it and the packets it missed after offset
	// (Session.Start if offset is ""), encoded, in order. No broadcast of
	// the namespace is sent while apply runs, so what apply writes (the
	// missed packets, the CONNECT reply) and the rooms it joins leave no
	// gap and no duplicate with the broadcasts around it; apply must not
	// block or broadcast. It reports false, without calling apply, when
	// the session is unknown or expired, when the offset is unknown, or
	// when the store dropped a packet after the offset (a replay would
	// have a hole).
	RestoreSession(ctx context.Context, pid, offset string, apply func(s *Session, missed []*Encoded)) (bool, error)
}

// SessionOptions bound a SessionMemory. Zero values give the defaults.
type SessionOptions struct {
	// MaxDisconnectionDuration is how long sessions and packets are kept
	// (default 2 minutes, as Node).
	MaxDisconnectionDuration time.Duration
	// MaxPackets and MaxBytes bound the packets kept (defaults 10000 and
	// 16 MiB per namespace; Node keeps every packet of the window). When
	// the bound drops a packet, a client that still needed it is not
	// recovered (it connects anew) rather than recovered with a gap.
	MaxPackets int
	MaxBytes   int
}

func (o SessionOptions) withDefaults() SessionOptions {
	if o.MaxDisconnectionDuration <= 0 {
		o.MaxDisconnectionDuration = 2 * time.Minute
	}
	if o.MaxPackets <= 0 {
		o.MaxPackets = 10000
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 16 << 20
	}
	return o
}

// SessionStats counts what a SessionMemory did.
type SessionStats struct {
	Stored    uint64 // packets stored
	Dropped   uint64 // packets dropped by MaxPackets or MaxBytes before their time
	Recovered uint64 // sessions restored
	Refused   uint64 // restores refused because a needed packet was dropped
	Packets   int    // packets held now
	Bytes     int    // their bytes
	Sessions  int    // sessions held now
}

// SessionMemory is the in-memory adapter with connection state recovery:
// a Memory that also keeps, for the recovery window, the sessions of
// sockets that left and the packets broadcast meanwhile.
type SessionMemory struct {
	*Memory
	opts SessionOptions

	mu       sync.Mutex
	seq      uint64 // offset of the last packet stored
	packets  packetRing
	bytes    int
	dropped  uint64 // highest seq dropped before its time (0: none)
	sessions map[string]*storedSession
	janitor  *time.Timer // armed while anything is stored
	closed   bool
	// sends waiting for the goroutine that is flushing (see Broadcast)
	pending, spare []pendingSend
	flushing       bool
	flushed        sync.Cond // on mu: flushing became false

	stored, droppedN, recovered, refused atomic.Uint64
}

type storedSession struct {
	s  *Session
	at time.Time
}

// NewSessionMemory returns the in-memory adapter for nsp with connection
// state recovery.
func NewSessionMemory(nsp Namespace, opts SessionOptions) *SessionMemory {
	m := &SessionMemory{Memory: NewMemory(nsp), opts: opts.withDefaults(), sessions: make(map[string]*storedSession)}
	m.flushed.L = &m.mu
	return m
}

// SessionMemoryFactory returns the Factory of SessionMemory adapters.
func SessionMemoryFactory(opts SessionOptions) Factory {
	return func(nsp Namespace) Adapter { return NewSessionMemory(nsp, opts) }
}

// offsets are the sequence number in base 36, opaque to clients.
func formatOffset(seq uint64) string { return strconv.FormatUint(seq, 36) }

func parseOffset(s string) (uint64, bool) {
	if s == "" || len(s) > 13 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 36, 64)
	return n, err == nil
}

// replayable reports whether Node's SessionAwareAdapter stores p.
func replayable(p *parser.Packet, opts *BroadcastOptions) bool {
	return (p.Type == parser.Event || p.Type == parser.BinaryEvent) && !p.HasID && !opts.Flags.Volatile
}

// Broadcast appends an offset to a replayable packet and stores it, then
// sends it as Memory does, encoded once.
func (m *SessionMemory) Broadcast(p *parser.Packet, opts BroadcastOptions) {
	if !replayable(p, &opts) || len(p.Data) < 2 {
		m.Memory.Broadcast(p, opts)
		return
	}
	m.mu.Lock()
	m.seq++
	seq := m.seq
	q := *p
	off := formatOffset(seq)
	data := make([]byte, 0, len(p.Data)+len(off)+3)
	data = append(data, p.Data[:len(p.Data)-1]...) // without the closing ']'
	data = append(data, ',', '"')
	data = append(data, off...)
	data = append(data, '"', ']')
	q.Data = data
	enc := m.nsp.Encode(&q)
	size := 64
	for _, pk := range enc.Packets {
		size += len(pk.Data)
	}
	// Kept without enc.Packet: the replay needs the bytes only, and the
	// packet's data can go once it is sent.
	m.packets.push(storedPacket{seq: seq, at: time.Now(), enc: &Encoded{Packets: enc.Packets}, rooms: opts.Rooms, excep: opts.Except, size: size})
	m.bytes += size
	m.stored.Add(1)
	m.evictLocked(time.Now())
	m.armLocked()
	m.pending = append(m.pending, pendingSend{enc: enc, opts: opts})
	if m.flushing {
		m.mu.Unlock() // the goroutine flushing sends it, in order
		return
	}
	m.flushing = true
	for len(m.pending) > 0 {
		batch := m.pending
		m.pending = m.spare[:0]
		m.mu.Unlock()
		// Sent without the lock (an outgoing listener may broadcast
		// again: that packet queues behind these), but by one goroutine
		// at a time, so every socket gets packets in offset order and a
		// client's last offset is its highest.
		for i := range batch {
			for _, s := range m.targets(&batch[i].opts) {
				s.WriteEncoded(batch[i].enc, batch[i].opts.Flags)
			}
			batch[i] = pendingSend{}
		}
		m.mu.Lock()
		m.spare = batch
	}
	m.flushing = false
	m.flushed.Broadcast()
	m.mu.Unlock()
}

type pendingSend struct {
	enc  *Encoded
	opts BroadcastOptions
}

// Offset returns the offset of the last packet stored.
func (m *SessionMemory) Offset() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return formatOffset(m.seq)
}

// PersistSession keeps s for MaxDisconnectionDuration.
func (m *SessionMemory) PersistSession(s *Session) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	m.sessions[s.PID] = &storedSession{s: s, at: time.Now()}
	m.armLocked()
}

// PeekSession implements SessionAware.
func (m *SessionMemory) PeekSession(_ context.Context, pid string) (*Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.evictLocked(time.Now())
	if ss := m.sessions[pid]; ss != nil {
		return ss.s, nil
	}
	return nil, nil
}

// RestoreSession implements SessionAware.
func (m *SessionMemory) RestoreSession(_ context.Context, pid, offset string, apply func(*Session, []*Encoded)) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for m.flushing {
		m.flushed.Wait() // the packets being sent reach the rooms first
	}
	m.evictLocked(time.Now())
	ss := m.sessions[pid]
	if ss == nil {
		return false, nil
	}
	delete(m.sessions, pid) // once: a second restore would replay twice
	if offset == "" {
		offset = ss.s.Start
	}
	from, ok := parseOffset(offset)
	if !ok || from > m.seq {
		return false, nil
	}
	if m.dropped > from {
		m.refused.Add(1) // a packet after the offset is gone
		return false, nil
	}
	var missed []*Encoded
	for i := 0; i < m.packets.len(); i++ {
		sp := m.packets.at(i)
		if sp.seq > from && includes(ss.s.Rooms, sp.rooms, sp.excep) {
			missed = append(missed, sp.enc)
		}
	}
	m.recovered.Add(1)
	apply(ss.s, missed) // under the lock: no broadcast is stored or sent meanwhile
	return true, nil
}

// includes is Node's shouldIncludePacket: the session is in one of rooms
// (or rooms is empty) and in none of except.
func includes(session, rooms, except []string) bool {
	in := len(rooms) == 0
	for _, r := range session {
		for _, x := range except {
			if r == x {
				return false
			}
		}
		if !in {
			for _, t := range rooms {
				if r == t {
					in = true
					break
				}
			}
		}
	}
	return in
}

// evictLocked drops expired sessions and packets, and packets past the
// bounds (remembering the highest dropped before its time).
func (m *SessionMemory) evictLocked(now time.Time) {
	window := m.opts.MaxDisconnectionDuration
	for pid, ss := range m.sessions {
		if now.Sub(ss.at) > window {
			delete(m.sessions, pid)
		}
	}
	for m.packets.len() > 0 {
		sp := m.packets.at(0)
		expired := now.Sub(sp.at) > window
		over := m.packets.len() > m.opts.MaxPackets || m.bytes > m.opts.MaxBytes
		if !expired && !over {
			break
		}
		if !expired {
			m.dropped = sp.seq
			m.droppedN.Add(1)
		}
		m.bytes -= sp.size
		m.packets.pop()
	}
}

// armLocked keeps one timer running while anything is stored, so the
// window empties the store even when nothing else happens.
func (m *SessionMemory) armLocked() {
	if m.janitor != nil || m.closed || (m.packets.len() == 0 && len(m.sessions) == 0) {
		return
	}
	m.janitor = time.AfterFunc(m.opts.MaxDisconnectionDuration/4+time.Millisecond, m.sweep)
}

func (m *SessionMemory) sweep() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.janitor = nil
	m.evictLocked(time.Now())
	if m.packets.len() == 0 {
		m.packets.reset()
	}
	m.armLocked()
}

// Stats returns the store's counters.
func (m *SessionMemory) Stats() SessionStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return SessionStats{
		Stored: m.stored.Load(), Dropped: m.droppedN.Load(), Recovered: m.recovered.Load(), Refused: m.refused.Load(),
		Packets: m.packets.len(), Bytes: m.bytes, Sessions: len(m.sessions),
	}
}

// Close stops the janitor and forgets everything stored.
func (m *SessionMemory) Close() error {
	m.mu.Lock()
	m.closed = true
	if m.janitor != nil {
		m.janitor.Stop()
		m.janitor = nil
	}
	m.packets.reset()
	m.sessions, m.bytes = map[string]*storedSession{}, 0
	m.mu.Unlock()
	return m.Memory.Close()
}
