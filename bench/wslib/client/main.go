// Command client drives the echo server of ../server. It is written with
// gobwas/ws only, so that every server under test faces the same client.
//
//	-mode load   round trips of small text messages; prints the server's CPU
//	             time per round trip, read from /proc/PID/stat
//	-mode idle   holds many idle connections; prints the server's RSS and
//	             heap+stack growth per connection
//	-mode probe  sends protocol violations; prints how the server reacted
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gobwas/ws"
)

var (
	mode    = flag.String("mode", "load", "load, idle or probe")
	addr    = flag.String("addr", "127.0.0.1:8080", "server address (loopback)")
	pid     = flag.Int("pid", 0, "server process id, for /proc")
	hz      = flag.Int("hz", 100, "clock ticks per second (getconf CLK_TCK)")
	conns   = flag.Int("conns", 50, "connections")
	total   = flag.Int("total", 200000, "round trips in all (load)")
	size    = flag.Int("size", 64, "message size in bytes (load)")
	settle  = flag.Duration("settle", 2*time.Second, "wait before measuring (idle)")
	timeout = flag.Duration("timeout", 120*time.Second, "give up after this long")
)

func main() {
	flag.Parse()
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		log.Fatalf("-addr must be a loopback address, got %q", *addr)
	}
	time.AfterFunc(*timeout, func() { log.Fatal("timeout") })
	switch *mode {
	case "load":
		load()
	case "idle":
		idle()
	case "probe":
		probe()
	default:
		log.Fatalf("unknown -mode %q", *mode)
	}
}

func dial() (net.Conn, io.Reader) {
	conn, br, _, err := ws.Dial(context.Background(), "ws://"+*addr+"/ws")
	if err != nil {
		log.Fatal(err)
	}
	if br != nil {
		return conn, br
	}
	return conn, conn
}

// load: each connection sends a masked text frame and waits for its echo.
func load() {
	payload := bytes.Repeat([]byte("x"), *size)
	// The same masked frame bytes are reused for every message: the server
	// does the same work, and the client spends almost nothing on encoding.
	frame := ws.MustCompileFrame(ws.MaskFrame(ws.NewTextFrame(payload)))
	per := *total / *conns
	type peer struct {
		c net.Conn
		r io.Reader
	}
	peers := make([]peer, *conns)
	for i := range peers {
		c, r := dial()
		if r == c {
			r = bufio.NewReaderSize(c, 4096)
		}
		peers[i] = peer{c, r}
	}
	roundTrips := func(p peer, n int) {
		for range n {
			if _, err := p.c.Write(frame); err != nil {
				log.Fatal(err)
			}
			f, err := ws.ReadFrame(p.r)
			if err != nil {
				log.Fatal(err)
			}
			if f.Header.OpCode != ws.OpText || !bytes.Equal(f.Payload, payload) {
				log.Fatalf("bad echo: %v %q", f.Header.OpCode, f.Payload)
			}
		}
	}
	run := func(n int) time.Duration {
		start := time.Now()
		var wg sync.WaitGroup
		for _, p := range peers {
			wg.Go(func() { roundTrips(p, n) })
		}
		wg.Wait()
		return time.Since(start)
	}
	run(100) // warm up
	t0 := cpuTicks()
	d := run(per)
	t1 := cpuTicks()
	for _, p := range peers {
		closeNow(p.c)
	}
	n := per * *conns
	us := float64(t1-t0) * 1e6 / float64(*hz) / float64(n)
	fmt.Printf("round_trips=%d wall_s=%.2f rt_per_s=%.0f server_cpu_ticks=%d server_cpu_us_per_rt=%.2f\n",
		n, d.Seconds(), float64(n)/d.Seconds(), t1-t0, us)
}

// cpuTicks returns utime+stime of the server process, in clock ticks.
func cpuTicks() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", *pid))
	if err != nil {
		log.Fatal(err)
	}
	// Fields after the parenthesised command name; utime and stime are
	// fields 14 and 15 of the whole line.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

// rssBytes returns the server's VmRSS.
func rssBytes() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", *pid))
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	log.Fatal("no VmRSS")
	return 0
}

type serverStats struct {
	HeapInuse  int64 `json:"heap_inuse"`
	StackInuse int64 `json:"stack_inuse"`
	Goroutines int64 `json:"goroutines"`
	Conns      int64 `json:"conns"`
}

func getStats() serverStats {
	resp, err := http.Get("http://" + *addr + "/stats")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var s serverStats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		log.Fatal(err)
	}
	return s
}

// idle: open -conns connections, leave them idle, and measure the growth.
func idle() {
	// A few connections first, so one-time costs (code paths, pools) are
	// not charged to the measured ones.
	warm := make([]net.Conn, 0, 10)
	for range cap(warm) {
		c, _ := dial()
		warm = append(warm, c)
	}
	time.Sleep(200 * time.Millisecond)
	s0, r0 := getStats(), rssBytes()

	held := make([]net.Conn, *conns)
	var wg sync.WaitGroup
	const workers = 8
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(held); i += workers {
				held[i], _ = dial()
			}
		})
	}
	wg.Wait()
	for getStats().Conns < s0.Conns+int64(*conns) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(*settle)
	s1, r1 := getStats(), rssBytes()

	n := float64(*conns)
	heap, stack := float64(s1.HeapInuse-s0.HeapInuse)/n, float64(s1.StackInuse-s0.StackInuse)/n
	fmt.Printf("conns=%d rss_bytes_per_conn=%.0f heap_stack_bytes_per_conn=%.0f heap=%.0f stack=%.0f goroutines_per_conn=%.2f\n",
		*conns, float64(r1-r0)/n, heap+stack, heap, stack, float64(s1.Goroutines-s0.Goroutines)/n)
	for _, c := range append(held, warm...) {
		closeNow(c)
	}
}

// closeNow closes c with a reset instead of a FIN, so that closed
// connections leave no TIME_WAIT behind to exhaust the ephemeral ports of
// later rounds.
func closeNow(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// probe: one connection per protocol violation; report the reaction.
func probe() {
	text := func(fin bool, op ws.OpCode, p string) ws.Frame {
		return ws.MaskFrame(ws.NewFrame(op, fin, []byte(p)))
	}
	rsv1 := text(true, ws.OpText, "hi")
	rsv1.Header.Rsv = ws.Rsv(true, false, false)
	cases := []struct {
		name   string
		frames []ws.Frame
	}{
		{"valid text (control case)", []ws.Frame{text(true, ws.OpText, "hi")}},
		{"RSV1 set, no extension", []ws.Frame{rsv1}},
		{"unmasked client frame", []ws.Frame{ws.NewTextFrame([]byte("hi"))}},
		{"reserved opcode 0x3", []ws.Frame{text(true, 0x3, "hi")}},
		{"ping with 126-byte payload", []ws.Frame{text(true, ws.OpPing, strings.Repeat("p", 126))}},
		{"fragmented ping (FIN=0)", []ws.Frame{text(false, ws.OpPing, "p")}},
		{"continuation without start", []ws.Frame{text(true, ws.OpContinuation, "hi")}},
		{"invalid UTF-8 text", []ws.Frame{text(true, ws.OpText, "\xff\xfe")}},
		{"ping between fragments (valid)", []ws.Frame{
			text(false, ws.OpText, "h"), text(true, ws.OpPing, "p"), text(true, ws.OpContinuation, "i")}},
		{"text of 1 MiB + 1 (limit 1 MiB)", []ws.Frame{text(true, ws.OpText, strings.Repeat("a", 1<<20+1))}},
	}
	for _, tc := range cases {
		c, r := dial()
		var buf bytes.Buffer
		for _, f := range tc.frames {
			buf.Write(ws.MustCompileFrame(f))
		}
		c.Write(buf.Bytes())
		fmt.Printf("%-34s %s\n", tc.name, reaction(c, r))
		closeNow(c)
	}
}

// reaction reads what the server sends back until it echoes, closes or
// goes quiet.
func reaction(c net.Conn, r io.Reader) string {
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	var seen []string
	for {
		f, err := ws.ReadFrame(r)
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			return strings.Join(append(seen, "no reply"), ", ")
		case err != nil:
			return strings.Join(append(seen, "dropped connection"), ", ")
		}
		switch f.Header.OpCode {
		case ws.OpClose:
			code, _ := ws.ParseCloseFrameData(f.Payload)
			return strings.Join(append(seen, fmt.Sprintf("closed %d", code)), ", ")
		case ws.OpPong:
			seen = append(seen, "pong")
		default:
			p := string(f.Payload)
			if len(p) > 8 {
				p = p[:8] + "..."
			}
			return strings.Join(append(seen, fmt.Sprintf("echoed %q", p)), ", ")
		}
	}
}
