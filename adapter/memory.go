package adapter

import (
	"context"
	"sync"

	"github.com/gosio/socketio/parser"
)

// Memory is the in-process adapter: rooms live in maps behind one
// read-mostly lock, and nothing crosses process boundaries.
type Memory struct {
	nsp Namespace
	obs RoomObserver // nsp, if it observes rooms

	mu    sync.RWMutex
	rooms map[string]map[string]Socket // room -> socket id -> socket
	sids  map[string]*member           // socket id -> membership
}

type member struct {
	s     Socket
	rooms map[string]struct{}
}

// NewMemory returns the in-memory adapter for nsp. MemoryFactory is the
// Factory that makes it; cluster adapters embed a *Memory for their local
// part.
func NewMemory(nsp Namespace) *Memory {
	m := &Memory{nsp: nsp, rooms: make(map[string]map[string]Socket), sids: make(map[string]*member)}
	m.obs, _ = nsp.(RoomObserver)
	return m
}

// MemoryFactory is the Factory of the in-memory adapter, the server's
// default.
func MemoryFactory(nsp Namespace) Adapter { return NewMemory(nsp) }

// AddAll adds s to rooms.
func (m *Memory) AddAll(s Socket, rooms ...string) {
	id := s.ID()
	notify := m.roomHook()
	var joined []roomChange
	m.mu.Lock()
	mb := m.sids[id]
	if mb == nil {
		mb = &member{s: s, rooms: make(map[string]struct{}, len(rooms))}
		m.sids[id] = mb
	}
	for _, r := range rooms {
		if _, in := mb.rooms[r]; !in && notify != nil {
			joined = append(joined, roomChange{r, id})
		}
		mb.rooms[r] = struct{}{}
		set := m.rooms[r]
		if set == nil {
			set = make(map[string]Socket)
			m.rooms[r] = set
		}
		set[id] = s
	}
	m.mu.Unlock()
	notifyRooms(notify, joined, true)
}

// Del removes socket id from room; an empty room is deleted.
func (m *Memory) Del(id, room string) {
	notify := m.roomHook()
	m.mu.Lock()
	left := false
	if mb := m.sids[id]; mb != nil {
		_, left = mb.rooms[room]
		delete(mb.rooms, room)
	}
	m.delFromRoomLocked(id, room)
	m.mu.Unlock()
	if left && notify != nil {
		notify(room, id, false)
	}
}

func (m *Memory) delFromRoomLocked(id, room string) {
	if set := m.rooms[room]; set != nil {
		delete(set, id)
		if len(set) == 0 {
			delete(m.rooms, room)
		}
	}
}

// DelAll removes socket id from every room and forgets it.
func (m *Memory) DelAll(id string) {
	notify := m.roomHook()
	var left []roomChange
	m.mu.Lock()
	mb := m.sids[id]
	if mb == nil {
		m.mu.Unlock()
		return
	}
	for r := range mb.rooms {
		m.delFromRoomLocked(id, r)
		if notify != nil {
			left = append(left, roomChange{r, id})
		}
	}
	delete(m.sids, id)
	m.mu.Unlock()
	notifyRooms(notify, left, false)
}

// SocketRooms returns the rooms of socket id.
func (m *Memory) SocketRooms(id string) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	mb := m.sids[id]
	if mb == nil {
		return nil
	}
	out := make([]string, 0, len(mb.rooms))
	for r := range mb.rooms {
		out = append(out, r)
	}
	return out
}

// Rooms returns every room with at least one socket.
func (m *Memory) Rooms() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]string, 0, len(m.rooms))
	for r := range m.rooms {
		out = append(out, r)
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
			for id := range m.rooms[r] {
				except[id] = struct{}{}
			}
		}
	}
	if len(opts.Rooms) == 0 {
		out := make([]Socket, 0, len(m.sids))
		for id, mb := range m.sids {
			if _, ok := except[id]; !ok {
				out = append(out, mb.s)
			}
		}
		return out
	}
	if len(opts.Rooms) == 1 {
		set := m.rooms[opts.Rooms[0]]
		out := make([]Socket, 0, len(set))
		for id, s := range set {
			if _, ok := except[id]; !ok {
				out = append(out, s)
			}
		}
		return out
	}
	seen := make(map[string]struct{})
	var out []Socket
	for _, r := range opts.Rooms {
		for id, s := range m.rooms[r] {
			if _, ok := except[id]; ok {
				continue
			}
			if _, ok := seen[id]; ok {
				continue
			}
			seen[id] = struct{}{}
			out = append(out, s)
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
		id := s.ID()
		mb := m.sids[id]
		if mb == nil {
			continue
		}
		for _, r := range rooms {
			if _, in := mb.rooms[r]; !in && notify != nil {
				joined = append(joined, roomChange{r, id})
			}
			mb.rooms[r] = struct{}{}
			set := m.rooms[r]
			if set == nil {
				set = make(map[string]Socket)
				m.rooms[r] = set
			}
			set[id] = s
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
