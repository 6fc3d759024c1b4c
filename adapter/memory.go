package adapter

import (
	"context"
	"sync"

	"github.com/gosio/socketio/parser"
)

// Memory is the in-process adapter: rooms live in maps behind one
// read-mostly lock, and nothing crosses process boundaries.
//
// Costs and pauses: each socket's own room (the room named by its id,
// which every socket joins) is implicit: a flag of the socket's entry,
// resolved through the socket table, so that a socket in its own room
// only costs its entry there, 80 to 130 bytes with the map's slack
// (TestMemoryOwnRoomBytes; 450 to 550 as a room). Another socket
// joining a room named by a socket's id is an ordinary member of it. A
// socket's other rooms are a short list up to listMax (its own room and
// one more: about 180 bytes, 505 before; roomList).
// Any other room of one socket (most rooms a client names) holds that
// socket inline, without a map of its own: one socket in a million rooms
// costs about 170 bytes per room, the room's name included
// (TestMemoryMillionRooms). Memory comes back
// after a peak: the maps are rebuilt when they fall to a quarter of the
// size they grew to (Go maps never shrink). No call holds the lock for
// long: DelAll and AddAll with many rooms release it every roomChunk
// rooms, so broadcasts are not held up by a socket leaving a million
// rooms.
type Memory struct {
	nsp Namespace
	obs RoomObserver // nsp, if it observes rooms

	mu    sync.RWMutex
	rooms bigMap[roomSet] // room -> its sockets, but for the one of its id
	sids  bigMap[*member] // socket id -> membership
	owns  int             // members in their own room
}

// member is one socket's membership. Rooms point to it, so that a socket
// leaving its rooms a chunk at a time (DelAll) removes only itself, even
// if the same id joins again meanwhile.
type member struct {
	s    Socket
	id   string
	own  bool // in the room named id; guarded by Memory.mu
	gone bool // removed from sids (DelAll); guarded by Memory.mu
	// rooms are its other rooms, nil until it first joins one. Those
	// rooms' sets in Memory.rooms hold it; the room named id never does.
	rooms *roomList
}

// roomCount returns the number of rooms of mb, its own included.
func (mb *member) roomCount() int {
	n := 0
	if mb.own {
		n = 1
	}
	if mb.rooms != nil {
		n += mb.rooms.len()
	}
	return n
}

// otherRooms yields the rooms of mb but its own.
func (mb *member) otherRooms(yield func(string) bool) {
	if mb.rooms != nil {
		mb.rooms.all(yield)
	}
}

// roomSet is the membership of one room: its only socket inline, or a map
// of two or more.
type roomSet struct {
	one  *member
	many *bigMap[*member] // socket id -> member; nil when one is set
}

// members yields the members of the room.
func (r roomSet) members(yield func(*member) bool) {
	if r.one != nil {
		yield(r.one)
		return
	}
	if r.many != nil {
		for _, mb := range r.many.all {
			if !yield(mb) {
				return
			}
		}
	}
}

func (r roomSet) len() int {
	if r.one != nil {
		return 1
	}
	if r.many != nil {
		return r.many.len()
	}
	return 0
}

// room returns the members of room r: set, those Memory.rooms holds, and
// own, the socket whose id is r if it is in its own room (nil if not).
// The two never overlap. The caller holds m.mu.
func (m *Memory) room(r string) (set roomSet, own *member) {
	set, _ = m.rooms.get(r)
	if mb, _ := m.sids.get(r); mb != nil && mb.own {
		own = mb
	}
	return set, own
}

// roomChunk is how many rooms AddAll and DelAll handle per hold of the
// lock.
const roomChunk = 1024

// NewMemory returns the in-memory adapter for nsp. MemoryFactory is the
// Factory that makes it; cluster adapters embed a *Memory for their local
// part.
func NewMemory(nsp Namespace) *Memory {
	m := &Memory{nsp: nsp}
	m.obs, _ = nsp.(RoomObserver)
	return m
}

// MemoryFactory is the Factory of the in-memory adapter, the server's
// default.
func MemoryFactory(nsp Namespace) Adapter { return NewMemory(nsp) }

// AddAll adds s to rooms. A long list is joined roomChunk rooms at a
// time, letting broadcasts in between; if the socket leaves meanwhile
// (DelAll), the rest is not joined.
func (m *Memory) AddAll(s Socket, rooms ...string) {
	id := s.ID()
	notify := m.roomHook()
	var joined []roomChange
	m.mu.Lock()
	mb, _ := m.sids.get(id)
	if mb == nil {
		mb = &member{s: s, id: id}
		m.sids.put(id, mb)
	}
	for i, r := range rooms {
		if i > 0 && i%roomChunk == 0 {
			m.mu.Unlock()
			notifyRooms(notify, joined, true)
			joined = joined[:0]
			m.mu.Lock()
			if cur, _ := m.sids.get(id); cur != mb {
				m.mu.Unlock()
				return // left meanwhile
			}
		}
		if m.joinLocked(mb, r) && notify != nil {
			joined = append(joined, roomChange{r, id})
		}
	}
	m.mu.Unlock()
	notifyRooms(notify, joined, true)
}

// joinLocked adds mb to room r; it reports whether mb was not in r.
func (m *Memory) joinLocked(mb *member, r string) bool {
	if r == mb.id {
		if mb.own {
			return false
		}
		mb.own = true
		m.owns++
		return true
	}
	if mb.rooms == nil {
		mb.rooms = &roomList{}
	}
	if !mb.rooms.put(r) {
		return false // in r already
	}
	set, _ := m.rooms.get(r)
	switch {
	case set.many != nil:
		set.many.put(mb.id, mb)
		return true
	case set.one == nil, set.one.id == mb.id:
		// A new room; or one that still holds the same id as it was
		// before it left and joined again (DelAll not done yet).
		set.one = mb
	default:
		set.many = &bigMap[*member]{}
		set.many.put(set.one.id, set.one)
		set.many.put(mb.id, mb)
		set.one = nil
	}
	m.rooms.put(r, set)
	return true
}

// leaveLocked removes mb from room r; an empty room is deleted. It
// returns the work done: 1, plus the entries copied to shrink the maps. A
// member no longer in sids (DelAll) may have been replaced in r by a new
// member with its id: only that very member is removed. (A member in
// sids is the only one of its id in its rooms: joinLocked replaces the
// old one.)
func (m *Memory) leaveLocked(mb *member, r string) int {
	set, ok := m.rooms.get(r)
	switch {
	case !ok:
	case set.many == nil:
		if set.one == mb {
			copied := m.rooms.copied
			m.rooms.del(r)
			return 1 + m.rooms.copied - copied
		}
	default:
		if mb.gone {
			if cur, _ := set.many.get(mb.id); cur != mb {
				return 1
			}
		}
		copied := set.many.copied
		set.many.del(mb.id)
		work := 1 + set.many.copied - copied
		if set.many.len() == 1 {
			for _, only := range set.many.all {
				set.one = only
			}
			set.many = nil
			m.rooms.put(r, set)
		}
		return work
	}
	return 1
}

// Del removes socket id from room; an empty room is deleted.
func (m *Memory) Del(id, room string) {
	notify := m.roomHook()
	m.mu.Lock()
	left := false
	mb, _ := m.sids.get(id)
	switch {
	case mb == nil:
	case room == id:
		if mb.own {
			mb.own = false
			m.owns--
			left = true
		}
	case mb.rooms != nil && mb.rooms.del(room):
		m.leaveLocked(mb, room)
		left = true
	}
	m.mu.Unlock()
	if left && notify != nil {
		notify(room, id, false)
	}
}

// DelAll removes socket id from every room and forgets it. The socket is
// forgotten at once (SocketRooms returns nil, broadcasts to every socket
// skip it); a socket in more than roomChunk rooms then leaves them a chunk
// at a time, letting broadcasts in between, so until DelAll returns a
// broadcast to one of its rooms may still reach it.
func (m *Memory) DelAll(id string) {
	notify := m.roomHook()
	var left []roomChange
	m.mu.Lock()
	mb, _ := m.sids.get(id)
	if mb == nil {
		m.mu.Unlock()
		return
	}
	m.sids.del(id)
	mb.gone = true
	if mb.own {
		// Its own room goes with its entry in sids.
		mb.own = false
		m.owns--
		if notify != nil {
			left = append(left, roomChange{id, id})
		}
	}
	if mb.rooms == nil || mb.rooms.len() <= roomChunk {
		for r := range mb.otherRooms {
			m.leaveLocked(mb, r)
			if notify != nil {
				left = append(left, roomChange{r, id})
			}
		}
		m.mu.Unlock()
		notifyRooms(notify, left, false)
		return
	}
	m.mu.Unlock()
	notifyRooms(notify, left, false)
	// mb is no longer reachable from sids: nothing else changes its rooms,
	// so they are read without the lock. Each hold of the lock does at
	// most roomChunk units of work: leaving the rooms of a batch, and the
	// rebuilds that shrink the maps as they empty (the parts of a split
	// map tend to reach their rebuild size together).
	batch := make([]string, 0, roomChunk)
	leave := func() {
		m.mu.Lock()
		work := 0
		for _, r := range batch {
			if work >= roomChunk {
				m.mu.Unlock()
				m.mu.Lock()
				work = 0
			}
			work += m.leaveLocked(mb, r)
		}
		m.mu.Unlock()
		if notify != nil {
			for _, r := range batch {
				notify(r, id, false)
			}
		}
		batch = batch[:0]
	}
	for r := range mb.rooms.all {
		if batch = append(batch, r); len(batch) == roomChunk {
			leave()
		}
	}
	leave()
}

// SocketRooms returns the rooms of socket id.
func (m *Memory) SocketRooms(id string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	mb, _ := m.sids.get(id)
	if mb == nil {
		return nil
	}
	out := make([]string, 0, mb.roomCount())
	if mb.own {
		out = append(out, id)
	}
	for r := range mb.otherRooms {
		out = append(out, r)
	}
	return out
}

// Rooms returns every room with at least one socket.
func (m *Memory) Rooms() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, m.rooms.len()+m.owns)
	for r := range m.rooms.all {
		out = append(out, r)
	}
	if m.owns == 0 {
		return out
	}
	for id, mb := range m.sids.all {
		if _, listed := m.rooms.get(id); mb.own && !listed {
			out = append(out, id) // an own room no other socket joined
		}
	}
	return out
}

// targets returns the sockets selected by opts, each once.
func (m *Memory) targets(opts *BroadcastOptions) []Socket {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var except map[string]struct{}
	if len(opts.Except) > 0 {
		except = make(map[string]struct{})
		for _, r := range opts.Except {
			set, own := m.room(r)
			if own != nil {
				except[own.id] = struct{}{}
			}
			if set.one != nil {
				except[set.one.id] = struct{}{}
			} else if set.many != nil {
				for id := range set.many.all {
					except[id] = struct{}{}
				}
			}
		}
	}
	if len(opts.Rooms) == 0 {
		out := make([]Socket, 0, m.sids.len())
		for id, mb := range m.sids.all {
			if _, ok := except[id]; !ok {
				out = append(out, mb.s)
			}
		}
		return out
	}
	if len(opts.Rooms) == 1 {
		set, own := m.room(opts.Rooms[0])
		n := set.len()
		if own != nil {
			n++
		}
		return appendTargets(make([]Socket, 0, n), set, own, except, nil)
	}
	seen := make(map[string]struct{})
	var out []Socket
	for _, r := range opts.Rooms {
		set, own := m.room(r)
		out = appendTargets(out, set, own, except, seen)
	}
	return out
}

// appendTargets appends the sockets of set, and own if not nil, that are
// not in except, nor in seen if seen is not nil (it then records them).
func appendTargets(out []Socket, set roomSet, own *member, except, seen map[string]struct{}) []Socket {
	add := func(mb *member) {
		if _, ok := except[mb.id]; ok {
			return
		}
		if seen != nil {
			if _, ok := seen[mb.id]; ok {
				return
			}
			seen[mb.id] = struct{}{}
		}
		out = append(out, mb.s)
	}
	if own != nil {
		add(own)
	}
	if set.one != nil {
		add(set.one)
	} else if set.many != nil {
		for _, mb := range set.many.all {
			add(mb)
		}
	}
	return out
}

// Sockets returns the ids of the selected sockets.
func (m *Memory) Sockets(opts BroadcastOptions) []string {
	t := m.targets(&opts)
	out := make([]string, len(t))
	for i, s := range t {
		out[i] = s.ID()
	}
	return out
}

// Broadcast encodes p once and queues it for every selected socket.
func (m *Memory) Broadcast(p *parser.Packet, opts BroadcastOptions) {
	enc := m.nsp.Encode(p)
	for _, s := range m.targets(&opts) {
		s.WriteEncoded(enc, opts.Flags)
	}
}

// BroadcastWithAck is Broadcast registering ack for every recipient.
func (m *Memory) BroadcastWithAck(p *parser.Packet, opts BroadcastOptions, clientCount func(int), ack func(*parser.Packet)) {
	enc := m.nsp.Encode(p)
	targets := m.targets(&opts)
	clientCount(len(targets))
	for _, s := range targets {
		s.ExpectAck(p.ID, ack, opts.Flags.Timeout)
		s.WriteEncoded(enc, opts.Flags)
	}
}

// ServerCount is always 1.
func (m *Memory) ServerCount(context.Context) (int, error) { return 1, nil }

// FetchSockets returns the selected local sockets.
func (m *Memory) FetchSockets(_ context.Context, opts BroadcastOptions) ([]SocketInfo, error) {
	t := m.targets(&opts)
	out := make([]SocketInfo, len(t))
	for i, s := range t {
		out[i] = s.Info()
	}
	return out, nil
}

// AddSockets makes the selected sockets join rooms. Sockets that left
// between the selection and the join are skipped, so a socket
// disconnecting meanwhile is not put back in rooms.
func (m *Memory) AddSockets(opts BroadcastOptions, rooms []string) {
	targets := m.targets(&opts)
	notify := m.roomHook()
	var joined []roomChange
	m.mu.Lock()
	for _, s := range targets {
		mb, _ := m.sids.get(s.ID())
		if mb == nil {
			continue
		}
		for _, r := range rooms {
			if m.joinLocked(mb, r) && notify != nil {
				joined = append(joined, roomChange{r, mb.id})
			}
		}
	}
	m.mu.Unlock()
	notifyRooms(notify, joined, true)
}

// DelSockets makes the selected sockets leave rooms.
func (m *Memory) DelSockets(opts BroadcastOptions, rooms []string) {
	for _, s := range m.targets(&opts) {
		for _, r := range rooms {
			m.Del(s.ID(), r)
		}
	}
}

// DisconnectSockets disconnects the selected sockets.
func (m *Memory) DisconnectSockets(opts BroadcastOptions, close bool) {
	for _, s := range m.targets(&opts) {
		s.Disconnect(close)
	}
}

// ServerSideEmit has no other node to reach: it returns no replies. (The
// reference only logs a warning and never calls the acknowledgement.)
func (m *Memory) ServerSideEmit(context.Context, *parser.Packet, bool) ([]*parser.Packet, error) {
	return nil, nil
}

// Close does nothing.
func (m *Memory) Close() error { return nil }
