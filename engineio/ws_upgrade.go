package engineio

import (
	"github.com/gosio/socketio/engineio/packet"
)

// abortUpgrade gives up the probe of c; the session stays on polling.
func (s *Socket) abortUpgrade(c *wsConn) { s.abortUpgradeWith(c, closeNormal) }

// abortUpgradeWith is abortUpgrade closing the WebSocket with code.
func (s *Socket) abortUpgradeWith(c *wsConn, code int) {
	s.mu.Lock()
	if s.upgrading == c {
		s.upgrading = nil
		s.noopPending = false
		s.settleProbeLocked()
		stopTimer(s.upgradeTimer)
	}
	s.mu.Unlock()
	c.close(code)
}

// onProbePacket handles a packet on a WebSocket that is probing an
// upgrade: "2probe" is answered with "3probe" and held polls are released;
// "5" after the probe completes the switch; anything else aborts.
func (s *Socket) onProbePacket(c *wsConn, p packet.Packet) {
	switch {
	case p.Type == packet.Ping && isProbe(p) && !c.probed:
		c.probed = true
		if err := c.writeFrames(appendFrames(nil, []packet.Packet{{Type: packet.Pong, Data: probe}}, 0)); err != nil {
			s.abortUpgrade(c)
			return
		}
		s.mu.Lock()
		if s.upgrading == c {
			s.noopPending = true
			s.probeSettled = make(chan struct{})
			s.wakePollLocked()
		}
		s.mu.Unlock()
	case p.Type == packet.Upgrade && c.probed:
		s.mu.Lock()
		if s.upgrading != c || s.state == stateClosed {
			s.mu.Unlock()
			c.close(closeNormal)
			return
		}
		stopTimer(s.upgradeTimer)
		s.upgrading = nil
		s.noopPending = false
		s.upgraded = true
		s.settleProbeLocked()
		s.transport = WebSocket
		s.ws = c
		s.wakePollLocked() // a held poll gets a noop
		s.flushLocked()
		s.mu.Unlock()
		if h := s.srv.observer(); h != nil && h.Upgrade != nil {
			h.Upgrade(s)
		}
	default:
		s.abortUpgrade(c)
	}
}

// settleProbeLocked releases polls waiting for a probed upgrade to end.
func (s *Socket) settleProbeLocked() {
	if s.probeSettled != nil {
		close(s.probeSettled)
		s.probeSettled = nil
	}
}
