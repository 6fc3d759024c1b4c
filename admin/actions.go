package admin

import (
	"encoding/json"

	"github.com/gosio/socketio"
)

// registerActions answers the UI's actions (its handler goroutine). Each
// takes the namespace name first and an optional filter: a room (a
// socket id is its own room) or a list of rooms; none (or null, "") means
// the whole namespace, as in Node. A namespace that does not exist is not
// created, and an action with a malformed argument is ignored (a filter
// that is neither a string nor a list of strings never widens to the
// whole namespace).
//
//	emit(nsp, filter, event, ...args)
//	join(nsp, room, filter?)      leave(nsp, room, filter?)
//	_disconnect(nsp, close, filter?)
func (a *Admin) registerActions(s *socketio.Socket) {
	s.On("emit", func(e *socketio.Event) {
		var nsp, event string
		if e.Decode(0, &nsp) != nil || e.Decode(2, &event) != nil {
			return
		}
		if op := a.target(nsp, e, 1); op != nil {
			if err := op.Emit(event, e.Args.From(3)); err != nil {
				a.log.Warn("admin: emit", "nsp", nsp, "event", event, "err", err)
			}
		}
	})
	s.On("join", func(e *socketio.Event) {
		if op, room := a.roomAction(e); op != nil {
			op.SocketsJoin(room)
		}
	})
	s.On("leave", func(e *socketio.Event) {
		if op, room := a.roomAction(e); op != nil {
			op.SocketsLeave(room)
		}
	})
	s.On("_disconnect", func(e *socketio.Event) {
		var nsp string
		var close bool
		if e.Decode(0, &nsp) != nil || e.Decode(1, &close) != nil {
			return
		}
		if op := a.target(nsp, e, 2); op != nil {
			op.DisconnectSockets(close)
		}
	})
}

// roomAction decodes join and leave: (nsp, room, filter?).
func (a *Admin) roomAction(e *socketio.Event) (*socketio.BroadcastOperator, string) {
	var nsp, room string
	if e.Decode(0, &nsp) != nil || e.Decode(1, &room) != nil || room == "" {
		return nil, ""
	}
	return a.target(nsp, e, 2), room
}

// target selects the sockets of namespace name, in the rooms of the
// filter argument i of e; nil if there is no such namespace or the
// filter is malformed.
func (a *Admin) target(name string, e *socketio.Event, i int) *socketio.BroadcastOperator {
	rooms, ok := filterRooms(e, i)
	if !ok {
		return nil
	}
	for _, n := range a.srv.Namespaces() {
		if n.Name() == name {
			return n.In(rooms...)
		}
	}
	return nil
}

// filterRooms decodes argument i: missing, null or "" is no room (the
// whole namespace), a string one room, a list of strings those rooms;
// anything else is malformed.
func filterRooms(e *socketio.Event, i int) ([]string, bool) {
	if i >= e.Len() {
		return nil, true
	}
	raw := e.Raw(i)
	if string(raw) == "null" {
		return nil, true
	}
	var room string
	if json.Unmarshal(raw, &room) == nil {
		if room == "" {
			return nil, true
		}
		return []string{room}, true
	}
	var rooms []string
	if json.Unmarshal(raw, &rooms) == nil {
		return rooms, true
	}
	return nil, false
}
