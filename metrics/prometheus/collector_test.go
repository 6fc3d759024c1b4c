package sioprom

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/gosio/socketio"
	"github.com/gosio/socketio/client"
	"github.com/gosio/socketio/engineio"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// scrape GETs url and returns each sample of the text format by its
// series ("name{label="value",...}", labels as the registry sorts them).
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, res.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// metricsServer runs io and its collector's registry on 127.0.0.1.
func metricsServer(t *testing.T, io *socketio.Server, opts Options) (url string) {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(New(io, opts))
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	hs := httptest.NewServer(mux)
	t.Cleanup(func() {
		io.Close()
		hs.CloseClientConnections()
		hs.Close()
		http.DefaultClient.CloseIdleConnections()
	})
	return hs.URL
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func connect(t *testing.T, url string, transports []string) *client.Socket {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := client.Connect(ctx, url+"/", &client.Options{Transports: transports, NoReconnection: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Disconnect)
	return s
}

// TestCountersMatchLoad runs a scripted load and checks each metric the
// scrape returns against what the load did.
func TestCountersMatchLoad(t *testing.T) {
	errFail := errors.New("refused")
	io := socketio.NewServer(&socketio.Options{Engine: engineio.Options{MaxBufferedBytes: 64 << 10, PingInterval: time.Minute}})
	var mu sync.Mutex
	sockets := map[string]*socketio.Socket{}
	io.OnConnection(func(s *socketio.Socket) {
		s.Join("room")
		s.Emit("welcome")
		s.On("chat", func(string) {})
		s.On("typing", func() {})
		s.On("fail", func() error { return errFail })
		mu.Lock()
		sockets[s.ID()] = s
		mu.Unlock()
	})
	url := metricsServer(t, io, Options{Events: []string{"chat", "welcome"}})

	// 9 sockets: 4 over WebSocket only, 2 over polling only, 2 that
	// upgrade, and one raw WebSocket client that never reads.
	var clients []*client.Socket
	for _, tr := range [][]string{{"websocket"}, {"websocket"}, {"websocket"}, {"websocket"}, {"polling"}, {"polling"}, nil, nil} {
		clients = append(clients, connect(t, url, tr))
	}
	slow, err := rawDial(url)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.close()
	slowID := slow.connect(t)
	waitFor(t, "9 sockets and 2 upgrades", func() bool {
		p, w := io.Engine().TransportCounts()
		return io.Sockets().SocketsCount() == 9 && p == 2 && w == 7
	})

	for _, c := range clients {
		for range 3 {
			c.Emit("chat", "hi")
		}
		c.Emit("typing")
		c.Emit("typing")
		c.Emit("fail")
	}
	io.To("room").Except(slowID).Emit("news", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, c := range clients {
		c.On("q", func(ack func(string)) { ack("a") })
		mu.Lock()
		s := sockets[c.ID()]
		mu.Unlock()
		if _, err := s.EmitWithAck(ctx, "q"); err != nil {
			t.Fatal(err)
		}
	}
	// The slow consumer: an emit past MaxBufferedBytes.
	mu.Lock()
	sockets[slowID].Emit("big", strings.Repeat("x", 100<<10))
	mu.Unlock()

	// Disconnects: three clients leave, the server closes one.
	for _, c := range clients[:3] {
		c.Disconnect()
	}
	mu.Lock()
	sockets[clients[3].ID()].Disconnect(true)
	mu.Unlock()
	waitFor(t, "4 sockets left", func() bool { return io.Sockets().SocketsCount() == 4 && io.Engine().ClientsCount() == 4 })
	waitFor(t, "every event handled", func() bool {
		m := scrape(t, url+"/metrics")
		return m[`socketio_events_received_total{event="other",namespace="/"}`] == 24
	})

	m := scrape(t, url+"/metrics")
	want := map[string]float64{
		`socketio_connected{namespace="/"}`:                                              4,
		`socketio_connects_total{namespace="/"}`:                                         9,
		`socketio_disconnects_total{namespace="/",reason="client namespace disconnect"}`: 3,
		`socketio_disconnects_total{namespace="/",reason="server namespace disconnect"}`: 1,
		`socketio_disconnects_total{namespace="/",reason="transport error"}`:             1,
		`socketio_events_received_total{event="chat",namespace="/"}`:                     24,
		`socketio_events_received_total{event="other",namespace="/"}`:                    24, // typing ×2 and fail, per client
		`socketio_event_errors_total{namespace="/"}`:                                     8,
		`socketio_events_sent_total{event="welcome",namespace="/"}`:                      9,
		`socketio_events_sent_total{event="other",namespace="/"}`:                        10, // news (one broadcast), q ×8, big
		`socketio_room_joins_total{namespace="/"}`:                                       18, // own room and "room"
		`socketio_room_leaves_total{namespace="/"}`:                                      10,
		`socketio_ack_latency_seconds_count{namespace="/"}`:                              8,
		`socketio_engine_connects_total`:                                                 9,
		`socketio_engine_upgrades_total`:                                                 2,
		`socketio_slow_consumer_drops_total`:                                             1,
		`socketio_engine_disconnects_total{reason="transport error"}`:                    1,
		`socketio_engine_connections{transport="polling"}`:                               2,
		`socketio_engine_connections{transport="websocket"}`:                             2,
	}
	for series, v := range want {
		if got, ok := m[series]; !ok || got != v {
			t.Errorf("%s = %v (present %v), want %v", series, got, ok, v)
		}
	}
	var closed float64
	for series, v := range m {
		if strings.HasPrefix(series, "socketio_engine_disconnects_total{") {
			closed += v
		}
	}
	if closed != 5 {
		t.Errorf("engine disconnects total %v, want 5", closed)
	}
	if m[`socketio_ack_latency_seconds_bucket{namespace="/",le="+Inf"}`] != 8 || m[`socketio_ack_latency_seconds_sum{namespace="/"}`] <= 0 {
		t.Errorf("ack histogram: %v", m)
	}
	for series := range m {
		if strings.Contains(series, `event="typing"`) || strings.Contains(series, `event="q"`) {
			t.Errorf("an event outside the allowlist has its own series: %s", series)
		}
	}
}

// TestBytesMatchWire: packet and byte counters equal what raw WebSocket
// clients wrote and read (data bytes: each frame less its packet type).
func TestBytesMatchWire(t *testing.T) {
	io := socketio.NewServer(&socketio.Options{Engine: engineio.Options{PingInterval: time.Minute}})
	io.OnConnection(func(s *socketio.Socket) {
		s.On("chat", func(msg string) { s.Emit("echo", msg, len(msg)) })
	})
	url := metricsServer(t, io, Options{})

	var inPackets, inBytes, outPackets, outBytes int
	for i := range 3 {
		c, err := rawDial(url)
		if err != nil {
			t.Fatal(err)
		}
		c.connect(t)
		for j := range i + 2 {
			msg := `42["chat","` + strings.Repeat("é", j) + `"]`
			c.send(t, msg)
			got := c.read(t)
			if !strings.HasPrefix(got, `42["echo"`) {
				t.Fatalf("got %q", got)
			}
		}
		in, out := c.sent, c.received
		inPackets += len(in)
		outPackets += len(out)
		for _, f := range in {
			inBytes += len(f) - 1
		}
		for _, f := range out {
			outBytes += len(f) - 1
		}
		c.close()
	}
	waitFor(t, "the sessions to close", func() bool { return io.Engine().ClientsCount() == 0 })
	m := scrape(t, url+"/metrics")
	for series, want := range map[string]int{
		"socketio_received_packets_total": inPackets,
		"socketio_received_bytes_total":   inBytes,
		"socketio_sent_packets_total":     outPackets,
		"socketio_sent_bytes_total":       outBytes,
	} {
		if got := m[series]; got != float64(want) {
			t.Errorf("%s = %v, want %d", series, got, want)
		}
	}
	if m[`socketio_connected{namespace="/"}`] != 0 || m[`socketio_connects_total{namespace="/"}`] != 3 {
		t.Errorf("connected %v, connects %v", m[`socketio_connected{namespace="/"}`], m[`socketio_connects_total{namespace="/"}`])
	}
}

// rawConn is a WebSocket Engine.IO client that records every message
// frame it sends and receives (the open packet and pings aside).
type rawConn struct {
	rw struct {
		io.Reader
		io.Writer
	}
	closer   io.Closer
	sent     []string
	received []string
}

func rawDial(url string) (*rawConn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, br, _, err := ws.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/socket.io/?EIO=4&transport=websocket")
	if err != nil {
		return nil, err
	}
	c := &rawConn{closer: conn}
	c.rw.Reader, c.rw.Writer = conn, conn
	if br != nil {
		c.rw.Reader = io.MultiReader(br, conn)
	}
	return c, nil
}

func (c *rawConn) send(t *testing.T, msg string) {
	t.Helper()
	if err := wsutil.WriteClientText(c.rw.Writer, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	c.sent = append(c.sent, msg)
}

func (c *rawConn) read(t *testing.T) string {
	t.Helper()
	for {
		msg, err := wsutil.ReadServerText(c.rw)
		if err != nil {
			t.Fatal(err)
		}
		if s := string(msg); s != "2" && !strings.HasPrefix(s, "0{") {
			c.received = append(c.received, s)
			return s
		}
	}
}

// connect reads the open packet, joins "/" and returns the socket id.
func (c *rawConn) connect(t *testing.T) string {
	t.Helper()
	if msg, err := wsutil.ReadServerText(c.rw); err != nil || !strings.HasPrefix(string(msg), "0{") {
		t.Fatalf("open packet %q: %v", msg, err)
	}
	c.send(t, "40")
	reply := c.read(t)
	i := strings.Index(reply, `"sid":"`)
	if !strings.HasPrefix(reply, "40{") || i < 0 {
		t.Fatalf("connect reply %q", reply)
	}
	rest := reply[i+7:]
	return rest[:strings.IndexByte(rest, '"')]
}

func (c *rawConn) close() { c.closer.Close() }
