// The soak scenario in the runner: 15,000 WebSocket connections held for
// 10 minutes through ping rounds with a broadcast every second (sio bench
// soak), its table and its verdict.

package main

import (
	"fmt"
	"io"
	"path/filepath"
	"time"
)

// soakHold and soakPing are the soak's hold and the servers' ping interval:
// 10 s gives 60 ping rounds in the hold (the default, 25 s, gives 24).
const (
	soakHold = 10 * time.Minute
	soakPing = 10 * time.Second
)

func soak15k(size string) scenario {
	return scenario{
		id: "soak15k", bench: "soak",
		args: []string{"-n", "15000", "-hold", soakHold.String(), "-c", "100", "-size", size},
		// gctrace: a Go server logs its heap at each GC to runner.log, so
		// RSS growth can be told apart from the live heap's.
		env:     []string{fmt.Sprintf("PING_INTERVAL_MS=%d", soakPing.Milliseconds()), "GODEBUG=gctrace=1"},
		metric:  "mem",
		timeout: soakHold + 5*time.Minute, // connecting 15,000 and the last broadcasts
	}
}

// soakRow is the soak part of a sio bench result line (its "soak" key).
type soakRow struct {
	ConnectS    float64 `json:"connect_s"`
	Broadcasts  int     `json:"broadcasts"`
	Expected    int64   `json:"deliveries_expected"`
	OnTime      int64   `json:"deliveries_on_time"`
	Late        int64   `json:"deliveries_late"`
	Dup         int64   `json:"deliveries_dup"`
	P999Ms      float64 `json:"p999_ms"`
	RSSStartKB  int64   `json:"rss_start_kb"`
	RSSEndKB    int64   `json:"rss_end_kb"`
	RSSMaxKB    int64   `json:"rss_max_kb"`
	RSSSlope    float64 `json:"rss_slope_kib_per_min"`
	RSSSlope2nd float64 `json:"rss_slope_2nd_half_kib_per_min"`
	CPUMean     float64 `json:"server_cpu_mean_pct"`
	CPUMax      float64 `json:"server_cpu_max_pct"`
	LoadCPUMax  float64 `json:"load_cpu_max_pct"`
	Series      string  `json:"series"`
	WaitMean    float64 `json:"server_wait_mean_pct"`
	StarvedS    int     `json:"server_starved_s"`
	LoadAvgMin  float64 `json:"loadavg_min"`
	LoadAvgMax  float64 `json:"loadavg_max"`
}

func (r *runner) seriesPath(sc scenario, s server, round int) string {
	return filepath.Join(r.bin, fmt.Sprintf("%s-%s-%d.csv", sc.id, s.name, round))
}

func soakBrief(r row) string {
	k := r.Soak
	s := fmt.Sprintf("%d conns, %d broadcasts, dropped %d, min pings %d, lost %d (late %d), dup %d, p50 %.2f ms, p99 %.2f ms; RSS %.1f -> %.1f MB (max %.1f), slope %+.0f KiB/min; server CPU %.1f%%, load CPU %.0f%%; server starved %d s; load average %.1f-%.1f",
		k.Expected/max(int64(k.Broadcasts), 1), k.Broadcasts, r.Dropped, r.MinPings, r.Lost, k.Late, k.Dup, r.P50Ms, r.P99Ms,
		mib(k.RSSStartKB), mib(k.RSSEndKB), mib(k.RSSMaxKB), k.RSSSlope, k.CPUMean, r.LoadCPU, k.StarvedS, k.LoadAvgMin, k.LoadAvgMax)
	if r.Error != "" {
		s += " [" + r.Error + "]"
	}
	return s
}

func mib(kb int64) float64 { return float64(kb) / 1024 }

// soakReport prints one line per soak run (not medians: a soak is long and
// usually run once per server).
func soakReport(w io.Writer, rows []row, scs []scenario, srvs []server) {
	for _, sc := range scs {
		if sc.bench != "soak" {
			continue
		}
		fmt.Fprintf(w, "\n### %s: %s, ping interval %v, a broadcast every second\n\n", sc.id, soakHold, soakPing)
		fmt.Fprintln(w, "| server | round | connections | dropped | min pings | broadcasts | deliveries on time / expected | lost (late) | dup | p50 ms | p99 ms | p99.9 ms | max ms | RSS start MB | RSS end MB | RSS max MB | slope KiB/min (2nd half) | KiB/conn | server CPU mean / max | server waiting for a CPU: mean, s over half | load CPU mean / max | load average |")
		fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
		for _, s := range srvs {
			for _, r := range rows {
				if r.ID != sc.id || r.Server != s.name {
					continue
				}
				if r.Soak == nil {
					fmt.Fprintf(w, "| %s | %d | failed: %s |\n", s.name, r.Round, r.Error)
					continue
				}
				k := r.Soak
				fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d | %d / %d | %d (%d) | %d | %.2f | %.2f | %.2f | %.1f | %.1f | %.1f | %.1f | %+.0f (%+.0f) | %.1f | %.0f%% / %.0f%% | %.0f%%, %d s | %.0f%% / %.0f%% | %.1f-%.1f |\n",
					s.name, r.Round, k.Expected/max(int64(k.Broadcasts), 1), r.Dropped, r.MinPings, k.Broadcasts, k.OnTime, k.Expected,
					r.Lost, k.Late, k.Dup, r.P50Ms, r.P99Ms, k.P999Ms, r.MaxMs, mib(k.RSSStartKB), mib(k.RSSEndKB), mib(k.RSSMaxKB),
					k.RSSSlope, k.RSSSlope2nd, r.PerConn, k.CPUMean, k.CPUMax, k.WaitMean, k.StarvedS, r.LoadCPU, k.LoadCPUMax, k.LoadAvgMin, k.LoadAvgMax)
				if r.Error != "" {
					fmt.Fprintf(w, "\nerror (%s, round %d): %s\n", s.name, r.Round, r.Error)
				}
			}
		}
	}
}

// soakTarget prints the soak's verdict for gosio: none dropped, none lost
// or duplicated, and the RSS slope.
func soakTarget(w io.Writer, rows []row, sc scenario) {
	for _, r := range rows {
		if r.ID != sc.id || r.Server != "gosio" || r.Soak == nil {
			continue
		}
		k := r.Soak
		ok := r.Dropped == 0 && r.Lost == 0 && r.Errors == 0 && r.Error == "" && k.Broadcasts > 0
		fmt.Fprintf(w, "| %s round %d: 15,000 held %v, none dropped, lost or duplicated | dropped %d, lost %d, dup %d, min pings %d | %s |\n",
			sc.id, r.Round, soakHold, r.Dropped, r.Lost, k.Dup, r.MinPings, yes(ok))
		fmt.Fprintf(w, "| %s round %d: broadcast delivery p99 (reported) | %.2f ms (max %.1f ms) | - |\n", sc.id, r.Round, r.P99Ms, r.MaxMs)
		fmt.Fprintf(w, "| %s round %d: RSS flat over the hold (slope, reported) | %+.0f KiB/min, second half %+.0f; start %.1f, end %.1f, max %.1f MB | - |\n",
			sc.id, r.Round, k.RSSSlope, k.RSSSlope2nd, mib(k.RSSStartKB), mib(k.RSSEndKB), mib(k.RSSMaxKB))
	}
}
