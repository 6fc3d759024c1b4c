// Scenario connect: handshakes per second.

package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// connect: handshakes, conc in flight; each connection is closed at once.
func (b *bench) connect(ctx context.Context, res *result) error {
	cfg := &b.cfg
	res.OpName = "handshake"
	if cfg.warmup > 0 {
		b.setPhase("warm-up", cfg.warmup)
		closeAll(b.dialMany(ctx, cfg.warmup, cfg.conc, nil, nil))
		time.Sleep(cfg.settle)
	}
	b.setPhase("connect", cfg.n)
	var okCount atomic.Int64
	var next atomic.Int64
	var mu sync.Mutex
	var samples []time.Duration
	m := startMeter(cfg.pid)
	start := time.Now()
	var wg sync.WaitGroup
	for range min(cfg.conc, cfg.n) {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil {
				if int(next.Add(1)) > cfg.n {
					break
				}
				t0 := time.Now()
				c, err := b.dial(ctx, nil)
				if err != nil {
					b.noteErr(err)
					continue
				}
				mine = append(mine, time.Since(t0))
				okCount.Add(1)
				b.done.Add(1)
				c.close()
			}
			mu.Lock()
			samples = append(samples, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	end := time.Now()
	b.measure(res, m, start, end, okCount.Load())
	setLatency(res, samples)
	return nil
}
