// Scenario idle: connections held, their pings and memory.

package main

import (
	"context"
	"time"
)

// idle: n connections held for -hold, answering pings.
func (b *bench) idle(ctx context.Context, res *result) error {
	cfg := &b.cfg
	res.HoldS, res.OpName = cfg.hold.Seconds(), "connection"
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
	b.setPhase("connecting", cfg.n)
	lat := make([]time.Duration, cfg.n)
	m := startMeter(cfg.pid)
	start := time.Now()
	conns := b.dialMany(ctx, cfg.n, cfg.conc, nil, lat)
	defer closeAll(conns)
	connected := 0
	for _, c := range conns {
		if c != nil {
			connected++
		}
	}
	b.setPhase("holding (seconds)", int(cfg.hold.Seconds()))
	holdStart := time.Now()
	for time.Since(holdStart) < cfg.hold && ctx.Err() == nil {
		time.Sleep(min(time.Second, cfg.hold-time.Since(holdStart)))
		b.done.Store(int64(time.Since(holdStart).Seconds()))
	}
	end := time.Now()
	b.measure(res, m, start, end, int64(connected))
	minPings := -1
	for _, c := range conns {
		if c == nil {
			continue
		}
		if c.dropped() {
			res.Dropped++
		}
		if p := c.pings(); minPings < 0 || p < minPings {
			minPings = p
		}
	}
	res.MinPings = max(minPings, 0)
	res.OpsPerS = 0
	if res.ServerRSSKB > 0 && res.ServerRSSBaseKB > 0 && connected > 0 {
		res.RSSPerConnKB = float64(res.ServerRSSKB-res.ServerRSSBaseKB) / float64(connected)
	}
	var hs []time.Duration
	for i, c := range conns {
		if c != nil {
			hs = append(hs, lat[i])
		}
	}
	setLatency(res, hs)
	return nil
}
