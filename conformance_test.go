package socketio

// One test per test of the official Socket.IO v5 suite
// (socketio/socket.io docs/socket.io-protocol/v5-test-suite/test-suite.js),
// against the same fixture configuration (see suiteOptions and
// installFixture), with raw HTTP long-polling and a raw WebSocket client.

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	suitePingInterval = 300 * time.Millisecond
	suitePingTimeout  = 200 * time.Millisecond
)

// suiteEnv starts the suite fixture for a parallel test.
func suiteEnv(t *testing.T) *env {
	t.Parallel()
	var e *env
	t.Cleanup(func() { e.checkNoPanic(t) }) // runs after e.close
	e = newEnv(t, suiteOptions())
	return e
}

func checkOpenPacket(t *testing.T, open string, upgrades []string) {
	t.Helper()
	if !strings.HasPrefix(open, "0") {
		t.Fatalf("open packet %q", open)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(open[1:]), &v); err != nil {
		t.Fatalf("open packet %q: %v", open, err)
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"maxPayload", "pingInterval", "pingTimeout", "sid", "upgrades"}; !slices.Equal(keys, want) {
		t.Fatalf("open packet keys %v, want %v", keys, want)
	}
	if _, ok := v["sid"].(string); !ok {
		t.Fatalf("sid is not a string: %v", v["sid"])
	}
	gotUp, _ := json.Marshal(v["upgrades"])
	wantUp, _ := json.Marshal(upgrades)
	if !bytes.Equal(gotUp, wantUp) {
		t.Fatalf("upgrades %s, want %s", gotUp, wantUp)
	}
	if v["pingInterval"] != 300.0 || v["pingTimeout"] != 200.0 || v["maxPayload"] != 1e6 {
		t.Fatalf("timings %v/%v/%v, want 300/200/1000000", v["pingInterval"], v["pingTimeout"], v["maxPayload"])
	}
}

// ---- Engine.IO protocol: handshake ----

func TestSuiteHandshakePollingOpensSession(t *testing.T) {
	e := suiteEnv(t)
	code, body := e.mustDo(t, "GET", e.url+"?EIO=4&transport=polling", "")
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	checkOpenPacket(t, body, []string{"websocket"})
}

func TestSuiteHandshakePollingInvalidEIO(t *testing.T) {
	e := suiteEnv(t)
	for _, q := range []string{"?transport=polling", "?EIO=abc&transport=polling"} {
		if code, body := e.mustDo(t, "GET", e.url+q, ""); code != 400 {
			t.Errorf("%s: %d %q, want 400", q, code, body)
		}
	}
}

func TestSuiteHandshakePollingInvalidTransport(t *testing.T) {
	e := suiteEnv(t)
	for _, q := range []string{"?EIO=4", "?EIO=4&transport=abc"} {
		if code, body := e.mustDo(t, "GET", e.url+q, ""); code != 400 {
			t.Errorf("%s: %d %q, want 400", q, code, body)
		}
	}
}

func TestSuiteHandshakePollingInvalidMethod(t *testing.T) {
	e := suiteEnv(t)
	for _, m := range []string{"POST", "PUT"} {
		if code, body := e.mustDo(t, m, e.url+"?EIO=4&transport=polling", ""); code != 400 {
			t.Errorf("%s: %d %q, want 400", m, code, body)
		}
	}
}

func TestSuiteHandshakeWebSocketOpensSession(t *testing.T) {
	e := suiteEnv(t)
	c, err := e.dialWS(t, "EIO=4&transport=websocket")
	if err != nil {
		t.Fatal(err)
	}
	msg, bin, err := c.readRaw(2 * time.Second)
	if err != nil || bin {
		t.Fatalf("open packet: %q binary=%v %v", msg, bin, err)
	}
	checkOpenPacket(t, msg, []string{})
	c.close()
}

// expectWSRefused checks that a WebSocket to query is refused or closed.
func expectWSRefused(t *testing.T, e *env, query string) {
	t.Helper()
	c, err := e.dialWS(t, query)
	if err != nil {
		return // the upgrade was refused (HTTP 400): the client sees "close"
	}
	c.expectClosed(t, 2*time.Second)
}

func TestSuiteHandshakeWebSocketInvalidEIO(t *testing.T) {
	e := suiteEnv(t)
	expectWSRefused(t, e, "transport=websocket")
	expectWSRefused(t, e, "EIO=abc&transport=websocket")
}

func TestSuiteHandshakeWebSocketInvalidTransport(t *testing.T) {
	e := suiteEnv(t)
	expectWSRefused(t, e, "EIO=4")
	expectWSRefused(t, e, "EIO=4&transport=abc")
}

// ---- Engine.IO protocol: heartbeat ----

func TestSuiteHeartbeatPollingPingPong(t *testing.T) {
	e := suiteEnv(t)
	sid := e.openPolling(t)
	for i := 0; i < 3; i++ {
		code, body := e.get(t, sid)
		if code != 200 || body != "2" {
			t.Fatalf("poll %d: %d %q, want 200 \"2\"", i, code, body)
		}
		if code, body := e.post(t, sid, "3"); code != 200 {
			t.Fatalf("pong %d: %d %q", i, code, body)
		}
	}
}

func TestSuiteHeartbeatPollingPingTimeout(t *testing.T) {
	e := suiteEnv(t)
	sid := e.openPolling(t)
	// The suite sleeps exactly pingInterval+pingTimeout; two chained
	// timers under -race and parallel tests need a little slack.
	time.Sleep(suitePingInterval + suitePingTimeout + 100*time.Millisecond)
	if code, body := e.get(t, sid); code != 400 {
		t.Fatalf("poll after ping timeout: %d %q, want 400", code, body)
	}
}

func TestSuiteHeartbeatWebSocketPingPong(t *testing.T) {
	e := suiteEnv(t)
	c := e.openWS(t)
	for i := 0; i < 3; i++ {
		msg, _, err := c.readRaw(2 * time.Second)
		if err != nil || msg != "2" {
			t.Fatalf("frame %d: %q %v, want \"2\"", i, msg, err)
		}
		c.send(t, "3")
	}
	c.close()
}

func TestSuiteHeartbeatWebSocketPingTimeout(t *testing.T) {
	e := suiteEnv(t)
	c, err := e.dialWS(t, "EIO=4&transport=websocket")
	if err != nil {
		t.Fatal(err)
	}
	// No pong is ever sent: ping timeout (or connect timeout) closes it.
	c.expectClosed(t, 3*time.Second)
}

// ---- Engine.IO protocol: close ----

func TestSuiteClosePollingForcefully(t *testing.T) {
	e := suiteEnv(t)
	sid := e.openPolling(t)
	type res struct {
		code int
		body string
		err  error
	}
	poll := make(chan res, 1)
	go func() {
		code, body, err := e.do(context.Background(), "GET", e.sidURL(sid), "")
		poll <- res{code, body, err}
	}()
	time.Sleep(20 * time.Millisecond) // the poll is held by the server
	if code, body := e.post(t, sid, "1"); code != 200 {
		t.Fatalf("post close: %d %q", code, body)
	}
	r := <-poll
	if r.err != nil || r.code != 200 || r.body != "6" {
		t.Fatalf("pending poll: %d %q %v, want 200 \"6\"", r.code, r.body, r.err)
	}
	if code, body := e.get(t, sid); code != 400 {
		t.Fatalf("poll after close: %d %q, want 400", code, body)
	}
}

func TestSuiteCloseWebSocketForcefully(t *testing.T) {
	e := suiteEnv(t)
	c := e.openWS(t)
	c.send(t, "1")
	c.expectClosed(t, 2*time.Second)
}

// ---- Engine.IO protocol: upgrade ----

// upgradeSession opens a polling session and upgrades it to WebSocket.
func upgradeSession(t *testing.T, e *env) (string, *wsConn) {
	t.Helper()
	sid := e.openPolling(t)
	c, err := e.dialWS(t, "EIO=4&transport=websocket&sid="+sid)
	if err != nil {
		t.Fatalf("upgrade dial: %v", err)
	}
	c.send(t, "2probe")
	msg, _, err := c.readRaw(2 * time.Second)
	if err != nil || msg != "3probe" {
		t.Fatalf("probe reply %q %v, want \"3probe\"", msg, err)
	}
	c.send(t, "5")
	return sid, c
}

func TestSuiteUpgradeSucceeds(t *testing.T) {
	e := suiteEnv(t)
	_, c := upgradeSession(t, e)
	// The session lives on over WebSocket: it answers a ping.
	msg, _, err := c.readRaw(2 * time.Second)
	if err != nil || msg != "2" {
		t.Fatalf("after upgrade: %q %v, want ping", msg, err)
	}
}

func TestSuiteUpgradeIgnoresPollingAfterUpgrade(t *testing.T) {
	e := suiteEnv(t)
	sid, _ := upgradeSession(t, e)
	time.Sleep(10 * time.Millisecond) // let the server read "5"
	if code, body := e.get(t, sid); code != 400 {
		t.Fatalf("poll after upgrade: %d %q, want 400", code, body)
	}
}

func TestSuiteUpgradeIgnoresSecondWebSocket(t *testing.T) {
	e := suiteEnv(t)
	sid, _ := upgradeSession(t, e)
	time.Sleep(10 * time.Millisecond)
	expectWSRefused(t, e, "EIO=4&transport=websocket&sid="+sid)
}

// ---- Socket.IO protocol: connect ----

func connectAndCheck(t *testing.T, e *env, send, replyPrefix, auth string) {
	t.Helper()
	c := e.openWS(t)
	c.send(t, send)
	msg, _, err := c.readRaw(2 * time.Second)
	if err != nil || !strings.HasPrefix(msg, replyPrefix) {
		t.Fatalf("connect reply %q %v, want prefix %q", msg, err, replyPrefix)
	}
	var hs map[string]any
	if err := json.Unmarshal([]byte(msg[len(replyPrefix):]), &hs); err != nil {
		t.Fatalf("connect reply %q: %v", msg, err)
	}
	if _, ok := hs["sid"].(string); !ok || len(hs) != 1 {
		t.Fatalf("connect reply %q: want exactly a string sid", msg)
	}
	msg, _, err = c.readRaw(2 * time.Second)
	if err != nil || msg != auth {
		t.Fatalf("auth packet %q %v, want %q", msg, err, auth)
	}
}

func TestSuiteConnectMainNamespace(t *testing.T) {
	e := suiteEnv(t)
	connectAndCheck(t, e, "40", "40", `42["auth",{}]`)
}

func TestSuiteConnectMainNamespaceWithPayload(t *testing.T) {
	e := suiteEnv(t)
	connectAndCheck(t, e, `40{"token":"123"}`, "40", `42["auth",{"token":"123"}]`)
}

func TestSuiteConnectCustomNamespace(t *testing.T) {
	e := suiteEnv(t)
	connectAndCheck(t, e, "40/custom,", "40/custom,", `42/custom,["auth",{}]`)
}

func TestSuiteConnectCustomNamespaceWithPayload(t *testing.T) {
	e := suiteEnv(t)
	connectAndCheck(t, e, `40/custom,{"token":"abc"}`, "40/custom,", `42/custom,["auth",{"token":"abc"}]`)
}

func TestSuiteConnectUnknownNamespace(t *testing.T) {
	e := suiteEnv(t)
	c := e.openWS(t)
	c.send(t, "40/random")
	msg, _, err := c.readRaw(2 * time.Second)
	if err != nil || msg != `44/random,{"message":"Invalid namespace"}` {
		t.Fatalf("got %q %v", msg, err)
	}
}

func TestSuiteConnectInvalidHandshake(t *testing.T) {
	e := suiteEnv(t)
	c := e.openWS(t)
	c.send(t, "4abc")
	c.expectClosed(t, 2*time.Second)
}

func TestSuiteConnectNoHandshake(t *testing.T) {
	e := suiteEnv(t)
	c, err := e.dialWS(t, "EIO=4&transport=websocket")
	if err != nil {
		t.Fatal(err)
	}
	c.expectClosed(t, 3*time.Second)
}

// ---- Socket.IO protocol: disconnect ----

// initConnection is the suite's initSocketIOConnection: open a WebSocket,
// connect to "/", read the CONNECT reply and the "auth" packet.
func initConnection(t *testing.T, e *env) *wsConn {
	t.Helper()
	c := e.openWS(t)
	c.send(t, "40")
	for _, p := range []string{"40{", `42["auth"`} {
		msg, _, err := c.readRaw(2 * time.Second)
		if err != nil || !strings.HasPrefix(msg, p) {
			t.Fatalf("got %q %v, want prefix %q", msg, err, p)
		}
	}
	return c
}

func TestSuiteDisconnectMainNamespace(t *testing.T) {
	e := suiteEnv(t)
	c := initConnection(t, e)
	c.send(t, "41")
	msg, _, err := c.readRaw(2 * time.Second)
	if err != nil || msg != "2" {
		t.Fatalf("next frame %q %v, want ping \"2\"", msg, err)
	}
}

func TestSuiteDisconnectCustomNamespace(t *testing.T) {
	e := suiteEnv(t)
	c := initConnection(t, e)
	if msg, _, err := c.readRaw(2 * time.Second); err != nil || msg != "2" {
		t.Fatalf("ping: %q %v", msg, err)
	}
	c.send(t, "3")
	c.send(t, "40/custom")
	for _, p := range []string{"40/custom,{", `42/custom,["auth"`} {
		msg, _, err := c.readRaw(2 * time.Second)
		if err != nil || !strings.HasPrefix(msg, p) {
			t.Fatalf("got %q %v, want prefix %q", msg, err, p)
		}
	}
	c.send(t, "41/custom")
	c.send(t, `42["message","message to main namespace"]`)
	c.expect(t, `42["message-back","message to main namespace"]`)
}

// ---- Socket.IO protocol: message ----

func TestSuiteMessagePlainText(t *testing.T) {
	e := suiteEnv(t)
	c := initConnection(t, e)
	c.send(t, `42["message",1,"2",{"3":[true]}]`)
	c.expect(t, `42["message-back",1,"2",{"3":[true]}]`)
}

// expectBinaryPackets reads three non-ping messages: text then two binary.
func expectBinaryPackets(t *testing.T, c *wsConn, text string) {
	t.Helper()
	want := []struct {
		data string
		bin  bool
	}{{text, false}, {"\x01\x02\x03", true}, {"\x04\x05\x06", true}}
	for i, w := range want {
		msg, bin, err := c.recv(2 * time.Second)
		if err != nil || msg != w.data || bin != w.bin {
			t.Fatalf("packet %d: %q binary=%v %v, want %q binary=%v", i, msg, bin, err, w.data, w.bin)
		}
	}
}

func TestSuiteMessageBinaryAttachments(t *testing.T) {
	e := suiteEnv(t)
	c := initConnection(t, e)
	c.send(t, `452-["message",`+placeholders(2)+`]`)
	c.sendBinary(t, []byte{1, 2, 3})
	c.sendBinary(t, []byte{4, 5, 6})
	expectBinaryPackets(t, c, `452-["message-back",`+placeholders(2)+`]`)
}

func TestSuiteMessagePlainTextWithAck(t *testing.T) {
	e := suiteEnv(t)
	c := initConnection(t, e)
	c.send(t, `42456["message-with-ack",1,"2",{"3":[false]}]`)
	c.expect(t, `43456[1,"2",{"3":[false]}]`)
}

func TestSuiteMessageBinaryWithAck(t *testing.T) {
	e := suiteEnv(t)
	c := initConnection(t, e)
	c.send(t, `452-789["message-with-ack",`+placeholders(2)+`]`)
	c.sendBinary(t, []byte{1, 2, 3})
	c.sendBinary(t, []byte{4, 5, 6})
	expectBinaryPackets(t, c, `462-789[`+placeholders(2)+`]`)
}

func TestSuiteMessageInvalidPacketType(t *testing.T) {
	e := suiteEnv(t)
	c := initConnection(t, e)
	c.send(t, "4abc")
	c.expectClosed(t, 2*time.Second)
}

func TestSuiteMessageInvalidPayload(t *testing.T) {
	e := suiteEnv(t)
	c := initConnection(t, e)
	c.send(t, "42{}")
	c.expectClosed(t, 2*time.Second)
}

func TestSuiteMessageInvalidAckID(t *testing.T) {
	e := suiteEnv(t)
	c := initConnection(t, e)
	c.send(t, `42abc["message-with-ack",1,"2",{"3":[false]}]`)
	c.expectClosed(t, 2*time.Second)
}
