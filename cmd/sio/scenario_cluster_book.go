// The accounting of the cluster scenario: what one receiver process saw
// (receiptBook, receiverReport) and how the parent merges the reports of
// all receivers into lost, duplicate and latency figures (mergeReports).

package main

import (
	"sync/atomic"
	"time"
)

// receiptBook records the "msg" receipts of one receiver process: n
// connections, total broadcasts (warm-up included), sequence numbers
// 0..total-1. record for connection i is called only from that
// connection's reader goroutine, so its row needs no lock; the per
// broadcast counters are atomic.
type receiptBook struct {
	n, total int
	epochNs  int64     // wall clock base (Unix ns) shared with the parent
	recvAt   [][]int64 // [conn][seq]: receipt time in ns since epoch + 1; 0: not received
	got      []atomic.Int64
	dup      atomic.Int64
	// onComplete is called once per broadcast, by the reader goroutine
	// of the delivery that made it complete on every connection.
	onComplete func(seq int)
}

func newReceiptBook(n, total int, epochNs int64, onComplete func(int)) *receiptBook {
	b := &receiptBook{n: n, total: total, epochNs: epochNs, recvAt: make([][]int64, n),
		got: make([]atomic.Int64, total), onComplete: onComplete}
	for i := range b.recvAt {
		b.recvAt[i] = make([]int64, total)
	}
	return b
}

// record notes that connection conn received broadcast seq at wall time
// nowNs (Unix ns). Out of range sequence numbers are ignored; a second
// receipt of the same broadcast on the same connection is a duplicate.
func (b *receiptBook) record(conn, seq int, nowNs int64) {
	if conn < 0 || conn >= b.n || seq < 0 || seq >= b.total {
		return
	}
	row := b.recvAt[conn]
	if row[seq] != 0 {
		b.dup.Add(1)
		return
	}
	row[seq] = max(nowNs-b.epochNs, 0) + 1
	if b.got[seq].Add(1) == int64(b.n) && b.onComplete != nil {
		b.onComplete(seq)
	}
}

// receiverReport is what a receiver process prints when told to stop: one
// JSON line.
type receiverReport struct {
	URL     string `json:"url"`
	Conns   int    `json:"conns"` // connections that connected
	Dropped int    `json:"dropped"`
	Dup     int64  `json:"dup"`
	Errors  int64  `json:"errors"`
	Error   string `json:"error,omitempty"`
	// Got[seq] is the number of connections that received broadcast seq.
	Got []int64 `json:"got"`
	// RecvNs[seq-warmup] holds the receipt times (ns since the epoch) of
	// the measured broadcast seq, one per delivery.
	RecvNs [][]int64 `json:"recv_ns"`
}

// report snapshots the book. Reading the rows races with nothing once the
// connections are closed, which the caller does first.
func (b *receiptBook) report(warmup int) receiverReport {
	r := receiverReport{Dup: b.dup.Load(), Got: make([]int64, b.total)}
	for seq := range b.total {
		r.Got[seq] = b.got[seq].Load()
	}
	for seq := warmup; seq < b.total; seq++ {
		ts := make([]int64, 0, b.n)
		for _, row := range b.recvAt {
			if row[seq] != 0 {
				ts = append(ts, row[seq]-1)
			}
		}
		r.RecvNs = append(r.RecvNs, ts)
	}
	return r
}

// clusterTotals is the merge of every receiver's report.
type clusterTotals struct {
	delivered, lost, dup int64
	dropped              int
	errors               int64
	lat                  []time.Duration
}

// mergeReports adds up the reports of receivers expected to hold n
// connections each, for broadcasts warmup..warmup+k-1 sent at sentNs[seq]
// (ns since the epoch; 0 means never sent: that broadcast counts as lost
// everywhere). Latency is receipt minus send time.
func mergeReports(reports []receiverReport, n, warmup, k int, sentNs []int64) clusterTotals {
	var t clusterTotals
	for _, r := range reports {
		t.dup += r.Dup
		t.dropped += r.Dropped
		t.errors += r.Errors
		for i := range k {
			seq := warmup + i
			var got int64
			if seq < len(r.Got) {
				got = min(r.Got[seq], int64(n))
			}
			if seq >= len(sentNs) || sentNs[seq] == 0 {
				got = 0
			}
			t.delivered += got
			t.lost += int64(n) - got
			if got == 0 || i >= len(r.RecvNs) {
				continue
			}
			for _, ts := range r.RecvNs[i] {
				t.lat = append(t.lat, time.Duration(max(ts-sentNs[seq], 0)))
			}
		}
	}
	return t
}
