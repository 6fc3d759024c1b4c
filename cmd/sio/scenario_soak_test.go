package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	socketio "github.com/gosio/socketio"
)

// A short soak against an in-process gosio bench server (the same
// handlers as bench/server): every delivery accounted for, pings seen, the
// series written.
func TestSoakAgainstGosio(t *testing.T) {
	opts := &socketio.Options{}
	opts.Engine.PingInterval = 300 * time.Millisecond
	io := socketio.NewServer(opts)
	io.OnConnection(func(s *socketio.Socket) {
		s.On("broadcast", func(e *socketio.Event) { io.Emit("msg", e.Values()...) })
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: io}
	go hs.Serve(ln)
	defer func() { io.Close(); hs.Close() }()

	series := filepath.Join(t.TempDir(), "soak.csv")
	var out, errb bytes.Buffer
	code := runBench([]string{"soak", "-url", "http://" + ln.Addr().String(), "-n", "20", "-hold", "2s",
		"-warmup", "0", "-pid", strconv.Itoa(os.Getpid()), "-series", series, "-o", "json", "-progress=false"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d, stdout %s, stderr %s", code, out.String(), errb.String())
	}
	var r result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	k := r.Soak
	if k == nil || k.Broadcasts != 2 || k.Expected != 40 || k.OnTime != 40 || r.Lost != 0 || r.Dropped != 0 || k.Dup != 0 || k.Stray != 0 {
		t.Fatalf("result %+v, soak %+v", r, k)
	}
	if r.MinPings < 3 {
		t.Errorf("fewest pings %d, want at least 3 in 2 s at 300 ms", r.MinPings)
	}
	if k.RSSStartKB <= 0 || k.RSSMaxKB < k.RSSEndKB || r.P99Ms <= 0 || r.MaxMs < r.P99Ms {
		t.Errorf("figures: rss %d/%d/%d p99 %v max %v", k.RSSStartKB, k.RSSEndKB, k.RSSMaxKB, r.P99Ms, r.MaxMs)
	}
	f, err := os.Open(series)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Header, one sample per broadcast, the final sample.
	if len(recs) != 4 || recs[1][10] != "0" || recs[1][11] != "20" || recs[3][10] != "-1" {
		t.Fatalf("series %q", recs)
	}
}

func TestSoakFlags(t *testing.T) {
	for _, args := range [][]string{
		{"soak", "-hold", "500ms"},
		{"soak", "-hold", "2m", "-timeout", "1m"},
	} {
		var out, errb bytes.Buffer
		if code := runBench(args, &out, &errb); code != 2 {
			t.Errorf("%q: exit %d, want 2 (stderr %s)", args, code, errb.String())
		}
	}
	c := benchConfig{scenario: "soak", url: "http://127.0.0.1:1", client: "raw", output: "json", warmup: -1, size: 64, opTimeout: 10 * time.Second}
	if err := c.finish(); err != nil {
		t.Fatal(err)
	}
	if c.n != 15000 || c.hold != 10*time.Minute || c.timeout != 15*time.Minute {
		t.Errorf("soak defaults: n %d hold %v timeout %v", c.n, c.hold, c.timeout)
	}
	c = benchConfig{scenario: "idle", url: "http://127.0.0.1:1", client: "raw", output: "json", warmup: -1, size: 64, opTimeout: 10 * time.Second}
	if err := c.finish(); err != nil || c.hold != 10*time.Second || c.timeout != 5*time.Minute {
		t.Errorf("idle defaults: hold %v timeout %v (%v)", c.hold, c.timeout, err)
	}
}
