package admin

import (
	"sync"
	"time"

	"github.com/gosio/socketio"
	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/engineio/packet"
)

// hooks returns what the admin needs of the server: engine counts for
// the aggregated statistics, and in development mode every socket, room
// and event.
func (a *Admin) hooks() *socketio.Hooks {
	eh := &engineio.Hooks{
		Open: func(*engineio.Socket) { a.count("rawConnection", "", 1) },
		Close: func(_ *engineio.Socket, reason string, _ error) {
			a.count("rawDisconnection", reason, 1)
		},
		PacketIn: func(_ *engineio.Socket, _ packet.Type, size int) {
			if size > 0 { // as Node: packets with data (not pongs)
				a.count("packetsIn", "", 1)
				a.count("bytesIn", "", int64(size))
			}
		},
		PacketsOut: func(_ *engineio.Socket, n, size int) {
			a.count("packetsOut", "", int64(n))
			a.count("bytesOut", "", int64(size))
		},
	}
	h := &socketio.Hooks{Engine: eh}
	if !a.development() {
		return h
	}
	eh.Upgrade = a.onUpgrade
	h.Connect = a.onConnect
	h.Disconnect = a.onDisconnect
	h.RoomJoined = func(n *socketio.Namespace, room, id string) {
		a.send("room_joined", n.Name(), room, id, isoDate(time.Now()))
	}
	h.RoomLeft = func(n *socketio.Namespace, room, id string) {
		a.send("room_left", n.Name(), room, id, isoDate(time.Now()))
	}
	h.DataChanged = func(s *socketio.Socket, v any) {
		a.send("socket_updated", map[string]any{"id": s.ID(), "nsp": s.Namespace().Name(), "data": serializeData(v)})
	}
	h.Event = a.onEvent
	return h
}

func (a *Admin) count(typ, subType string, n int64) {
	if !a.closed.Load() {
		a.events.push(typ, subType, n)
	}
}

// send emits to every UI (through the admin namespace's adapter, so to
// every node's UIs); it does nothing once the admin is closed.
func (a *Admin) send(event string, args ...any) {
	if a.closed.Load() {
		return
	}
	if err := a.nsp.Emit(event, args...); err != nil {
		a.log.Error("admin: emit", "event", event, "err", err)
	}
}

// onConnect reports a socket and starts reporting what it is sent (its
// handler goroutine, before the application's OnConnection).
func (a *Admin) onConnect(s *socketio.Socket) {
	a.conns.add(s)
	a.send("socket_connected", serializeLocal(s), isoDate(time.Now()))
	if s.Namespace() == a.nsp {
		return // the UIs' own traffic is not reported
	}
	nsp, id := s.Namespace().Name(), s.ID()
	s.OnAnyOutgoing(func(event string, args []any) {
		a.send("event_sent", nsp, id, append([]any{event}, args...), isoDate(time.Now()))
	})
}

func (a *Admin) onDisconnect(s *socketio.Socket, reason socketio.Reason, _ error) {
	a.conns.remove(s)
	a.send("socket_disconnected", s.Namespace().Name(), s.ID(), string(reason), isoDate(time.Now()))
}

// onEvent reports an event a client sent, arguments as received.
func (a *Admin) onEvent(s *socketio.Socket, e *socketio.Event) func(error) {
	if s.Namespace() == a.nsp {
		return nil
	}
	args := make([]any, 0, 1+e.Len())
	args = append(args, e.Name)
	for i := range e.Len() {
		args = append(args, e.Arg(i))
	}
	a.send("event_received", s.Namespace().Name(), s.ID(), args, isoDate(time.Now()))
	return nil
}

// onUpgrade reports the new transport of every socket of the connection.
func (a *Admin) onUpgrade(conn *engineio.Socket) {
	for _, s := range a.conns.of(conn) {
		a.send("socket_updated", map[string]any{"id": s.ID(), "nsp": s.Namespace().Name(), "transport": engineio.WebSocket})
	}
}

// connSockets maps each connection to its connected sockets, to tell the
// UIs of an upgrade.
type connSockets struct {
	mu sync.Mutex
	m  map[*engineio.Socket][]*socketio.Socket
}

func (c *connSockets) add(s *socketio.Socket) {
	c.mu.Lock()
	if c.m == nil {
		c.m = map[*engineio.Socket][]*socketio.Socket{}
	}
	c.m[s.Conn()] = append(c.m[s.Conn()], s)
	c.mu.Unlock()
}

func (c *connSockets) remove(s *socketio.Socket) {
	c.mu.Lock()
	defer c.mu.Unlock()
	list := c.m[s.Conn()]
	for i, x := range list {
		if x == s {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(c.m, s.Conn())
	} else {
		c.m[s.Conn()] = list
	}
}

func (c *connSockets) of(conn *engineio.Socket) []*socketio.Socket {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*socketio.Socket(nil), c.m[conn]...)
}
