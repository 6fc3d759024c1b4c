package client

import (
	"encoding/json"

	"github.com/gosio/socketio/parser"
)

// A socket's life: Connect makes it active and sends CONNECT once the
// Manager's connection is open; the server's CONNECT reply connects it;
// Disconnect, the server's DISCONNECT or the end of the connection
// disconnect it. Every decision that depends on the state is taken under
// s.mu, so that Disconnect and a reply handled at the same moment agree:
// either the reply comes first (the socket connects, then Disconnect
// leaves the namespace) or Disconnect does (the reply is refused).
//
// The Manager numbers its connections (generations). A socket records the
// one its CONNECT went on (connectGen) and the one it is connected on
// (connGen); a packet, a reply or a close concerns the socket only if it
// comes from that connection. The socket's packets and the close of its
// connection are handled in arrival order on the socket's handler
// goroutine, so the events that came before a close are delivered before
// OnDisconnect, and a new connection's CONNECT reply after it.

// Connect connects the socket (again, after Disconnect or after the
// Manager gave up reconnecting: Node's socket.connect()); it returns at
// once. OnConnect or OnConnectError report the outcome. If the Manager's
// connection is closed and no reconnection is waiting, it opens again,
// and a failure starts a fresh reconnection cycle.
func (s *Socket) Connect() {
	s.mu.Lock()
	if s.connected {
		s.mu.Unlock()
		return
	}
	s.active = true
	s.mu.Unlock()
	if gen, open := s.m.subscribe(s); open {
		s.sendConnect(gen)
	}
}

// Disconnect leaves the namespace (reason ReasonClientDisconnect) and
// stops reconnecting; the Manager's connection closes with its last
// socket, after what was sent before has left. A CONNECT reply that
// arrives afterwards is refused: OnConnect does not run and the socket
// the server made is closed. OnDisconnect runs on the socket's handler
// goroutine (if the socket was connected); Connected is false when
// Disconnect returns.
func (s *Socket) Disconnect() {
	s.mu.Lock()
	s.active = false
	s.receiveBuffer = nil
	var notify func()
	var failed []*pendingAck
	if s.connected {
		// Sent under the lock: a packet emitted concurrently is either
		// sent before the DISCONNECT or buffered for the next connection.
		s.m.writeOn(s.connGen, &parser.Packet{Type: parser.Disconnect, Nsp: s.nsp})
		notify, failed = s.markClosedLocked(ReasonClientDisconnect, nil)
	}
	s.mu.Unlock()
	failAcks(failed)
	if notify != nil {
		s.tasks.PushNoWait(notify)
	}
	s.m.unsubscribe(s)
}

// Close is Disconnect.
func (s *Socket) Close() { s.Disconnect() }

// sendConnect sends CONNECT on connection gen with the auth payload,
// unless the socket is inactive, connected on gen, or has a CONNECT on gen
// awaiting its reply: the server keeps one socket per namespace, and a
// Node server closes the whole connection on a second CONNECT for a
// namespace it has connected. It runs on the socket's handler goroutine
// when the Manager (re)connects, on Connect's caller otherwise.
func (s *Socket) sendConnect(gen uint64) {
	s.mu.Lock()
	if !s.active || (s.connected && s.connGen == gen) || (s.connecting && s.connectGen == gen) {
		s.mu.Unlock()
		return
	}
	s.connecting, s.connectGen = true, gen
	s.mu.Unlock()
	auth := s.opts.Auth
	if f := s.opts.AuthFunc; f != nil {
		auth = f(s.nsp)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.connecting || s.connectGen != gen {
		return // the connection closed meanwhile
	}
	if !s.active {
		s.connecting = false // Disconnect meanwhile
		return
	}
	auth = s.recoveryAuthLocked(auth)
	p := &parser.Packet{Type: parser.Connect, Nsp: s.nsp}
	if auth != nil {
		data, err := json.Marshal(auth)
		if err == nil {
			p.Data = data
		}
	}
	if !s.m.writeOn(gen, p) {
		s.connecting = false
	}
}

// onEngineError reports a failed connection attempt (handler goroutine).
func (s *Socket) onEngineError(err error) {
	s.mu.Lock()
	connected := s.connected
	hs := s.onConnectErr
	s.mu.Unlock()
	if !connected {
		for _, f := range hs {
			f(err)
		}
	}
}

// onPacket handles a packet for this namespace from connection gen
// (handler goroutine).
func (s *Socket) onPacket(gen uint64, p *parser.Packet) {
	switch p.Type {
	case parser.Connect:
		s.onConnectReply(gen, p)
	case parser.Event, parser.BinaryEvent:
		s.mu.Lock()
		switch {
		case !s.active:
			// Left: nothing is delivered any more.
			s.mu.Unlock()
		case s.connected && s.connGen == gen:
			s.mu.Unlock()
			s.dispatch(p)
		case s.connecting && s.connectGen == gen:
			s.receiveBuffer = append(s.receiveBuffer, p)
			s.mu.Unlock()
		default:
			s.mu.Unlock() // from a connection the socket is not on
		}
	case parser.Disconnect:
		s.mu.Lock()
		if !s.connected || s.connGen != gen {
			s.mu.Unlock()
			return
		}
		s.active = false
		notify, failed := s.markClosedLocked(ReasonServerDisconnect, nil)
		s.mu.Unlock()
		failAcks(failed)
		s.m.unsubscribe(s)
		notify()
	case parser.ConnectError:
		s.mu.Lock()
		if !s.connecting || s.connectGen != gen {
			s.mu.Unlock()
			return
		}
		s.connecting = false
		if !s.active {
			// Disconnect came first: the refusal concerns no one.
			s.mu.Unlock()
			return
		}
		s.active = false
		s.mu.Unlock()
		s.m.unsubscribe(s)
		s.emitConnectError(parseConnectError(p.Data))
	}
}

func parseConnectError(data []byte) *ConnectError {
	ce := &ConnectError{}
	var body struct {
		Message string `json:"message"`
		Data    any    `json:"data"`
	}
	if json.Unmarshal(data, &body) == nil {
		ce.Message, ce.Data = body.Message, body.Data
	} else {
		var msg string
		json.Unmarshal(data, &msg)
		ce.Message = msg
	}
	return ce
}

// onConnectReply completes a connection: packets emitted while offline
// are sent, the at-least-once queue resumes, events received early are
// delivered, then OnConnect runs. A reply for a socket that left
// meanwhile is refused, and the socket the server made for it is closed
// with a DISCONNECT.
func (s *Socket) onConnectReply(gen uint64, p *parser.Packet) {
	var body struct {
		SID string `json:"sid"`
		PID string `json:"pid"`
	}
	valid := json.Unmarshal(p.Data, &body) == nil && body.SID != ""
	s.mu.Lock()
	switch {
	case !s.connecting || s.connectGen != gen:
		// Not asked for on this connection: sendConnect sends one CONNECT
		// per connection.
		s.mu.Unlock()
		return
	case !s.m.isCurrent(gen):
		// The connection closed after the reply came: its close follows
		// in the queue, and the socket reconnects with the Manager.
		s.connecting = false
		s.mu.Unlock()
		return
	case !s.active:
		s.connecting = false
		if valid {
			s.m.writeOn(gen, &parser.Packet{Type: parser.Disconnect, Nsp: s.nsp})
		}
		s.mu.Unlock()
		return
	case !valid:
		s.connecting = false
		s.mu.Unlock()
		s.emitConnectError(ErrV2Server)
		return
	}
	s.connecting = false
	s.id = body.SID
	s.recovered = body.PID != "" && body.PID == s.pid
	s.pid = body.PID
	s.connected, s.connGen = true, gen
	recv := s.receiveBuffer
	s.receiveBuffer = nil
	// Buffered packets leave before any emitted from now on: the lock
	// keeps concurrent Emits behind them.
	sent := s.sendBuffer
	for _, b := range sent {
		if a := s.acks[b.p.ID]; b.p.HasID && a != nil {
			a.sent = true
		}
		s.m.writeOn(gen, b.p)
	}
	s.sendBuffer = nil
	drained := s.drainLocked(true)
	hs := s.onConnect
	s.mu.Unlock()
	for _, b := range sent {
		s.listeners.notifyOutgoing(b.event, b.args)
	}
	drained()
	for _, p := range recv {
		s.dispatch(p)
	}
	for _, f := range hs {
		f()
	}
}

func (s *Socket) emitConnectError(err error) {
	s.mu.Lock()
	hs := s.onConnectErr
	s.mu.Unlock()
	for _, f := range hs {
		f(err)
	}
}

// onClose disconnects the socket because connection gen ended (handler
// goroutine).
func (s *Socket) onClose(gen uint64, reason Reason, cause error) {
	s.mu.Lock()
	if s.connecting && s.connectGen == gen {
		s.connecting = false
	}
	var notify func()
	var failed []*pendingAck
	if s.connected && s.connGen == gen {
		notify, failed = s.markClosedLocked(reason, cause)
	}
	s.mu.Unlock()
	failAcks(failed)
	if notify != nil {
		notify()
	}
}

// markClosedLocked marks a connected socket disconnected and takes the
// acks of packets already sent out of s.acks (those of packets still
// buffered wait for the next connection): the caller fails them with
// failAcks once s.mu is released. It returns the call of the OnDisconnect
// handlers, to be run on the handler goroutine.
func (s *Socket) markClosedLocked(reason Reason, cause error) (notify func(), failed []*pendingAck) {
	s.connected = false
	s.id = ""
	for id, a := range s.acks {
		if a.sent {
			failed = append(failed, a)
			delete(s.acks, id)
		}
	}
	hs := s.onDisconnect
	return func() {
		for _, f := range hs {
			f(reason, cause)
		}
	}, failed
}

// failAcks fails acks with ErrDisconnected.
func failAcks(acks []*pendingAck) {
	for _, a := range acks {
		a.resolve(nil, ErrDisconnected)
	}
}
