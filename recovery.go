package socketio

import (
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/parser"
)

// RecoveryOptions turn on connection state recovery (Node:
// connectionStateRecovery): a client that lost its connection and comes
// back within MaxDisconnectionDuration gets its socket id, rooms and data
// back, and the events broadcast to it meanwhile, in order, before any
// new one (Socket.Recovered is then true).
//
// It needs a session-aware adapter (adapter.SessionAware): the default
// in-memory adapter is one when recovery is on. Sessions are kept after a
// disconnect whose reason is one of "transport error", "transport
// close", "forced close", "ping timeout", "server shutting down" and
// "forced server close" (as Node), never after a disconnect asked by
// either side.
//
// Unlike Node, a client that received no event before the cut (and so
// sends no offset) is recovered too, from the moment it connected
// (socket.io issue 5538); a session is restored at most once; and the
// packets kept are bounded (MaxPackets, MaxBytes): a client that would
// miss a dropped packet gets a new session instead of a replay with a gap.
type RecoveryOptions struct {
	// MaxDisconnectionDuration is how long a session waits for its
	// client (default 2 minutes).
	MaxDisconnectionDuration time.Duration
	// RunMiddlewares runs the connection middlewares for a recovering
	// socket too (Node: skipMiddlewares false). By default they are
	// skipped, as Node's default skipMiddlewares true.
	RunMiddlewares bool
	// MaxPackets and MaxBytes bound the packets kept per namespace for
	// the in-memory adapter (defaults 10000 and 16 MiB).
	MaxPackets int
	MaxBytes   int
}

func (o *RecoveryOptions) sessionOptions() adapter.SessionOptions {
	return adapter.SessionOptions{MaxDisconnectionDuration: o.MaxDisconnectionDuration, MaxPackets: o.MaxPackets, MaxBytes: o.MaxBytes}
}

// Recovered reports whether the socket's state was recovered after a
// temporary disconnection (Node: socket.recovered): same id, rooms and
// data, and the missed events were sent before the CONNECT reply.
func (s *Socket) Recovered() bool { return s.recovered }

// recoverableReasons are the disconnect reasons after which Node keeps
// the session.
func recoverable(r Reason) bool {
	switch r {
	case ReasonTransportError, ReasonTransportClose, ReasonForcedClose, ReasonPingTimeout,
		ReasonServerShuttingDown, ReasonForcedServerClose:
		return true
	}
	return false
}

// recoveryRequest returns the pid and offset of a CONNECT asking for
// recovery: pid a string, offset a string or absent.
func recoveryRequest(auth map[string]any) (pid, offset string, ok bool) {
	pid, ok = auth["pid"].(string)
	if !ok || pid == "" {
		return "", "", false
	}
	if v, present := auth["offset"]; present {
		if offset, ok = v.(string); !ok {
			return "", "", false
		}
	}
	return pid, offset, true
}

// peekRecovery prepares s to take over the session auth asks for, if the
// namespace keeps it: the old id, pid and data (connect handler
// goroutine). The restore itself happens in connectRecovered.
func (s *Socket) peekRecovery(auth map[string]any) {
	store := s.nsp.sessions
	if store == nil {
		return
	}
	pid, _, ok := recoveryRequest(auth)
	if !ok {
		return
	}
	sess, err := store.PeekSession(s.Context(), pid)
	if err != nil || sess == nil {
		return
	}
	s.id, s.pid, s.data, s.recovered = sess.SID, sess.PID, sess.Data, true
}

// connectRecovered restores the session s peeked and connects it: under
// the store's hold, join its rooms, write the missed packets, then the
// CONNECT reply. It reports false if the session can no longer be
// restored (expired, taken, or a needed packet dropped).
func (s *Socket) connectRecovered(auth map[string]any) bool {
	pid, offset, _ := recoveryRequest(auth)
	ok, err := s.nsp.sessions.RestoreSession(s.Context(), pid, offset, func(sess *adapter.Session, missed []*adapter.Encoded) {
		s.start = sess.Start
		s.mu.Lock()
		defer s.mu.Unlock()
		s.connected = true
		s.live.Store(true)
		s.nsp.add(s)
		s.nsp.adapter.AddAll(s.seam(), append(sess.Rooms[:len(sess.Rooms):len(sess.Rooms)], s.id)...)
		for _, enc := range missed {
			s.client.writeEncoded(enc.Packets, false)
		}
		s.client.writePacket(&parser.Packet{Type: parser.Connect, Nsp: s.nsp.name, Data: s.connectReply()}, false)
	})
	if err != nil {
		s.client.srv.log.Debug("socketio: restoring a session", "err", err, "nsp", s.nsp.name)
	}
	return ok
}

// connectReply is the CONNECT payload: the socket id, and the pid when
// recovery is on.
func (s *Socket) connectReply() []byte {
	if s.client.eio3 {
		return nil // a v2 client's CONNECT reply has no payload
	}
	data := make([]byte, 0, 64)
	data = append(data, `{"sid":"`...)
	data = append(data, s.id...)
	if s.pid != "" {
		data = append(data, `","pid":"`...)
		data = append(data, s.pid...)
	}
	data = append(data, `"}`...)
	return data
}

// persistSession keeps the session of a socket that left for a reason
// that allows recovery (handler goroutine, after it left its rooms).
func (s *Socket) persistSession(reason Reason, rooms []string) {
	store := s.nsp.sessions
	if store == nil || !recoverable(reason) {
		return
	}
	// The rooms include the socket's own: events emitted to the socket
	// while it is away are replayed too.
	store.PersistSession(&adapter.Session{SID: s.id, PID: s.pid, Rooms: rooms, Data: s.Data(), Start: s.start})
}

// emitThroughAdapter sends an event of Socket.Emit through the adapter,
// so that it is stored and replayed (recovery on; Node does the same).
func (s *Socket) emitThroughAdapter(p *parser.Packet, volatile, noCompress bool) {
	s.nsp.adapter.Broadcast(p, adapter.BroadcastOptions{
		Rooms: []string{s.id},
		Flags: adapter.Flags{Volatile: volatile, NoCompress: noCompress},
	})
}
