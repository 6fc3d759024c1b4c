package engineio

import "github.com/gosio/socketio/engineio/packet"

// outQueue is a session's outbound queue: the packets sent and not yet
// handed to the transport. It owns three things:
//
//   - the byte bound: add refuses packets that would take the queued bytes
//     past max (Options.MaxBufferedBytes), so a client that does not read
//     costs at most max bytes, and the caller closes the session with
//     ErrWriteBufferFull;
//   - batching: take removes everything queued at once, so one flush
//     writes it all (one polling response, one write on a WebSocket);
//   - reuse: the array a flush took is handed back with recycle, cleared,
//     and later packets go into it, so a busy session alternates between
//     at most two arrays instead of allocating per flush.
//
// It does no locking and starts nothing: the Socket guards it with its
// mutex and decides when to flush. The zero value with max set is ready.
type outQueue struct {
	pkts  []packet.Packet // queued packets, possibly an empty reused array
	spare []packet.Packet // a cleared array for after the next take, or nil
	bytes int             // queued bytes, counted as data length + 1 per packet
	max   int             // bound on bytes for add
	done  bool            // dropped: the session is closed, nothing is kept
}

// maxSpareQueue bounds the array kept for reuse, in packets, so an idle
// session does not hold the memory of a past burst.
const maxSpareQueue = 16

// add appends pkts in order and returns true, or, if they would take the
// queue past its bound, appends none of them and returns false.
func (q *outQueue) add(pkts ...packet.Packet) bool {
	n := 0
	for _, p := range pkts {
		n += packetCost(p)
	}
	if q.bytes+n > q.max {
		return false
	}
	q.bytes += n
	q.pkts = append(q.pkts, pkts...)
	return true
}

// addControl appends p whatever the bound: the engine's own packets (the
// ping) must go out even to a client that is behind.
func (q *outQueue) addControl(p packet.Packet) {
	q.bytes += packetCost(p)
	q.pkts = append(q.pkts, p)
}

// packetCost is what a packet counts against the bound.
func packetCost(p packet.Packet) int { return len(p.Data) + 1 }

// len returns the number of queued packets.
func (q *outQueue) len() int { return len(q.pkts) }

// take removes and returns every queued packet, or nil if none (the queue
// then keeps its arrays). Hand the slice back with recycle once it is
// written.
func (q *outQueue) take() []packet.Packet {
	if len(q.pkts) == 0 {
		return nil
	}
	b := q.pkts
	q.pkts, q.spare, q.bytes = q.spare, nil, 0
	return b
}

// recycle takes back a slice take returned (once, after its packets are
// written): its array is cleared, so the queue holds no written packet,
// and kept for later packets if it is small and the queue holds fewer
// than two arrays. Packets queued while a batch is written go to the
// other array: a busy session alternates between the two.
func (q *outQueue) recycle(b []packet.Packet) {
	if cap(b) == 0 || cap(b) > maxSpareQueue || q.done {
		return // the garbage collector takes it, with its packets
	}
	switch {
	case cap(q.pkts) == 0:
		clear(b[:cap(b)])
		q.pkts = b[:0]
	case q.spare == nil:
		clear(b[:cap(b)])
		q.spare = b[:0]
	}
}

// drop discards every queued packet and the arrays (the session is
// closed); a batch being written when it is called is not kept either.
func (q *outQueue) drop() {
	q.pkts, q.spare, q.bytes, q.done = nil, nil, 0, true
}
