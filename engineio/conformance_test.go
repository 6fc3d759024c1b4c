package engineio

// One test per test of the official Engine.IO v4 protocol suite
// (socketio/socket.io docs/engine.io-protocol/v4-test-suite), checking the
// same behaviour against the same fixture configuration.

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

func TestSuiteHandshakePollingOpensSession(t *testing.T) {
	ts := startServer(t, suiteOptions())
	code, body := httpDo(t, "GET", ts.url+"?EIO=4&transport=polling", "")
	if code != 200 || !strings.HasPrefix(body, "0") {
		t.Fatalf("got %d %q", code, body)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(body[1:]), &v); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"}) {
		t.Fatalf("keys %v", keys)
	}
	if sid, _ := v["sid"].(string); len(sid) != 20 {
		t.Errorf("sid %q", v["sid"])
	}
	if up, _ := json.Marshal(v["upgrades"]); string(up) != `["websocket"]` {
		t.Errorf("upgrades %s", up)
	}
	if v["pingInterval"] != 300.0 || v["pingTimeout"] != 200.0 || v["maxPayload"] != 1e6 {
		t.Errorf("timings %v %v %v", v["pingInterval"], v["pingTimeout"], v["maxPayload"])
	}
	// The exact key order of the reference.
	if !strings.HasPrefix(body, `0{"sid":"`) || !strings.HasSuffix(body, `,"upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}`) {
		t.Errorf("open packet %q", body)
	}
}

func TestSuiteHandshakePollingInvalidEIO(t *testing.T) {
	ts := startServer(t, suiteOptions())
	for _, q := range []string{"?transport=polling", "?EIO=abc&transport=polling"} {
		code, body := httpDo(t, "GET", ts.url+q, "")
		if code != 400 || body != `{"code":5,"message":"Unsupported protocol version"}` {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
	if n := ts.ClientsCount(); n != 0 {
		t.Errorf("sessions %d", n)
	}
}

func TestSuiteHandshakePollingInvalidTransport(t *testing.T) {
	ts := startServer(t, suiteOptions())
	for _, q := range []string{"?EIO=4", "?EIO=4&transport=abc"} {
		code, body := httpDo(t, "GET", ts.url+q, "")
		if code != 400 || body != `{"code":0,"message":"Transport unknown"}` {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
}

func TestSuiteHandshakePollingInvalidMethod(t *testing.T) {
	ts := startServer(t, suiteOptions())
	for _, m := range []string{"POST", "PUT"} {
		code, body := httpDo(t, m, ts.url+"?EIO=4&transport=polling", "")
		if code != 400 || body != `{"code":2,"message":"Bad handshake method"}` {
			t.Errorf("%s: %d %s", m, code, body)
		}
	}
}

func TestSuiteHandshakeWebSocketOpensSession(t *testing.T) {
	ts := startServer(t, suiteOptions())
	c := mustDialWS(t, ts.ws+"?EIO=4&transport=websocket")
	msg, op := c.read()
	if op != ws.OpText || !strings.HasPrefix(msg, "0{") {
		t.Fatalf("first frame %v %q", op, msg)
	}
	var v struct {
		SID      string   `json:"sid"`
		Upgrades []string `json:"upgrades"`
	}
	json.Unmarshal([]byte(msg[1:]), &v)
	if len(v.SID) != 20 || v.Upgrades == nil || len(v.Upgrades) != 0 {
		t.Fatalf("open %q", msg)
	}
}

func TestSuiteHandshakeWebSocketInvalid(t *testing.T) {
	ts := startServer(t, suiteOptions())
	for _, q := range []string{"?transport=websocket", "?EIO=abc&transport=websocket", "?EIO=4", "?EIO=4&transport=abc"} {
		c, err := dialWS(t, ts.ws+q)
		if err != nil {
			continue // refused before the 101: closed
		}
		c.expectClosed(time.Second)
	}
}

func TestSuiteMessagePollingOneTextPacket(t *testing.T) {
	ts := startServer(t, suiteOptions())
	sid := ts.openPolling(t)
	if code, body := ts.post(t, sid, "4hello"); code != 200 || body != "ok" {
		t.Fatalf("post %d %q", code, body)
	}
	if code, body := ts.poll(t, sid); code != 200 || body != "4hello" {
		t.Fatalf("poll %d %q", code, body)
	}
}

func TestSuiteMessagePollingSeveralTextPackets(t *testing.T) {
	ts := startServer(t, suiteOptions())
	sid := ts.openPolling(t)
	if code, _ := ts.post(t, sid, "4test1\x1e4test2\x1e4test3"); code != 200 {
		t.Fatal(code)
	}
	if code, body := ts.poll(t, sid); code != 200 || body != "4test1\x1e4test2\x1e4test3" {
		t.Fatalf("poll %d %q", code, body)
	}
}

func TestSuiteMessagePollingTextAndBinary(t *testing.T) {
	ts := startServer(t, suiteOptions())
	sid := ts.openPolling(t)
	if code, _ := ts.post(t, sid, "4hello\x1ebAQIDBA=="); code != 200 {
		t.Fatal(code)
	}
	if code, body := ts.poll(t, sid); code != 200 || body != "4hello\x1ebAQIDBA==" {
		t.Fatalf("poll %d %q", code, body)
	}
}

func TestSuiteMessagePollingInvalidPacket(t *testing.T) {
	ts := startServer(t, suiteOptions())
	sid := ts.openPolling(t)
	if code, _ := ts.post(t, sid, "abc"); code != 400 {
		t.Fatalf("post abc: %d", code)
	}
	if code, _ := ts.poll(t, sid); code != 400 {
		t.Fatalf("poll after parse error: %d", code)
	}
}

func TestSuiteMessagePollingDuplicatePoll(t *testing.T) {
	ts := startServer(t, suiteOptions())
	sid := ts.openPolling(t)
	var wg sync.WaitGroup
	var first struct {
		code int
		body string
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		first.code, first.body = ts.poll(t, sid)
	}()
	waitFor(t, func() bool { s := ts.Socket(sid); return s != nil && s.pollHeld() })
	code, _ := httpDo(t, "GET", ts.url+"?EIO=4&transport=polling&sid="+sid+"&t=burst", "")
	wg.Wait()
	if first.code != 200 || first.body != "1" {
		t.Errorf("first poll %d %q, want 200 \"1\"", first.code, first.body)
	}
	if code != 400 && code != 500 {
		t.Errorf("second poll %d", code)
	}
	if code, _ := ts.poll(t, sid); code != 400 {
		t.Errorf("next poll %d", code)
	}
}

func TestSuiteMessagePollingCancelledPoll(t *testing.T) {
	ts := startServer(t, suiteOptions())
	sid := ts.openPolling(t)
	req, _ := http.NewRequest("GET", ts.url+"?EIO=4&transport=polling&sid="+sid, nil)
	ctx, cancel := contextWithTimeout(50 * time.Millisecond)
	defer cancel()
	if _, err := http.DefaultClient.Do(req.WithContext(ctx)); err == nil {
		t.Fatal("poll should have been cancelled")
	}
	waitFor(t, func() bool { return ts.Socket(sid) == nil })
	if code, _ := ts.poll(t, sid); code != 400 {
		t.Errorf("next poll %d", code)
	}
}

func TestSuiteMessageWebSocketText(t *testing.T) {
	ts := startServer(t, suiteOptions())
	c := mustDialWS(t, ts.ws+"?EIO=4&transport=websocket")
	c.read()
	c.send("4hello")
	if msg, op := c.read(); msg != "4hello" || op != ws.OpText {
		t.Fatalf("echo %v %q", op, msg)
	}
}

func TestSuiteMessageWebSocketBinary(t *testing.T) {
	ts := startServer(t, suiteOptions())
	c := mustDialWS(t, ts.ws+"?EIO=4&transport=websocket")
	c.read()
	c.sendBinary([]byte{1, 2, 3, 4})
	if msg, op := c.read(); msg != "\x01\x02\x03\x04" || op != ws.OpBinary {
		t.Fatalf("echo %v %q", op, msg)
	}
}

func TestSuiteMessageWebSocketInvalidPacket(t *testing.T) {
	ts := startServer(t, suiteOptions())
	c := mustDialWS(t, ts.ws+"?EIO=4&transport=websocket")
	c.read()
	c.send("abc")
	c.expectClosed(time.Second)
}

func TestSuiteHeartbeatPolling(t *testing.T) {
	ts := startServer(t, suiteOptions())
	sid := ts.openPolling(t)
	for i := 0; i < 3; i++ {
		if code, body := ts.poll(t, sid); code != 200 || body != "2" {
			t.Fatalf("round %d: poll %d %q", i, code, body)
		}
		if code, _ := ts.post(t, sid, "3"); code != 200 {
			t.Fatalf("round %d: pong %d", i, code)
		}
	}
}

func TestSuiteHeartbeatPollingTimeout(t *testing.T) {
	ts := startServer(t, suiteOptions())
	sid := ts.openPolling(t)
	time.Sleep(600 * time.Millisecond) // > pingInterval + pingTimeout
	if code, _ := ts.poll(t, sid); code != 400 {
		t.Fatalf("poll after timeout %d", code)
	}
}

func TestSuiteHeartbeatWebSocket(t *testing.T) {
	ts := startServer(t, suiteOptions())
	c := mustDialWS(t, ts.ws+"?EIO=4&transport=websocket")
	c.read()
	for i := 0; i < 3; i++ {
		if msg, _ := c.read(); msg != "2" {
			t.Fatalf("round %d: %q", i, msg)
		}
		c.send("3")
	}
}

func TestSuiteHeartbeatWebSocketTimeout(t *testing.T) {
	ts := startServer(t, suiteOptions())
	c := mustDialWS(t, ts.ws+"?EIO=4&transport=websocket")
	c.read()
	c.expectClosed(2 * time.Second)
}

func TestSuiteClosePolling(t *testing.T) {
	ts := startServer(t, suiteOptions())
	sid := ts.openPolling(t)
	done := make(chan string)
	go func() { _, body := ts.poll(t, sid); done <- body }()
	waitFor(t, func() bool { s := ts.Socket(sid); return s != nil && s.pollHeld() })
	if code, _ := ts.post(t, sid, "1"); code != 200 {
		t.Fatalf("post close %d", code)
	}
	if body := <-done; body != "6" {
		t.Fatalf("held poll got %q, want noop", body)
	}
	if code, _ := ts.poll(t, sid); code != 400 {
		t.Fatalf("next poll %d", code)
	}
}

func TestSuiteCloseWebSocket(t *testing.T) {
	ts := startServer(t, suiteOptions())
	c := mustDialWS(t, ts.ws+"?EIO=4&transport=websocket")
	c.read()
	c.send("1")
	c.expectClosed(time.Second)
}

// upgrade performs the polling handshake and the probe, and returns the sid
// and the upgraded connection; the concurrent poll must be released with
// a noop.
func upgrade(t *testing.T, ts *testServer) (string, *wsClient) {
	sid := ts.openPolling(t)
	c := mustDialWS(t, ts.ws+"?EIO=4&transport=websocket&sid="+sid)
	c.send("2probe")
	if msg, _ := c.read(); msg != "3probe" {
		t.Fatalf("probe reply %q", msg)
	}
	if code, body := ts.poll(t, sid); code != 200 || body != "6" {
		t.Fatalf("poll during upgrade %d %q", code, body)
	}
	c.send("5")
	return sid, c
}

func TestSuiteUpgrade(t *testing.T) {
	ts := startServer(t, suiteOptions())
	sid, c := upgrade(t, ts)
	c.send("4hello")
	if msg, _ := c.read(); msg != "4hello" {
		t.Fatalf("echo %q", msg)
	}
	if s := ts.Socket(sid); s == nil || !s.Upgraded() || s.TransportName() != WebSocket {
		t.Fatal("session not upgraded")
	}
}

func TestSuiteUpgradeIgnoresPollingAfterUpgrade(t *testing.T) {
	ts := startServer(t, suiteOptions())
	sid, c := upgrade(t, ts)
	waitFor(t, func() bool { s := ts.Socket(sid); return s != nil && s.Upgraded() })
	code, body := ts.poll(t, sid)
	if code != 400 || body != `{"code":3,"message":"Bad request"}` {
		t.Fatalf("poll after upgrade %d %q", code, body)
	}
	c.send("4hello")
	if msg, _ := c.read(); msg != "4hello" {
		t.Fatalf("echo %q", msg)
	}
}

func TestSuiteUpgradeIgnoresSecondWebSocket(t *testing.T) {
	ts := startServer(t, suiteOptions())
	sid, c := upgrade(t, ts)
	c2, err := dialWS(t, ts.ws+"?EIO=4&transport=websocket&sid="+sid)
	if err == nil {
		c2.expectClosed(time.Second)
	}
	c.send("4hello")
	if msg, _ := c.read(); msg != "4hello" {
		t.Fatalf("echo %q", msg)
	}
}
