package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// A result line as sio bench soak prints it (-o json): the runner must read
// the soak's keys, or its table would show zeros.
const soakLine = `{"scenario":"soak","server":"gosio","n":300,"k":12,"ops":3600,"op":"delivery","errors":0,"lost":2,"dropped":1,` +
	`"p50_ms":3.3,"p99_ms":9.1,"max_ms":9.9,"min_pings":5,"server_rss_kb":15556,"server_rss_per_conn_kb":16.2,"load_cpu_pct":0.7,` +
	`"soak":{"broadcast_interval_s":1,"delivery_bound_s":10,"connect_s":0.06,"broadcasts":12,"deliveries_expected":3600,` +
	`"deliveries_on_time":3598,"deliveries_late":1,"deliveries_dup":0,"deliveries_stray":0,"p999_ms":9.8,"samples":13,` +
	`"rss_start_kb":15132,"rss_end_kb":15556,"rss_max_kb":15600,"rss_slope_kib_per_min":153.5,` +
	`"rss_slope_2nd_half_kib_per_min":-12.5,"server_cpu_mean_pct":5.7,"server_cpu_max_pct":9,"load_cpu_max_pct":2,"min_alive":299}}`

func TestSoakRowFromSioBench(t *testing.T) {
	var r row
	if err := json.Unmarshal([]byte(soakLine), &r); err != nil {
		t.Fatal(err)
	}
	if r.Soak == nil {
		t.Fatal("no soak part")
	}
	k := r.Soak
	if k.Broadcasts != 12 || k.OnTime != 3598 || k.Expected != 3600 || k.Late != 1 || k.RSSStartKB != 15132 ||
		k.RSSEndKB != 15556 || k.RSSMaxKB != 15600 || k.RSSSlope != 153.5 || k.RSSSlope2nd != -12.5 || k.CPUMean != 5.7 || r.MaxMs != 9.9 {
		t.Fatalf("soak part %+v, max %v", *k, r.MaxMs)
	}
	r.ID, r.Server, r.Round = "soak15k", "gosio", 1
	var b bytes.Buffer
	soakReport(&b, []row{r}, []scenario{soak15k("64")}, []server{{name: "gosio"}})
	out := b.String()
	for _, want := range []string{"| gosio | 1 | 300 | 1 | 5 | 12 | 3598 / 3600 | 2 (1) | 0 |", "| 14.8 | 15.2 | 15.2 | +154 (-12) |"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	soakTarget(&b, []row{r}, soak15k("64"))
	if !strings.Contains(b.String(), "| **no** |") {
		t.Errorf("a run with a drop and lost deliveries passes:\n%s", b.String())
	}
}
