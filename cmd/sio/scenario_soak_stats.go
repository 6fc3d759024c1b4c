// The pure bookkeeping of the soak scenario: exact delivery accounting per
// broadcast and receiver, a fixed-size latency histogram, and the least
// squares slope that turns "RSS flat" into a number.

package main

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// deliveryBook accounts for every broadcast of a soak: when it was sent,
// how many receivers had it within the bound, the late, duplicate and stray
// deliveries, and the emit-to-receipt latencies. Its methods may be called
// from any goroutine: markSent from the emitter, receive from each
// receiver's reader goroutine (each with its own receiverSeen).
type deliveryBook struct {
	bound  time.Duration
	sentAt []atomic.Int64 // per broadcast: ns since the start + 1; 0 until sent
	onTime []atomic.Int64 // per broadcast: receivers that had it within bound
	maxLat []atomic.Int64 // per broadcast: slowest first delivery, ns
	late   atomic.Int64   // first deliveries after the bound
	dup    atomic.Int64   // a receiver got a broadcast it already had
	stray  atomic.Int64   // a sequence number out of range or not sent yet
	lat    latencyHist
}

func newDeliveryBook(k int, bound time.Duration) *deliveryBook {
	return &deliveryBook{
		bound:  bound,
		sentAt: make([]atomic.Int64, k),
		onTime: make([]atomic.Int64, k),
		maxLat: make([]atomic.Int64, k),
	}
}

// receiverSeen is one receiver's record of the broadcasts it has had, a
// bit per broadcast. Only that receiver's reader goroutine touches it.
type receiverSeen []uint64

func (b *deliveryBook) newReceiver() receiverSeen {
	return make(receiverSeen, (len(b.sentAt)+63)/64)
}

// markSent records that broadcast seq leaves at at (time since the start).
// It must be called before the broadcast is written, so that no delivery
// can precede it.
func (b *deliveryBook) markSent(seq int, at time.Duration) {
	b.sentAt[seq].Store(int64(at) + 1)
}

// sent reports whether broadcast seq has been sent, and when.
func (b *deliveryBook) sent(seq int) (time.Duration, bool) {
	v := b.sentAt[seq].Load()
	return time.Duration(v - 1), v != 0
}

// receive accounts for one delivery of broadcast seq to the receiver whose
// record is seen, arriving at at (time since the start).
func (b *deliveryBook) receive(seen receiverSeen, seq int, at time.Duration) {
	if seq < 0 || seq >= len(b.sentAt) {
		b.stray.Add(1)
		return
	}
	sentAt, ok := b.sent(seq)
	if !ok {
		b.stray.Add(1)
		return
	}
	word, bit := seq/64, uint64(1)<<(seq%64)
	if seen[word]&bit != 0 {
		b.dup.Add(1)
		return
	}
	seen[word] |= bit
	d := max(at-sentAt, 0)
	b.lat.record(d)
	atomicMax(&b.maxLat[seq], int64(d))
	if d > b.bound {
		b.late.Add(1)
		return
	}
	b.onTime[seq].Add(1)
}

// deliveryTotals is the outcome of the broadcasts sent, for n receivers.
type deliveryTotals struct {
	Sent     int   // broadcasts sent
	Expected int64 // n x Sent
	OnTime   int64 // first deliveries within the bound
	Lost     int64 // Expected - OnTime: never delivered, or only after the bound
	Late     int64 // of Lost, those that came after the bound
	Dup      int64
	Stray    int64
}

func (b *deliveryBook) totals(n int) deliveryTotals {
	var t deliveryTotals
	for seq := range b.sentAt {
		if _, ok := b.sent(seq); !ok {
			continue
		}
		t.Sent++
		t.OnTime += b.onTime[seq].Load()
	}
	t.Expected = int64(n) * int64(t.Sent)
	t.Lost = t.Expected - t.OnTime
	t.Late, t.Dup, t.Stray = b.late.Load(), b.dup.Load(), b.stray.Load()
	return t
}

// complete reports whether every sent broadcast has reached want receivers.
func (b *deliveryBook) complete(want int64) bool {
	for seq := range b.sentAt {
		if _, ok := b.sent(seq); ok && b.onTime[seq].Load() < want {
			return false
		}
	}
	return true
}

func atomicMax(a *atomic.Int64, v int64) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}

// latencyHist is a log-linear histogram of durations in microseconds: exact
// below 128 µs, then 64 buckets per power of two (at most 1/64 relative
// error), up to about 2^40 µs (12 days; longer is clamped). Safe for
// concurrent use; a soak of 9 million deliveries needs no sample slice.
type latencyHist struct {
	counts [histBuckets]atomic.Int64
	n      atomic.Int64
	max    atomic.Int64 // ns, exact
}

const (
	histSubBits = 6
	histMaxExp  = 40 - histSubBits - 1 // largest shift
	histBuckets = (histMaxExp + 2) << histSubBits
)

// histIndex is the bucket of v microseconds.
func histIndex(v uint64) int {
	s := max(bits.Len64(v)-(histSubBits+1), 0)
	if s > histMaxExp {
		return histBuckets - 1
	}
	return s<<histSubBits + int(v>>s)
}

// histUpper is the largest value, in microseconds, of bucket i.
func histUpper(i int) uint64 {
	if i < 2<<histSubBits {
		return uint64(i)
	}
	s := i>>histSubBits - 1
	m := uint64(i - s<<histSubBits)
	return (m+1)<<s - 1
}

func (h *latencyHist) record(d time.Duration) {
	d = max(d, 0)
	h.counts[histIndex(uint64(d/time.Microsecond))].Add(1)
	h.n.Add(1)
	atomicMax(&h.max, int64(d))
}

func (h *latencyHist) count() int64 { return h.n.Load() }

// quantile returns the nearest-rank p-th percentile (0 < p <= 100): the
// upper bound of the bucket that holds it, never above the exact maximum.
// 0 when empty.
func (h *latencyHist) quantile(p float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := max(int64(math.Ceil(p/100*float64(n))), 1)
	var cum int64
	for i := range h.counts {
		cum += h.counts[i].Load()
		if cum >= rank {
			return min(time.Duration(histUpper(i))*time.Microsecond, h.maxLatency())
		}
	}
	return h.maxLatency()
}

func (h *latencyHist) maxLatency() time.Duration { return time.Duration(h.max.Load()) }

// slope returns the least squares slope of ys against xs (dy/dx), and
// false when it is undefined (fewer than two points, or every x equal).
func slope(xs, ys []float64) (float64, bool) {
	n := min(len(xs), len(ys))
	if n < 2 {
		return 0, false
	}
	var mx, my float64
	for i := range n {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxy, sxx float64
	for i := range n {
		dx := xs[i] - mx
		sxy += dx * (ys[i] - my)
		sxx += dx * dx
	}
	if sxx == 0 {
		return 0, false
	}
	return sxy / sxx, true
}
