// Scenarios echo and polling: acknowledged round trips.

package main

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// echo: n clients, each m sequential acked round trips.
func (b *bench) echo(ctx context.Context, res *result) error {
	cfg := &b.cfg
	res.M, res.Size, res.OpName = cfg.m, cfg.size, "round trip"
	p := newPayload(cfg.size)
	b.setPhase("connecting", cfg.n)
	conns := b.dialMany(ctx, cfg.n, cfg.conc, nil, nil)
	defer closeAll(conns)
	if b.errCount.Load() > 0 {
		return errors.New("not every client connected")
	}
	// Warm-up, then all clients start together.
	b.setPhase("warm-up", cfg.n*cfg.warmup)
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			for range cfg.warmup {
				if ctx.Err() != nil {
					return
				}
				if err := c.echo(ctx, p); err != nil {
					b.noteErr(err)
					return
				}
				b.done.Add(1)
			}
		})
	}
	wg.Wait()
	b.setPhase("round trips", cfg.n*cfg.m)
	lats := make([][]time.Duration, len(conns))
	var okCount atomic.Int64
	m := startMeter(cfg.pid)
	start := time.Now()
	for i, c := range conns {
		wg.Go(func() {
			lat := make([]time.Duration, 0, cfg.m)
			defer func() { lats[i] = lat }()
			for range cfg.m {
				if ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				if err := c.echo(ctx, p); err != nil {
					b.noteErr(err)
					if errors.Is(err, errClosed) {
						return
					}
					continue
				}
				lat = append(lat, time.Since(t0))
				okCount.Add(1)
				b.done.Add(1)
			}
		})
	}
	wg.Wait()
	end := time.Now()
	b.measure(res, m, start, end, okCount.Load())
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	setLatency(res, all)
	res.Lost = int64(cfg.n*cfg.m) - okCount.Load()
	return nil
}
