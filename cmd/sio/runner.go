// The runner of one bench scenario: dialing clients, progress, errors and
// the CPU and latency measurements every scenario shares.

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// bench runs one scenario.
type bench struct {
	cfg    benchConfig
	stderr io.Writer
	hc     *http.Client

	phase    atomic.Value // string
	done     atomic.Int64
	total    atomic.Int64
	errCount atomic.Int64
	firstErr atomic.Value // string
}

// benchConn is one connected Socket.IO client.
type benchConn interface {
	echo(ctx context.Context, p *payload) error
	emit(event, arg string) error
	close()
	dropped() bool
	pings() int
}

// payload is an echo argument in the forms the clients need.
type payload struct {
	str  string // the Go string
	req  []byte // `["echo","<str>"]`
	want []byte // `["<str>"]`
}

func newPayload(size int) *payload {
	s := strings.Repeat("x", size)
	return &payload{str: s, req: []byte(`["echo","` + s + `"]`), want: []byte(`["` + s + `"]`)}
}

func (b *bench) noteErr(err error) {
	if err == nil {
		return
	}
	b.errCount.Add(1)
	b.firstErr.CompareAndSwap(nil, err.Error())
}

func (b *bench) setPhase(name string, total int) {
	b.phase.Store(name)
	b.done.Store(0)
	b.total.Store(int64(total))
}

// dial connects one client over the scenario's transport.
func (b *bench) dial(ctx context.Context, onMsg func(int)) (benchConn, error) {
	transport := "websocket"
	if b.cfg.scenario == "polling" {
		transport = "polling"
	}
	if b.cfg.client == "gosio" {
		return dialGosio(ctx, b.cfg.base, b.cfg.path, transport, b.cfg.opTimeout, onMsg)
	}
	if transport == "polling" {
		return dialRawPolling(ctx, b.hc, b.cfg.base, b.cfg.path)
	}
	return dialRawWS(ctx, b.cfg.base, b.cfg.path, b.cfg.opTimeout, onMsg)
}

// dialMany opens n connections, conc at a time; failures are counted as
// errors and leave nil entries. lat, if not nil, gets each handshake time.
func (b *bench) dialMany(ctx context.Context, n, conc int, onMsg func(int), lat []time.Duration) []benchConn {
	conns := make([]benchConn, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(conc, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				c, err := b.dial(ctx, onMsg)
				if err != nil {
					b.noteErr(err)
					continue
				}
				if lat != nil {
					lat[i] = time.Since(t0)
				}
				conns[i] = c
				b.done.Add(1)
			}
		})
	}
	wg.Wait()
	return conns
}

func closeAll(conns []benchConn) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 200)
	for _, c := range conns {
		if c == nil {
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			c.close()
			<-sem
		})
	}
	wg.Wait()
}

func (b *bench) showProgress(ctx context.Context) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	last, lastT := int64(0), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			d := b.done.Load()
			rate := float64(d-last) / now.Sub(lastT).Seconds()
			if d < last {
				rate = 0
			}
			last, lastT = d, now
			phase, _ := b.phase.Load().(string)
			fmt.Fprintf(b.stderr, "sio bench %s: %s %d/%d (%.0f/s), errors %d\n",
				b.cfg.scenario, phase, d, b.total.Load(), rate, b.errCount.Load())
		}
	}
}

func (b *bench) run(ctx context.Context) *result {
	cfg := &b.cfg
	res := &result{
		Scenario: cfg.scenario, Server: cfg.label, Client: cfg.client, Transport: "websocket",
		N: cfg.n, Concurrency: cfg.conc,
	}
	b.phase.Store("starting")
	if cfg.progress {
		pctx, stop := context.WithCancel(ctx)
		defer stop()
		go b.showProgress(pctx)
	}
	if cfg.scenario == "polling" {
		res.Transport = "polling"
		b.hc = &http.Client{
			Timeout: cfg.opTimeout,
			Transport: &http.Transport{
				MaxIdleConns:        2 * cfg.n,
				MaxIdleConnsPerHost: 2 * cfg.n,
				DisableCompression:  true,
				IdleConnTimeout:     30 * time.Second,
			},
		}
		defer b.hc.CloseIdleConnections()
	}
	var err error
	switch cfg.scenario {
	case "connect":
		err = b.connect(ctx, res)
	case "echo", "polling":
		err = b.echo(ctx, res)
	case "broadcast":
		err = b.broadcast(ctx, res)
	case "idle":
		err = b.idle(ctx, res)
	case "soak":
		err = b.soak(ctx, res)
	}
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("run stopped by -timeout %v", cfg.timeout)
	}
	if err != nil {
		res.Error = err.Error()
	}
	res.Errors = b.errCount.Load()
	if s, ok := b.firstErr.Load().(string); ok && res.Error == "" {
		res.Error = "first error: " + s
	}
	if rss, err := procRSS(0); err == nil {
		res.LoadRSSKB = rss
	}
	return res
}

// measure fills the CPU figures of res from m, for ops operations ended at
// end (before the settle wait).
func (b *bench) measure(res *result, m *cpuMeter, start, end time.Time, ops int64) {
	time.Sleep(b.cfg.settle)
	m.stop()
	wall := end.Sub(start)
	res.Ops = ops
	res.ElapsedS = wall.Seconds()
	if wall > 0 {
		res.OpsPerS = float64(ops) / wall.Seconds()
		res.LoadCPUPct = 100 * float64(m.dSelf) / float64(wall)
	}
	// One core for the load tool: near 100% means it, not the server,
	// set the pace.
	res.LoadBottleneck = res.LoadCPUPct >= 90
	if b.cfg.pid > 0 && m.serverErr == nil {
		res.ServerCPUS = m.dSrv.Seconds()
		if ops > 0 {
			res.ServerCPUUsPerOp = float64(m.dSrv) / float64(time.Microsecond) / float64(ops)
		}
		if rss, err := procRSS(b.cfg.pid); err == nil {
			res.ServerRSSKB = rss
		}
	}
}

func setLatency(res *result, lat []time.Duration) {
	s := summarize(lat)
	res.P50Ms, res.P99Ms, res.MaxMs = ms(s.P50), ms(s.P99), ms(s.Max)
}
