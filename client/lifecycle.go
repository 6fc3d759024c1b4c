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
	if s.m.subscribe(s) {
		s.sendConnect()
	}
}

// Disconnect leaves the namespace (reason ReasonClientDisconnect) and
// stops reconnecting; the Manager's connection closes with its last
// socket, after what was sent before has left. A CONNECT reply that
// arrives afterwards is refused: OnConnect does not run and the socket
// the server made is closed. OnDisconnect runs on the handler goroutine
// (if the socket was connected); Connected is false when Disconnect
// returns.
func (s *Socket) Disconnect() {
	s.mu.Lock()
	s.active = false
	s.receiveBuffer = nil
	wasConnected := s.connected
	var notify func()
	if wasConnected {
		// Sent under the lock: a packet emitted concurrently is either
		// sent before the DISCONNECT or buffered for the next connection.
		s.m.write(&parser.Packet{Type: parser.Disconnect, Nsp: s.nsp})
		notify = s.markClosedLocked(ReasonClientDisconnect, nil)
	}
	s.mu.Unlock()
	if notify != nil {
		s.m.tasks.PushNoWait(notify)
	}
	s.m.unsubscribe(s)
}

// Close is Disconnect.
func (s *Socket) Close() { s.Disconnect() }

// sendConnect sends CONNECT with the auth payload, unless one already
// awaits its reply on the current connection: the server keeps one socket
// per namespace, and a Node server closes the whole connection on a second
// CONNECT for a namespace it has connected.
func (s *Socket) sendConnect() {
	gen := s.m.generation()
	s.mu.Lock()
	if s.connected || (s.connecting && s.connectGen == gen) {
		s.mu.Unlock()
		return
	}
	s.connecting, s.connectGen = true, gen
	s.mu.Unlock()
	auth := s.m.opts.Auth
	if f := s.m.opts.AuthFunc; f != nil {
		auth = f()
	}
	s.mu.Lock()
	auth = s.recoveryAuthLocked(auth)
	s.mu.Unlock()
	p := &parser.Packet{Type: parser.Connect, Nsp: s.nsp}
	if auth != nil {
		data, err := json.Marshal(auth)
		if err == nil {
			p.Data = data
		}
	}
	if !s.m.write(p) {
		s.mu.Lock()
		if s.connectGen == gen {
			s.connecting = false
		}
		s.mu.Unlock()
	}
}

// onEngineError reports a failed connection attempt.
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

// onPacket handles a packet for this namespace from the current
// connection (task goroutine).
func (s *Socket) onPacket(p *parser.Packet) {
	switch p.Type {
	case parser.Connect:
		s.onConnectReply(p)
	case parser.Event, parser.BinaryEvent:
		s.mu.Lock()
		switch {
		case !s.active:
			// Left: nothing is delivered any more.
			s.mu.Unlock()
			return
		case !s.connected:
			s.receiveBuffer = append(s.receiveBuffer, p)
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		s.dispatch(p)
	case parser.Disconnect:
		s.mu.Lock()
		if !s.connected {
			s.mu.Unlock()
			return
		}
		s.active = false
		notify := s.markClosedLocked(ReasonServerDisconnect, nil)
		s.mu.Unlock()
		s.m.unsubscribe(s)
		notify()
	case parser.ConnectError:
		s.mu.Lock()
		s.connecting = false
		if !s.active {
			// Disconnect came first: the refusal concerns no one.
			s.mu.Unlock()
			return
		}
		s.active = false
		s.mu.Unlock()
		s.m.unsubscribe(s)
		ce := &ConnectError{}
		var body struct {
			Message string `json:"message"`
			Data    any    `json:"data"`
		}
		if json.Unmarshal(p.Data, &body) == nil {
			ce.Message, ce.Data = body.Message, body.Data
		} else {
			var msg string
			json.Unmarshal(p.Data, &msg)
			ce.Message = msg
		}
		s.emitConnectError(ce)
	}
}

// onConnectReply completes a connection: events received early are
// delivered, packets emitted while offline are sent, then OnConnect runs.
// A reply for a socket that left meanwhile is refused, and the socket the
// server made for it is closed with a DISCONNECT.
func (s *Socket) onConnectReply(p *parser.Packet) {
	var body struct {
		SID string `json:"sid"`
		PID string `json:"pid"`
	}
	valid := json.Unmarshal(p.Data, &body) == nil && body.SID != ""
	s.mu.Lock()
	s.connecting = false
	switch {
	case s.connected:
		// Not asked for: sendConnect sends one CONNECT per connection.
		s.mu.Unlock()
		return
	case !s.active:
		if valid {
			s.m.write(&parser.Packet{Type: parser.Disconnect, Nsp: s.nsp})
		}
		s.mu.Unlock()
		return
	case !valid:
		s.mu.Unlock()
		s.emitConnectError(ErrV2Server)
		return
	}
	s.id = body.SID
	s.recovered = body.PID != "" && body.PID == s.pid
	s.pid = body.PID
	s.connected = true
	recv := s.receiveBuffer
	s.receiveBuffer = nil
	// Buffered packets leave before any emitted from now on: the lock
	// keeps concurrent Emits behind them.
	for _, p := range s.sendBuffer {
		if a := s.acks[p.ID]; p.HasID && a != nil {
			a.sent = true
		}
		s.m.write(p)
	}
	s.sendBuffer = nil
	hs := s.onConnect
	s.mu.Unlock()
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

// onClose disconnects the socket because its connection ended (task
// goroutine).
func (s *Socket) onClose(reason Reason, cause error) {
	s.mu.Lock()
	notify := s.markClosedLocked(reason, cause)
	s.mu.Unlock()
	if notify != nil {
		notify()
	}
}

// markClosedLocked marks a connected socket disconnected and fails the
// acks of packets already sent (those of packets still buffered wait for
// the next connection). It returns the call of the OnDisconnect handlers,
// to be run on the handler goroutine, or nil if the socket was not
// connected.
func (s *Socket) markClosedLocked(reason Reason, cause error) func() {
	if !s.connected {
		return nil
	}
	s.connected = false
	s.id = ""
	for id, a := range s.acks {
		if a.sent {
			a.ch <- nil // buffered, and resolved once: it leaves the map here
			delete(s.acks, id)
		}
	}
	hs := s.onDisconnect
	return func() {
		for _, f := range hs {
			f(reason, cause)
		}
	}
}
