// Scenario soak: n WebSocket connections held for -hold through the
// server's ping rounds, with a broadcast every second from one more
// connection; exact delivery accounting and the server's RSS over time.

package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// soakEvery is the broadcast interval of the soak, and its sampling period.
const soakEvery = time.Second

// soakSample is one per-second sample of the hold.
type soakSample struct {
	T          time.Duration // since the start of the hold
	Period     time.Duration // since the previous sample (the CPU figures' span)
	ServerRSS  int64         // KiB, 0 without -pid
	ServerCPU  float64       // % of a core over the last period
	LoadCPU    float64       // % of a core over the last period
	LoadRSS    int64         // KiB
	ServerWait float64       // % of the period the server's threads waited for a CPU
	LoadWait   float64       // the same for the load tool
	LoadAvg    float64       // the machine's one-minute load average
	Alive      int           // receivers not dropped
	Broadcast  int           // sequence number sent at this sample, -1 if none
	Delivered  int64         // receivers that had it within the bound (at the end)
	BcastMaxMs float64       // its slowest delivery (at the end)
}

// soak: the receivers connect (-c in flight), then the hold: each second a
// sample of the server's RSS and CPU, then a broadcast carrying its sequence
// number and send time. After the hold, the tool waits up to -op-timeout
// for the last broadcasts. A delivery is lost unless it reaches its
// receiver within -op-timeout of being sent.
func (b *bench) soak(ctx context.Context, res *result) error {
	cfg := &b.cfg
	res.HoldS, res.Size, res.OpName = cfg.hold.Seconds(), cfg.size, "delivery"
	k := int(cfg.hold / soakEvery)
	res.K = k
	sr := &soakResult{IntervalS: soakEvery.Seconds(), BoundS: cfg.opTimeout.Seconds(), Series: cfg.series}
	res.Soak = sr
	if cfg.warmup > 0 {
		b.setPhase("warm-up", cfg.warmup)
		closeAll(b.dialMany(ctx, cfg.warmup, cfg.conc, nil, nil))
	}
	time.Sleep(time.Second) // let the server settle before the baseline
	if cfg.pid > 0 {
		if rss, err := procRSS(cfg.pid); err == nil {
			res.ServerRSSBaseKB = rss
		}
	}

	t0 := time.Now()
	book := newDeliveryBook(k, cfg.opTimeout)
	b.setPhase("connecting receivers", cfg.n)
	receivers := make([]benchConn, cfg.n)
	connStart := time.Now()
	{
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(cfg.conc, cfg.n) {
			wg.Go(func() {
				for ctx.Err() == nil {
					i := int(next.Add(1)) - 1
					if i >= cfg.n {
						return
					}
					// The handler runs on this receiver's reader goroutine
					// only, which owns seen.
					seen := book.newReceiver()
					c, err := b.dial(ctx, func(seq int) { book.receive(seen, seq, time.Since(t0)) })
					if err != nil {
						b.noteErr(err)
						continue
					}
					receivers[i] = c
					b.done.Add(1)
				}
			})
		}
		wg.Wait()
	}
	defer closeAll(receivers)
	sr.ConnectS = time.Since(connStart).Seconds()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if n := b.errCount.Load(); n > 0 {
		return fmt.Errorf("%d of %d receivers did not connect", n, cfg.n)
	}
	emitter, err := b.dial(ctx, nil)
	if err != nil {
		return fmt.Errorf("emitter: %w", err)
	}
	defer emitter.close()

	alive := func() int {
		n := 0
		for _, c := range receivers {
			if !c.dropped() {
				n++
			}
		}
		return n
	}
	pad := strings.Repeat("x", max(0, cfg.size-25))
	var samples []soakSample
	prevSrv, _ := procCPU(cfg.pid)
	prevSelf, _ := procCPU(0)
	prevSrvWait, _ := procRunWait(cfg.pid)
	prevSelfWait, _ := procRunWait(0)
	prevT := time.Now()
	sample := func(holdStart time.Time, seq int) {
		now := time.Now()
		wall := now.Sub(prevT)
		s := soakSample{T: now.Sub(holdStart), Period: wall, Alive: alive(), Broadcast: seq}
		if cfg.pid > 0 {
			s.ServerRSS, _ = procRSS(cfg.pid)
			if c, err := procCPU(cfg.pid); err == nil && wall > 0 {
				s.ServerCPU = 100 * float64(c-prevSrv) / float64(wall)
				prevSrv = c
			}
		}
		if c, err := procCPU(0); err == nil && wall > 0 {
			s.LoadCPU = 100 * float64(c-prevSelf) / float64(wall)
			prevSelf = c
		}
		if cfg.pid > 0 {
			if w, err := procRunWait(cfg.pid); err == nil && wall > 0 {
				s.ServerWait = 100 * float64(w-prevSrvWait) / float64(wall)
				prevSrvWait = w
			}
		}
		if w, err := procRunWait(0); err == nil && wall > 0 {
			s.LoadWait = 100 * float64(w-prevSelfWait) / float64(wall)
			prevSelfWait = w
		}
		s.LoadRSS, _ = procRSS(0)
		s.LoadAvg = loadAvg1()
		prevT = now
		samples = append(samples, s)
	}

	b.setPhase("holding (broadcasts)", k)
	m := startMeter(cfg.pid)
	holdStart := time.Now()
	prevSrv, _ = procCPU(cfg.pid)
	prevSelf, _ = procCPU(0)
	prevSrvWait, _ = procRunWait(cfg.pid)
	prevSelfWait, _ = procRunWait(0)
	prevT = holdStart
	tick := time.NewTicker(soakEvery)
	var emitErr error
	for seq := 0; seq < k && ctx.Err() == nil; seq++ {
		if seq > 0 {
			select {
			case <-tick.C:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
		}
		sample(holdStart, seq)
		at := time.Since(t0)
		book.markSent(seq, at)
		arg := fmt.Sprintf("%010d:%d:%s", seq, time.Now().UnixMilli(), pad)
		if emitErr = emitter.emit("broadcast", arg); emitErr != nil {
			break
		}
		b.done.Store(int64(seq + 1))
	}
	tick.Stop()
	// The last broadcasts: wait until every live receiver has them, or
	// the bound has passed.
	for deadline := time.Now().Add(cfg.opTimeout); time.Now().Before(deadline) && ctx.Err() == nil; {
		if book.complete(int64(alive())) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	sample(holdStart, -1)
	end := time.Now()
	tot := book.totals(cfg.n)
	b.measure(res, m, holdStart, end, tot.OnTime)
	if emitErr != nil {
		return fmt.Errorf("emitter: %w", emitErr)
	}

	// Receivers.
	minPings := -1
	for _, c := range receivers {
		if c.dropped() {
			res.Dropped++
		}
		if p := c.pings(); minPings < 0 || p < minPings {
			minPings = p
		}
	}
	res.MinPings = max(minPings, 0)
	// Deliveries.
	res.Lost = tot.Lost
	res.Errors += tot.Dup + tot.Stray
	sr.Broadcasts, sr.Expected, sr.OnTime = tot.Sent, tot.Expected, tot.OnTime
	sr.Late, sr.Dup, sr.Stray = tot.Late, tot.Dup, tot.Stray
	res.P50Ms, res.P99Ms, res.MaxMs = ms(book.lat.quantile(50)), ms(book.lat.quantile(99)), ms(book.lat.maxLatency())
	sr.P999Ms = ms(book.lat.quantile(99.9))
	for i := range samples {
		if seq := samples[i].Broadcast; seq >= 0 {
			samples[i].Delivered = book.onTime[seq].Load()
			samples[i].BcastMaxMs = ms(time.Duration(book.maxLat[seq].Load()))
		}
	}
	// Memory over the hold.
	sr.fillRSS(samples)
	if cfg.pid > 0 && res.ServerRSSBaseKB > 0 && sr.RSSStartKB > 0 {
		res.RSSPerConnKB = float64(sr.RSSStartKB-res.ServerRSSBaseKB) / float64(cfg.n)
	}
	if cfg.series != "" {
		if err := writeSoakSeries(cfg.series, samples); err != nil {
			return fmt.Errorf("-series: %w", err)
		}
	}
	if tot.Sent < k {
		return errors.New("hold ended before every broadcast was sent")
	}
	return nil
}
