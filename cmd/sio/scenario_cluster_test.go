package main

import (
	"slices"
	"testing"
	"time"
)

func TestReceiptBookCountsDuplicatesAndCompletesOnce(t *testing.T) {
	const epoch = int64(1_000_000)
	var completed []int
	b := newReceiptBook(2, 3, epoch, func(seq int) { completed = append(completed, seq) })
	b.record(0, 1, epoch+500)
	b.record(0, 1, epoch+600) // duplicate on the same connection
	b.record(1, 1, epoch+700) // completes broadcast 1
	b.record(1, 1, epoch+800) // duplicate after completion: no second callback
	b.record(0, 2, epoch+900)
	b.record(0, 3, epoch)   // out of range: ignored
	b.record(2, 0, epoch)   // no such connection: ignored
	b.record(1, 0, epoch-5) // before the epoch: clamped to 0, still received
	if !slices.Equal(completed, []int{1}) {
		t.Fatalf("completed %v, want [1]", completed)
	}
	r := b.report(1)
	if r.Dup != 2 || !slices.Equal(r.Got, []int64{1, 2, 1}) {
		t.Fatalf("dup %d got %v, want 2 [1 2 1]", r.Dup, r.Got)
	}
	if len(r.RecvNs) != 2 || !slices.Equal(r.RecvNs[0], []int64{500, 700}) || !slices.Equal(r.RecvNs[1], []int64{900}) {
		t.Fatalf("recv %v, want [[500 700] [900]]", r.RecvNs)
	}
	if b.recvAt[1][0] != 1 { // received at 0 ns since the epoch
		t.Fatalf("clamped receipt stored as %d", b.recvAt[1][0])
	}
}

func TestMergeReportsLostDupAndLatency(t *testing.T) {
	// 2 receivers of 2 connections, 1 warm-up broadcast, 2 measured.
	sent := []int64{10, 1000, 2000}
	reports := []receiverReport{
		{Got: []int64{2, 2, 2}, Dup: 1, RecvNs: [][]int64{{1500, 1100}, {2300, 2100}}},
		{Got: []int64{2, 1, 2}, Dropped: 1, Errors: 3, RecvNs: [][]int64{{1200}, {2400, 1990}}},
	}
	m := mergeReports(reports, 2, 1, 2, sent)
	if m.delivered != 7 || m.lost != 1 || m.dup != 1 || m.dropped != 1 || m.errors != 3 {
		t.Fatalf("delivered %d lost %d dup %d dropped %d errors %d, want 7 1 1 1 3", m.delivered, m.lost, m.dup, m.dropped, m.errors)
	}
	slices.Sort(m.lat)
	want := []time.Duration{500, 100, 300, 100, 200, 400, 0} // 1990 before its send: 0
	slices.Sort(want)
	if !slices.Equal(m.lat, want) {
		t.Fatalf("latencies %v, want %v", m.lat, want)
	}
}

func TestMergeReportsUnsentAndShortReports(t *testing.T) {
	// Broadcast 2 was never sent (the run stopped): lost on every
	// connection even if a report claims it; a short report loses the rest.
	sent := []int64{5, 0}
	reports := []receiverReport{
		{Got: []int64{3, 3}, RecvNs: [][]int64{{6, 7, 8}, {9, 9, 9}}},
		{Got: []int64{5}, RecvNs: [][]int64{{6, 6, 6}}}, // more than n: capped
		{},
	}
	m := mergeReports(reports, 3, 0, 2, sent)
	if m.delivered != 6 || m.lost != 12 {
		t.Fatalf("delivered %d lost %d, want 6 12", m.delivered, m.lost)
	}
	if len(m.lat) != 6 {
		t.Fatalf("%d latencies, want 6", len(m.lat))
	}
}

func TestClusterConfigChecks(t *testing.T) {
	ok := clusterConfig{path: "/socket.io/", n: 10, k: 5, size: 64, conc: 5, opTimeout: time.Second, timeout: time.Minute, output: "json"}
	c := ok
	if err := c.finish("http://127.0.0.1:1, ws://localhost:2/x", "11,12"); err != nil {
		t.Fatal(err)
	}
	if len(c.urls) != 2 || !slices.Equal(c.pids, []int{11, 12}) {
		t.Fatalf("urls %v pids %v", c.urls, c.pids)
	}
	for _, bad := range [][2]string{
		{"http://10.0.0.1:3000", ""},  // not loopback
		{"", ""},                      // no node
		{"http://127.0.0.1:1", "1,2"}, // pids do not match
		{"https://127.0.0.1:1", ""},   // TLS
		{"http://127.0.0.1", ""},      // no port
		{"http://127.0.0.1:1", "x"},   // bad pid
	} {
		c := ok
		if err := c.finish(bad[0], bad[1]); err == nil {
			t.Errorf("finish(%q, %q) accepted", bad[0], bad[1])
		}
	}
	if _, p, _ := nodeBase("ws://localhost:2/x", "/socket.io/"); p != "/x/" {
		t.Errorf("path %q, want /x/", p)
	}
}
