package admin

import (
	"encoding/json"

	"github.com/gosio/socketio"
)

// registerActions answers the UI's actions (its handler goroutine). Each
// takes the namespace name first and an optional room as the filter (a
// socket id is its own room); a namespace that does not exist is not
// created, and malformed arguments are ignored.
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
		if op := a.target(nsp, optionalString(e, 1)); op != nil {
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
		if op := a.target(nsp, optionalString(e, 2)); op != nil {
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
	return a.target(nsp, optionalString(e, 2)), room
}

// target selects the sockets of namespace name, in room filter if not
// empty; nil if there is no such namespace.
func (a *Admin) target(name, filter string) *socketio.BroadcastOperator {
	for _, n := range a.srv.Namespaces() {
		if n.Name() == name {
			if filter != "" {
				return n.In(filter)
			}
			return n.In()
		}
	}
	return nil
}

// optionalString returns argument i if it is a string; "" if it is
// missing, null or anything else.
func optionalString(e *socketio.Event, i int) string {
	if i >= e.Len() {
		return ""
	}
	var s string
	if json.Unmarshal(e.Raw(i), &s) != nil {
		return ""
	}
	return s
}
