package main

import (
	"math"
	"sync"
	"testing"
	"time"
)

func TestSlopeOfALine(t *testing.T) {
	xs := []float64{0, 1, 2, 3, 4}
	ys := []float64{10, 12.5, 15, 17.5, 20}
	got, ok := slope(xs, ys)
	if !ok || math.Abs(got-2.5) > 1e-12 {
		t.Fatalf("slope = %v, %v; want 2.5", got, ok)
	}
	flat := []float64{7, 7, 7, 7, 7}
	if got, ok := slope(xs, flat); !ok || got != 0 {
		t.Fatalf("flat slope = %v, %v; want 0", got, ok)
	}
}

func TestSlopeLeastSquares(t *testing.T) {
	// Symmetric noise around y = -3x + 1 leaves the slope unchanged.
	xs := []float64{0, 1, 2, 3}
	ys := []float64{1 + 1, -2 - 1, -5 - 1, -8 + 1}
	got, ok := slope(xs, ys)
	// By hand: mean x 1.5, mean y -3.5; sxy = -1.5*5.5 + -0.5*0.5 + 0.5*-2.5 + 1.5*-3.5 = -15; sxx = 5.
	if !ok || math.Abs(got-(-3)) > 1e-12 {
		t.Fatalf("slope = %v, %v; want -3", got, ok)
	}
}

func TestSlopeUndefined(t *testing.T) {
	if _, ok := slope([]float64{1}, []float64{2}); ok {
		t.Error("one point: slope defined")
	}
	if _, ok := slope([]float64{3, 3, 3}, []float64{1, 2, 3}); ok {
		t.Error("equal xs: slope defined")
	}
	if _, ok := slope(nil, nil); ok {
		t.Error("no points: slope defined")
	}
}

func TestHistBucketsRoundTrip(t *testing.T) {
	// Every value lands in a bucket whose upper bound is >= it and within
	// 1/64 of it, and the buckets are in order.
	prev := -1
	for _, v := range []uint64{0, 1, 63, 64, 127, 128, 129, 130, 255, 256, 1000, 4095, 4096, 1 << 20, 1<<39 + 12345} {
		i := histIndex(v)
		if i < prev {
			t.Fatalf("index(%d) = %d < index of a smaller value %d", v, i, prev)
		}
		prev = i
		up := histUpper(i)
		if up < v || float64(up-v) > float64(v)/64+1e-9 {
			t.Errorf("v %d: bucket %d upper %d", v, i, up)
		}
		if i > 0 && histUpper(i-1) >= v {
			t.Errorf("v %d: previous bucket's upper %d already covers it", v, histUpper(i-1))
		}
	}
	if i := histIndex(1 << 62); i != histBuckets-1 {
		t.Errorf("huge value: index %d, want the last bucket %d", i, histBuckets-1)
	}
}

func TestHistQuantiles(t *testing.T) {
	var h latencyHist
	if h.quantile(99) != 0 {
		t.Fatal("empty histogram: nonzero quantile")
	}
	for v := 1; v <= 10000; v++ {
		h.record(time.Duration(v) * time.Microsecond)
	}
	within := func(name string, got time.Duration, want time.Duration) {
		t.Helper()
		if got < want || float64(got-want) > float64(want)/64 {
			t.Errorf("%s = %v, want %v (at most 1/64 above)", name, got, want)
		}
	}
	within("p50", h.quantile(50), 5000*time.Microsecond)
	within("p99", h.quantile(99), 9900*time.Microsecond)
	if got := h.quantile(100); got != 10*time.Millisecond {
		t.Errorf("p100 = %v, want the exact max 10ms", got)
	}
	if h.count() != 10000 || h.maxLatency() != 10*time.Millisecond {
		t.Errorf("count %d max %v", h.count(), h.maxLatency())
	}
}

func TestDeliveryBookAccounting(t *testing.T) {
	const bound = time.Second
	b := newDeliveryBook(3, bound)
	r1, r2 := b.newReceiver(), b.newReceiver()
	ms := time.Millisecond

	b.receive(r1, 0, 5*ms) // before broadcast 0 was sent
	b.markSent(0, 10*ms)
	b.markSent(1, 1010*ms)
	b.receive(r1, 0, 12*ms)
	b.receive(r1, 0, 13*ms) // duplicate
	b.receive(r2, 0, 30*ms)
	b.receive(r1, 1, 1015*ms)
	b.receive(r2, 1, 2500*ms) // after the bound: late, so lost
	b.receive(r2, 7, 2600*ms) // out of range
	b.receive(r2, -1, 2600*ms)
	b.receive(r1, 2, 2700*ms) // broadcast 2 never sent

	got := b.totals(2)
	want := deliveryTotals{Sent: 2, Expected: 4, OnTime: 3, Lost: 1, Late: 1, Dup: 1, Stray: 4}
	if got != want {
		t.Fatalf("totals = %+v, want %+v", got, want)
	}
	if b.complete(2) {
		t.Error("complete(2) with broadcast 1 at one receiver")
	}
	if !b.complete(1) {
		t.Error("complete(1) false with every sent broadcast at one receiver at least")
	}
	if b.lat.count() != 4 {
		t.Errorf("latency samples %d, want 4 (first deliveries only)", b.lat.count())
	}
	if d := time.Duration(b.maxLat[1].Load()); d != 1490*ms {
		t.Errorf("broadcast 1 max latency %v, want 1.49s", d)
	}
	if b.lat.maxLatency() != 1490*ms {
		t.Errorf("max latency %v", b.lat.maxLatency())
	}
}

func TestDeliveryBookNeverDelivered(t *testing.T) {
	b := newDeliveryBook(130, time.Second) // more than two bitset words
	recv := make([]receiverSeen, 5)
	for i := range recv {
		recv[i] = b.newReceiver()
	}
	for seq := range 130 {
		b.markSent(seq, time.Duration(seq)*time.Second)
	}
	// Every receiver gets everything except receiver 4, which misses 129.
	var wg sync.WaitGroup
	for i, r := range recv {
		wg.Go(func() {
			for seq := range 130 {
				if i == 4 && seq == 129 {
					continue
				}
				b.receive(r, seq, time.Duration(seq)*time.Second+time.Millisecond)
			}
		})
	}
	wg.Wait()
	got := b.totals(5)
	if got.Sent != 130 || got.Expected != 650 || got.OnTime != 649 || got.Lost != 1 || got.Late != 0 || got.Dup != 0 {
		t.Fatalf("totals %+v", got)
	}
	if b.complete(5) || !b.complete(4) {
		t.Error("complete: want false for 5 receivers, true for 4")
	}
	if q := b.lat.quantile(99); q != time.Millisecond {
		t.Errorf("p99 %v, want 1ms", q)
	}
}

func TestSoakFillRSS(t *testing.T) {
	// RSS grows 60 KiB per minute (1 KiB per second-long sample) for 10
	// samples, with a peak; the last sample spans 20 ms and its CPU figure
	// is left out.
	var samples []soakSample
	for i := range 10 {
		samples = append(samples, soakSample{
			T: time.Duration(i) * time.Second, Period: time.Second,
			ServerRSS: 1000 + int64(i), ServerCPU: 10, LoadCPU: 5, Alive: 100 - i%2,
		})
	}
	samples[0].Period = 0
	samples[4].ServerRSS = 2000
	samples[4].ServerCPU = 30
	samples[4].ServerWait = 70
	samples[5].ServerWait = 40
	samples[3].LoadAvg = 6.5
	samples = append(samples, soakSample{T: 9*time.Second + 20*time.Millisecond, Period: 20 * time.Millisecond,
		ServerRSS: 1009, ServerCPU: 50, LoadCPU: 50, Alive: 98})
	var sr soakResult
	sr.fillRSS(samples)
	if sr.RSSStartKB != 1000 || sr.RSSEndKB != 1009 || sr.RSSMaxKB != 2000 || sr.Samples != 11 || sr.MinAlive != 98 {
		t.Fatalf("summary %+v", sr)
	}
	if sr.StarvedS != 1 || sr.ServerWaitMax != 70 || math.Abs(sr.ServerWaitMean-110/9.0) > 1e-9 || sr.LoadAvgMin != 0 || sr.LoadAvgMax != 6.5 {
		t.Errorf("wait mean %v max %v starved %d, load average %v..%v", sr.ServerWaitMean, sr.ServerWaitMax, sr.StarvedS, sr.LoadAvgMin, sr.LoadAvgMax)
	}
	if sr.ServerCPUMax != 30 || math.Abs(sr.ServerCPUMean-(8*10+30)/9.0) > 1e-9 || sr.LoadCPUMaxPct != 5 {
		t.Errorf("CPU mean %v max %v load max %v; want %v, 30, 5", sr.ServerCPUMean, sr.ServerCPUMax, sr.LoadCPUMaxPct, (8*10+30)/9.0)
	}
	// Without the peak the slope is 60 KiB/min; check the second half
	// (samples 5..10), which excludes the peak.
	if math.Abs(sr.RSSSlope2nd-60) > 0.5 {
		t.Errorf("second-half slope %v KiB/min, want about 60", sr.RSSSlope2nd)
	}
	if sr.RSSSlope == 0 {
		t.Error("whole-hold slope is 0")
	}
}

func TestParseRunWait(t *testing.T) {
	if d, err := parseRunWait("994734 5686401 17\n"); err != nil || d != 5686401 {
		t.Errorf("parseRunWait = %v, %v", d, err)
	}
	for _, bad := range []string{"", "12", "1 x 3"} {
		if _, err := parseRunWait(bad); err == nil {
			t.Errorf("parseRunWait(%q): no error", bad)
		}
	}
	if _, err := procRunWait(0); err != nil {
		t.Errorf("procRunWait(self): %v", err)
	}
}
