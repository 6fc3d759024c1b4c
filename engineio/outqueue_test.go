package engineio

import (
	"runtime"
	"testing"
	"weak"

	"github.com/gosio/socketio/engineio/packet"
)

func msg(n int) packet.Packet {
	return packet.Packet{Type: packet.Message, Data: make([]byte, n)}
}

func TestOutQueueBound(t *testing.T) {
	q := outQueue{max: 10}
	if !q.add(msg(4)) || !q.add(msg(4)) { // 5 + 5 bytes: exactly the bound
		t.Fatal("packets within the bound refused")
	}
	if q.add(msg(0)) {
		t.Fatal("a packet past the bound accepted")
	}
	if q.len() != 2 || q.bytes != 10 {
		t.Fatalf("after a refused add: %d packets, %d bytes; want 2, 10", q.len(), q.bytes)
	}
	q.take()
	// Several packets are refused together: none of them is queued.
	if q.add(msg(3), msg(8)) {
		t.Fatal("13 bytes accepted under a bound of 10")
	}
	if q.len() != 0 || q.bytes != 0 {
		t.Fatalf("a refused batch left %d packets, %d bytes", q.len(), q.bytes)
	}
	// The engine's own packets pass a full queue, and count.
	q.add(msg(9))
	q.addControl(packet.Packet{Type: packet.Ping})
	if q.len() != 2 || q.bytes != 11 {
		t.Fatalf("after addControl: %d packets, %d bytes; want 2, 11", q.len(), q.bytes)
	}
	if q.add(msg(0)) {
		t.Fatal("accepted past the bound after addControl")
	}
	q.take()
	if !q.add(msg(9)) {
		t.Fatal("the bound is not freed by take")
	}
}

func TestOutQueueBatching(t *testing.T) {
	q := outQueue{max: 1 << 20}
	q.add(msg(1))
	q.add(msg(2), msg(3))
	q.addControl(packet.Packet{Type: packet.Ping})
	b := q.take()
	if len(b) != 4 || len(b[0].Data) != 1 || len(b[1].Data) != 2 || len(b[2].Data) != 3 || b[3].Type != packet.Ping {
		t.Fatalf("take returned %v, want the four packets in order", b)
	}
	if q.len() != 0 || q.bytes != 0 {
		t.Fatalf("after take: %d packets, %d bytes", q.len(), q.bytes)
	}
	if b := q.take(); b != nil {
		t.Fatalf("second take returned %d packets", len(b))
	}
}

// first returns the address of a slice's array, for identity checks.
func first(b []packet.Packet) *packet.Packet { return &b[:1][0] }

func TestOutQueueReusesArrays(t *testing.T) {
	q := outQueue{max: 1 << 20}
	q.add(msg(1), msg(1))
	a := q.take()
	q.recycle(a)
	q.add(msg(1))
	if first(q.pkts) != first(a) {
		t.Fatal("the recycled array is not reused")
	}
	// Packets queued while a batch is being written go to a second array;
	// the two then alternate.
	a = q.take()
	q.add(msg(1)) // during the write of a
	b := q.pkts
	if first(b) == first(a) {
		t.Fatal("packets queued during a write share the array being written")
	}
	q.recycle(a)
	if got := q.take(); first(got) != first(b) {
		t.Fatal("take did not return the second array")
	}
	q.add(msg(1))
	if first(q.pkts) != first(a) {
		t.Fatal("the first array is not reused after the second was taken")
	}
	q.recycle(b)

	// Taking from an empty queue keeps its arrays.
	q.recycle(q.take())
	kept := first(q.pkts[:1])
	if q.take() != nil || cap(q.pkts) == 0 || first(q.pkts[:1]) != kept {
		t.Fatal("take on an empty queue lost its array")
	}

	// A steady session allocates nothing per flush, including the final
	// take that finds the queue empty.
	pkts := []packet.Packet{msg(8), msg(8), msg(8)}
	allocs := testing.AllocsPerRun(100, func() {
		q.add(pkts...)
		w := q.take()
		q.add(pkts[0]) // queued during the write
		q.recycle(w)
		q.recycle(q.take())
		q.recycle(q.take()) // empty
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per flush cycle, want 0", allocs)
	}

	// A burst's large array is not kept.
	q = outQueue{max: 1 << 20}
	for range maxSpareQueue + 1 {
		q.add(msg(1))
	}
	q.recycle(q.take())
	if cap(q.pkts)+cap(q.spare) != 0 {
		t.Fatalf("kept an array of %d packets, bound %d", cap(q.pkts)+cap(q.spare), maxSpareQueue)
	}
}

func TestOutQueueRetainsNoWrittenPacket(t *testing.T) {
	q := outQueue{max: 4 << 20}
	var refs []weak.Pointer[byte]
	queue := func() {
		for range 3 {
			p := msg(1 << 20)
			refs = append(refs, weak.Make(&p.Data[0]))
			q.add(p)
		}
	}
	queue()
	q.recycle(q.take()) // written: kept for reuse, packets cleared
	if cap(q.pkts)+cap(q.spare) == 0 {
		t.Fatal("array not kept for reuse")
	}
	for i, p := range append(q.pkts[:cap(q.pkts)], q.spare[:cap(q.spare)]...) {
		if p.Data != nil {
			t.Fatalf("kept slot %d still holds a packet", i)
		}
	}
	queue()
	writing := q.take()
	q.drop()           // closed while a batch is written
	q.recycle(writing) // the write ends
	writing = nil
	runtime.GC()
	for i, r := range refs {
		if r.Value() != nil {
			t.Fatalf("packet %d is still reachable after its flush or the drop", i)
		}
	}
	if q.pkts != nil || q.spare != nil || q.bytes != 0 {
		t.Fatal("drop left state behind")
	}
}
