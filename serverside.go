package socketio

import (
	"sync"

	"github.com/gosio/socketio/internal/handler"
	"github.com/gosio/socketio/parser"
)

// ServerEvent is an event another node of the cluster sent with
// ServerSideEmit (Node: io.on("event", ...) for server-side events).
type ServerEvent struct {
	Args
	Name  string
	reply func([]any)
	mu    sync.Mutex
	acked bool
}

// EventName returns the event name.
func (e *ServerEvent) EventName() string { return e.Name }

// HasAck reports whether the sender waits for a reply.
func (e *ServerEvent) HasAck() bool { return e.reply != nil }

// Ack replies to the sender (ServerSideEmitWithAck), once.
func (e *ServerEvent) Ack(args ...any) error {
	e.mu.Lock()
	done := e.acked
	e.acked = true
	e.mu.Unlock()
	if e.reply == nil || done {
		return nil
	}
	e.reply(args)
	return nil
}

type serverListeners struct {
	mu sync.RWMutex
	m  map[string][]func(*ServerEvent) error
}

// OnServerSideEmit registers a handler for events other nodes send with
// ServerSideEmit to this namespace; the signatures are those of
// Socket.On, with *ServerEvent as the raw form and an ack func last to
// reply. Handlers run on the adapter's goroutine: do not block in them.
func (n *Namespace) OnServerSideEmit(event string, fn any) {
	h := handler.Compile[*ServerEvent](fn)
	n.serverSide.mu.Lock()
	if n.serverSide.m == nil {
		n.serverSide.m = make(map[string][]func(*ServerEvent) error)
	}
	n.serverSide.m[event] = append(n.serverSide.m[event], h)
	n.serverSide.mu.Unlock()
}

// OnServerSideEmit registers a handler for server-side events of "/".
func (s *Server) OnServerSideEmit(event string, fn any) { s.main.OnServerSideEmit(event, fn) }

// serverSideEvent dispatches an event from another node, on the
// adapter's goroutine.
func (n *Namespace) serverSideEvent(p *parser.Packet, reply func(args []any)) {
	name, err := parser.EventName(p.Data)
	if err != nil {
		return
	}
	args, err := newArgs(p.Data, p.Attachments, 1)
	if err != nil {
		return
	}
	n.serverSide.mu.RLock()
	hs := n.serverSide.m[name]
	n.serverSide.mu.RUnlock()
	e := &ServerEvent{Args: args, Name: name, reply: reply}
	for _, h := range hs {
		func() {
			defer func() {
				if v := recover(); v != nil {
					n.srv.log.Error("socketio: server-side event handler panicked", "event", name, "panic", v)
				}
			}()
			if err := h(e); err != nil {
				n.srv.log.Debug("socketio: server-side event handler", "event", name, "err", err)
			}
		}()
	}
}

// reservedServerSide are names ServerSideEmit refuses, as the reference.
func reservedServerSide(event string) bool {
	return event == "connect" || event == "connection" || event == "new_namespace"
}
