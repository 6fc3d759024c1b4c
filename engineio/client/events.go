package client

import "github.com/gosio/socketio/engineio/packet"

// Events are optional callbacks for a connection's events, those of
// engine.io-client's socket ("packet", "packetCreate", "drain",
// "upgrading", "upgrade", "upgradeError"; "close" is Handler.OnClose and
// "ping" Options.OnPing). Each runs synchronously on the goroutine named,
// with no lock of the Conn held, and should return quickly: it holds up
// that goroutine's work. A nil field is skipped.
type Events struct {
	// OnPacket receives each packet read on the active transport, the
	// handshake's open packet included, before it is handled (the reader
	// goroutine; for the open packet, Dial's).
	OnPacket func(p packet.Packet)
	// OnPacketCreate receives each packet queued to be sent: messages and
	// pongs, not the close packet nor the upgrade's probes, as in the
	// reference (the goroutine of Send or SendPackets; the reader's for a
	// pong).
	OnPacketCreate func(p packet.Packet)
	// OnDrain is called when a write left the queue empty (the writer
	// goroutine).
	OnDrain func()
	// OnUpgrading is called when the server answered the upgrade probe,
	// before polling pauses (the upgrade goroutine).
	OnUpgrading func(transport string)
	// OnUpgrade is called once the connection moved to transport (the
	// upgrade goroutine).
	OnUpgrade func(transport string)
	// OnUpgradeError is called when an upgrade failed; the connection
	// stays on polling. err is a *TransportError with Message
	// MsgProbeError and the cause (the upgrade goroutine).
	OnUpgradeError func(err error)
}

func (e *Events) packet(p packet.Packet) {
	if e.OnPacket != nil {
		e.OnPacket(p)
	}
}

func (e *Events) packetCreate(pkts []packet.Packet) {
	if e.OnPacketCreate != nil {
		for _, p := range pkts {
			e.OnPacketCreate(p)
		}
	}
}

func (e *Events) drain() {
	if e.OnDrain != nil {
		e.OnDrain()
	}
}

func (e *Events) upgrading(transport string) {
	if e.OnUpgrading != nil {
		e.OnUpgrading(transport)
	}
}

func (e *Events) upgrade(transport string) {
	if e.OnUpgrade != nil {
		e.OnUpgrade(transport)
	}
}

func (e *Events) upgradeError(cause error) {
	if e.OnUpgradeError != nil {
		e.OnUpgradeError(transportError(MsgProbeError, 0, cause))
	}
}
