package socketio

import (
	"time"

	"github.com/gosio/socketio/parser"
)

// The acknowledgements a socket waits for from its client.

type pendingAck struct {
	cb       func(*parser.Packet) // nil packet: the socket disconnected
	deadline time.Time            // zero: none
	timer    *time.Timer          // forgets the entry at deadline (ExpectAck)
	sent     time.Time            // for Hooks.Ack; zero: not measured
}

// onAck resolves a pending acknowledgement; unknown ids are ignored.
func (s *Socket) onAck(p *parser.Packet) {
	if !p.HasID {
		return
	}
	s.mu.Lock()
	a := s.acks[p.ID]
	delete(s.acks, p.ID)
	s.mu.Unlock()
	if a != nil {
		if a.timer != nil {
			a.timer.Stop()
		}
		s.hookAck(a.sent)
		a.cb(p)
	}
}

// forgetAck removes the entry for id if it is still a.
func (s *Socket) forgetAck(id uint64, a *pendingAck) {
	s.mu.Lock()
	if s.acks[id] == a {
		delete(s.acks, id)
	}
	s.mu.Unlock()
}

func (s *Socket) addAck(id uint64, a *pendingAck) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.connected || s.closing {
		return false
	}
	if s.acks == nil {
		s.acks = make(map[uint64]*pendingAck)
	}
	a.sent = s.ackSent()
	if len(s.acks) >= 64 {
		now := time.Now()
		for k, v := range s.acks {
			if !v.deadline.IsZero() && now.After(v.deadline) {
				delete(s.acks, k)
			}
		}
	}
	s.acks[id] = a
	return true
}

func (s *Socket) removeAck(id uint64) {
	s.mu.Lock()
	delete(s.acks, id)
	s.mu.Unlock()
}

// pendingAcks returns the number of acknowledgements awaited (tests).
func (s *Socket) pendingAcks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.acks)
}

func (s *Socket) sendAck(id uint64, args []any) error {
	data, att, err := encodeArgs(args)
	if err != nil {
		return err
	}
	t := parser.Ack
	if len(att) > 0 {
		t = parser.BinaryAck
	}
	// The ack goes out on the calling goroutine (normally this client's
	// handler goroutine) when no write is in progress: no writer
	// goroutine per reply.
	p := &parser.Packet{Type: t, Nsp: s.nsp.name, ID: id, HasID: true, Data: data, Attachments: att}
	s.client.conn.SendPacketsNow(encodePacket(s.client.srv.format, p).Packets...)
	return nil
}
