// Scenario broadcast: one emitter, many receivers.

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

// broadcast: one emitter, n receivers, k broadcasts; each broadcast waits
// until every receiver has it (or -op-timeout).
func (b *bench) broadcast(ctx context.Context, res *result) error {
	cfg := &b.cfg
	res.K, res.Size, res.OpName = cfg.k, cfg.size, "delivery"
	total := cfg.warmup + cfg.k
	var t0 = time.Now()
	sentAt := make([]atomic.Int64, total) // ns since t0
	got := make([]atomic.Int64, total)    // deliveries per broadcast
	var dup atomic.Int64
	lats := make([][]time.Duration, cfg.n)
	seen := make([][]bool, cfg.n)
	var idx atomic.Int64
	// Each receiver's handler runs on its reader goroutine only, so its
	// own slices need no lock.
	onMsgFor := func() func(int) {
		i := int(idx.Add(1)) - 1
		seen[i] = make([]bool, total)
		lats[i] = make([]time.Duration, 0, cfg.k)
		return func(seq int) {
			if seq < 0 || seq >= total {
				return
			}
			if seen[i][seq] {
				dup.Add(1)
				return
			}
			seen[i][seq] = true
			if seq >= cfg.warmup {
				lats[i] = append(lats[i], time.Since(t0)-time.Duration(sentAt[seq].Load()))
			}
			got[seq].Add(1)
		}
	}
	b.setPhase("connecting receivers", cfg.n)
	receivers := make([]benchConn, cfg.n)
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
					c, err := b.dial(ctx, onMsgFor())
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
	if b.errCount.Load() > 0 {
		return errors.New("not every receiver connected")
	}
	emitter, err := b.dial(ctx, nil)
	if err != nil {
		return fmt.Errorf("emitter: %w", err)
	}
	defer emitter.close()
	pad := strings.Repeat("x", max(0, cfg.size-12))
	send := func(seq int) bool {
		sentAt[seq].Store(int64(time.Since(t0)))
		if err := emitter.emit("broadcast", fmt.Sprintf("%010d:%s", seq, pad)); err != nil {
			b.noteErr(err)
			return false
		}
		deadline := time.Now().Add(cfg.opTimeout)
		for got[seq].Load() < int64(cfg.n) {
			if time.Now().After(deadline) || ctx.Err() != nil {
				b.noteErr(fmt.Errorf("broadcast %d: %d of %d receivers after %v", seq, got[seq].Load(), cfg.n, cfg.opTimeout))
				return false
			}
			time.Sleep(200 * time.Microsecond)
		}
		b.done.Add(int64(cfg.n))
		return true
	}
	b.setPhase("warm-up", cfg.warmup*cfg.n)
	for seq := range cfg.warmup {
		if !send(seq) {
			return errors.New("warm-up broadcast not delivered")
		}
	}
	b.setPhase("deliveries", cfg.k*cfg.n)
	m := startMeter(cfg.pid)
	start := time.Now()
	for seq := cfg.warmup; seq < total && ctx.Err() == nil; seq++ {
		if !send(seq) {
			break
		}
	}
	end := time.Now()
	var delivered int64
	for seq := cfg.warmup; seq < total; seq++ {
		delivered += got[seq].Load()
	}
	b.measure(res, m, start, end, delivered)
	// Late deliveries are counted once settled; lost is what never came.
	delivered = 0
	for seq := cfg.warmup; seq < total; seq++ {
		delivered += got[seq].Load()
	}
	res.Lost = int64(cfg.n*cfg.k) - delivered
	res.Errors += dup.Load()
	var all []time.Duration
	for _, c := range receivers {
		if c == nil {
			continue
		}
		if c.dropped() {
			res.Dropped++
		}
	}
	for _, l := range lats {
		all = append(all, l...)
	}
	setLatency(res, all)
	return nil
}
