package adapter

import "time"

// storedPacket is a packet kept for connection state recovery.
type storedPacket struct {
	seq   uint64
	at    time.Time
	enc   *Encoded
	rooms []string
	excep []string
	size  int
}

// packetRing is a FIFO of stored packets in a circular array that grows by
// doubling and shrinks when mostly empty, so that a store at its bound
// pushes and pops without allocating.
type packetRing struct {
	buf  []storedPacket // len is a power of two, or 0
	head int
	n    int
}

func (r *packetRing) len() int { return r.n }

// at returns the i-th oldest packet.
func (r *packetRing) at(i int) *storedPacket { return &r.buf[(r.head+i)&(len(r.buf)-1)] }

func (r *packetRing) push(p storedPacket) {
	if r.n == len(r.buf) {
		r.resize(max(16, 2*len(r.buf)))
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = p
	r.n++
}

// pop removes the oldest packet.
func (r *packetRing) pop() {
	r.buf[r.head] = storedPacket{}
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	if len(r.buf) > 64 && r.n < len(r.buf)/4 {
		r.resize(len(r.buf) / 2) // give memory back
	}
}

func (r *packetRing) resize(size int) {
	buf := make([]storedPacket, size)
	for i := 0; i < r.n; i++ {
		buf[i] = *r.at(i)
	}
	r.buf, r.head = buf, 0
}

func (r *packetRing) reset() { *r = packetRing{} }
