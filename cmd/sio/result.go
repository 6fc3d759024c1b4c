// The result of a bench run, printed as a table row and a JSON line.

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// result is one measurement; it is printed as a table row and as a JSON
// line.
type result struct {
	Scenario    string  `json:"scenario"`
	Server      string  `json:"server"`
	Client      string  `json:"client"`
	Transport   string  `json:"transport"`
	N           int     `json:"n"`
	M           int     `json:"m,omitempty"`
	K           int     `json:"k,omitempty"`
	Size        int     `json:"size,omitempty"`
	Concurrency int     `json:"concurrency,omitempty"`
	HoldS       float64 `json:"hold_s,omitempty"`
	Ops         int64   `json:"ops"`
	OpName      string  `json:"op"`
	Errors      int64   `json:"errors"`
	Lost        int64   `json:"lost"`
	Dropped     int64   `json:"dropped"`
	ElapsedS    float64 `json:"elapsed_s"`
	OpsPerS     float64 `json:"ops_per_s"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	MaxMs       float64 `json:"max_ms"`
	MinPings    int     `json:"min_pings,omitempty"`

	ServerCPUS       float64 `json:"server_cpu_s,omitempty"`
	ServerCPUUsPerOp float64 `json:"server_cpu_us_per_op,omitempty"`
	ServerRSSKB      int64   `json:"server_rss_kb,omitempty"`
	ServerRSSBaseKB  int64   `json:"server_rss_base_kb,omitempty"`
	RSSPerConnKB     float64 `json:"server_rss_per_conn_kb,omitempty"`

	LoadCPUPct     float64 `json:"load_cpu_pct"`
	LoadRSSKB      int64   `json:"load_rss_kb"`
	LoadBottleneck bool    `json:"load_bottleneck"`
	Error          string  `json:"error,omitempty"`

	Soak *soakResult `json:"soak,omitempty"`
}

func printResult(w io.Writer, format string, r *result) error {
	if format == "table" || format == "both" {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "scenario\tserver\tclient\top\tops\tops/s\tp50 ms\tp99 ms\terrors\tlost\tdropped\tsrv µs/op\tsrv RSS MB\tload CPU\t")
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%.0f\t%.2f\t%.2f\t%d\t%d\t%d\t%.1f\t%.1f\t%.0f%%\t\n",
			r.Scenario, r.Server, r.Client, r.OpName, r.Ops, r.OpsPerS, r.P50Ms, r.P99Ms,
			r.Errors, r.Lost, r.Dropped, r.ServerCPUUsPerOp, float64(r.ServerRSSKB)/1024, r.LoadCPUPct)
		if err := tw.Flush(); err != nil {
			return err
		}
		if r.Soak != nil {
			printSoak(w, r)
		} else if r.RSSPerConnKB != 0 {
			fmt.Fprintf(w, "server RSS per connection: %.1f KiB (base %.1f MB); fewest pings seen by a connection: %d\n",
				r.RSSPerConnKB, float64(r.ServerRSSBaseKB)/1024, r.MinPings)
		}
		if r.LoadBottleneck {
			fmt.Fprintln(w, "warning: the load tool used at least 90% of its core: it may have set the pace")
		}
		if r.Error != "" {
			fmt.Fprintln(w, "error:", r.Error)
		}
	}
	if format == "json" || format == "both" {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	return nil
}
