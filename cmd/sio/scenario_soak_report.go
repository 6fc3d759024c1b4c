// The soak's figures: its part of the result, the RSS summary, the table
// lines and the per-second series file.

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
)

// soakResult is the soak's part of a result (JSON key "soak").
type soakResult struct {
	IntervalS  float64 `json:"broadcast_interval_s"`
	BoundS     float64 `json:"delivery_bound_s"` // a delivery later than this is lost
	ConnectS   float64 `json:"connect_s"`        // time to connect the receivers
	Broadcasts int     `json:"broadcasts"`
	Expected   int64   `json:"deliveries_expected"`
	OnTime     int64   `json:"deliveries_on_time"`
	Late       int64   `json:"deliveries_late"`
	Dup        int64   `json:"deliveries_dup"`
	Stray      int64   `json:"deliveries_stray"`
	P999Ms     float64 `json:"p999_ms"`

	Samples        int     `json:"samples"`
	RSSStartKB     int64   `json:"rss_start_kb"` // first sample of the hold
	RSSEndKB       int64   `json:"rss_end_kb"`   // last sample, after the last broadcast
	RSSMaxKB       int64   `json:"rss_max_kb"`
	RSSSlope       float64 `json:"rss_slope_kib_per_min"`          // least squares over the hold
	RSSSlope2nd    float64 `json:"rss_slope_2nd_half_kib_per_min"` // over its second half
	ServerCPUMean  float64 `json:"server_cpu_mean_pct,omitempty"`  // over the hold
	ServerCPUMax   float64 `json:"server_cpu_max_pct,omitempty"`   // largest one-second sample
	LoadCPUMaxPct  float64 `json:"load_cpu_max_pct"`               // largest one-second sample
	MinAlive       int     `json:"min_alive"`                      // fewest receivers alive at a sample
	ServerWaitMean float64 `json:"server_wait_mean_pct,omitempty"` // waiting for a CPU, over the hold
	ServerWaitMax  float64 `json:"server_wait_max_pct,omitempty"`
	StarvedS       int     `json:"server_starved_s"` // samples where the server waited for a CPU more than half the second
	LoadAvgMin     float64 `json:"loadavg_min"`
	LoadAvgMax     float64 `json:"loadavg_max"`
	Series         string  `json:"series,omitempty"`
}

// fillRSS summarises the server's RSS and CPU over the samples.
func (sr *soakResult) fillRSS(samples []soakSample) {
	sr.Samples = len(samples)
	sr.MinAlive = -1
	var xs, ys []float64
	var cpuSum, waitSum float64
	cpuN := 0
	for i, s := range samples {
		if i == 0 || s.LoadAvg < sr.LoadAvgMin {
			sr.LoadAvgMin = s.LoadAvg
		}
		sr.LoadAvgMax = max(sr.LoadAvgMax, s.LoadAvg)
		if sr.MinAlive < 0 || s.Alive < sr.MinAlive {
			sr.MinAlive = s.Alive
		}
		// CPU time comes in 10 ms ticks: a sample over a short span (the
		// first and the last) says little.
		fullPeriod := s.Period >= soakEvery/2
		if fullPeriod {
			sr.LoadCPUMaxPct = max(sr.LoadCPUMaxPct, s.LoadCPU)
		}
		if s.ServerRSS <= 0 {
			continue
		}
		if len(xs) == 0 {
			sr.RSSStartKB = s.ServerRSS
		}
		if fullPeriod {
			cpuSum += s.ServerCPU
			waitSum += s.ServerWait
			cpuN++
			sr.ServerCPUMax = max(sr.ServerCPUMax, s.ServerCPU)
			sr.ServerWaitMax = max(sr.ServerWaitMax, s.ServerWait)
			if s.ServerWait > 50 {
				sr.StarvedS++
			}
		}
		sr.RSSEndKB = s.ServerRSS
		sr.RSSMaxKB = max(sr.RSSMaxKB, s.ServerRSS)
		xs = append(xs, s.T.Minutes())
		ys = append(ys, float64(s.ServerRSS))
	}
	sr.MinAlive = max(sr.MinAlive, 0)
	if cpuN > 0 {
		sr.ServerCPUMean = cpuSum / float64(cpuN)
		sr.ServerWaitMean = waitSum / float64(cpuN)
	}
	sr.RSSSlope, _ = slope(xs, ys)
	h := len(xs) / 2
	sr.RSSSlope2nd, _ = slope(xs[h:], ys[h:])
}

// printSoak writes the soak's lines under the result table.
func printSoak(w io.Writer, r *result) {
	s := r.Soak
	fmt.Fprintf(w, "soak: %d receivers held %.0f s (connected in %.1f s), fewest pings seen %d, dropped %d, fewest alive %d\n",
		r.N, r.HoldS, s.ConnectS, r.MinPings, r.Dropped, s.MinAlive)
	fmt.Fprintf(w, "broadcasts %d every %.0f s: deliveries %d of %d within %.0f s, lost %d (late %d), duplicate %d, stray %d\n",
		s.Broadcasts, s.IntervalS, s.OnTime, s.Expected, s.BoundS, r.Lost, s.Late, s.Dup, s.Stray)
	fmt.Fprintf(w, "delivery (emit to receipt): p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms\n",
		r.P50Ms, r.P99Ms, s.P999Ms, r.MaxMs)
	if s.RSSStartKB > 0 {
		fmt.Fprintf(w, "server RSS: before connecting %.1f MB, hold start %.1f MB, end %.1f MB, max %.1f MB; slope %+.1f KiB/min (second half %+.1f); %.1f KiB per connection\n",
			mb(r.ServerRSSBaseKB), mb(s.RSSStartKB), mb(s.RSSEndKB), mb(s.RSSMaxKB), s.RSSSlope, s.RSSSlope2nd, r.RSSPerConnKB)
		fmt.Fprintf(w, "server CPU over the hold: mean %.1f%%, max %.0f%% of a core (one-second samples); waiting for a CPU: mean %.1f%%, max %.0f%%, %d s over half the second\n",
			s.ServerCPUMean, s.ServerCPUMax, s.ServerWaitMean, s.ServerWaitMax, s.StarvedS)
	}
	fmt.Fprintf(w, "load tool CPU: mean %.0f%%, max %.0f%% (one-second samples); machine load average %.2f to %.2f\n",
		r.LoadCPUPct, s.LoadCPUMaxPct, s.LoadAvgMin, s.LoadAvgMax)
	if s.Series != "" {
		fmt.Fprintf(w, "series: %s (%d samples)\n", s.Series, s.Samples)
	}
}

func mb(kb int64) float64 { return float64(kb) / 1024 }

// writeSoakSeries writes the per-second samples as CSV.
func writeSoakSeries(path string, samples []soakSample) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "t_s,period_s,server_rss_kib,server_cpu_pct,server_wait_pct,load_cpu_pct,load_wait_pct,load_rss_kib,loadavg1,alive,broadcast,delivered,broadcast_max_ms")
	for _, s := range samples {
		fmt.Fprintf(w, "%.3f,%.3f,%d,%.1f,%.1f,%.1f,%.1f,%d,%.2f,%d,%d,%d,%.2f\n",
			s.T.Seconds(), s.Period.Seconds(), s.ServerRSS, s.ServerCPU, s.ServerWait, s.LoadCPU, s.LoadWait, s.LoadRSS, s.LoadAvg,
			s.Alive, s.Broadcast, s.Delivered, s.BcastMaxMs)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
