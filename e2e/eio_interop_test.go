package e2e

// Interop tests of the engineio server against the official npm
// engine.io-client (version pinned in package.json), driven through
// js/eio-client.mjs. Each test runs its own server on 127.0.0.1 and its own
// node process.

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"
)

var b64 = base64.StdEncoding.DecodeString

// Transport modes of the per-transport tests.
const (
	modePolling   = "polling"   // transports: ["polling"]
	modeWebSocket = "websocket" // transports: ["websocket"]
	modeUpgraded  = "upgraded"  // polling, then upgraded to WebSocket
)

var allModes = []string{modePolling, modeWebSocket, modeUpgraded}

// clientOptions returns the script options for a mode.
func clientOptions(mode string) map[string]any {
	switch mode {
	case modePolling:
		return map[string]any{"transports": []string{"polling"}}
	case modeWebSocket:
		return map[string]any{"transports": []string{"websocket"}}
	default:
		return map[string]any{"transports": []string{"polling", "websocket"}}
	}
}

// connect starts a client in mode against ts and waits until the session
// is established on both sides (and upgraded, for modeUpgraded). extra
// overrides script options.
func connect(t *testing.T, ts *testServer, mode string, extra map[string]any) (*jsClient, *serverConn) {
	t.Helper()
	opts := clientOptions(mode)
	for k, v := range extra {
		opts[k] = v
	}
	c := startClient(t, ts, opts)
	first := modePolling
	if mode == modeWebSocket {
		first = modeWebSocket
	}
	open := c.expectOpen(first)
	sc := ts.accept(t, 2*time.Second)
	if open.SID != sc.s.ID() {
		t.Fatalf("client sid %q, server sid %q", open.SID, sc.s.ID())
	}
	if mode == modeUpgraded {
		waitUpgrade(t, c, sc)
	}
	return c, sc
}

// waitUpgrade waits for the client's upgrade event and for the server
// session to report the upgrade.
func waitUpgrade(t *testing.T, c *jsClient, sc *serverConn) {
	t.Helper()
	ev, skipped := c.waitFor("upgrade", 3*time.Second)
	if ev.Transport != "websocket" {
		t.Fatalf("client upgraded to %q, want websocket", ev.Transport)
	}
	for _, s := range skipped {
		if s.Event == "upgradeError" || s.Event == "close" || s.Event == "error" {
			t.Fatalf("client: %s before the upgrade", s.raw)
		}
	}
	deadline := time.Now().Add(time.Second)
	for !sc.s.Upgraded() {
		if time.Now().After(deadline) {
			t.Fatalf("server: Upgraded() still false 1s after the client's upgrade event (transport %s)", sc.s.TransportName())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if tr := sc.s.TransportName(); tr != engineio.WebSocket {
		t.Fatalf("server: transport %q after upgrade, want websocket", tr)
	}
}

// TestEIOConnectPolling: a polling-only client opens a session, gets no
// upgrade offered (it filters the server's list by its transports), and
// stays connected across heartbeats.
func TestEIOConnectPolling(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil, true)
	c, sc := connect(t, ts, modePolling, nil)
	if tr := sc.s.TransportName(); tr != engineio.Polling {
		t.Fatalf("server transport %q, want polling", tr)
	}
	// Two heartbeats go by without a close.
	c.expect("ping", 2*time.Second)
	c.expect("ping", 2*time.Second)
	if sc.s.Upgraded() {
		t.Fatal("server: Upgraded() true on a polling-only session")
	}
	c.do(map[string]any{"cmd": "send", "text": "still here"})
	c.expectMessage("text", []byte("still here"), 2*time.Second)
}

// TestEIOConnectPollingOpenPacket checks what the open packet announced, as
// the client parsed it.
func TestEIOConnectPollingOpenPacket(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil, true)
	c := startClient(t, ts, clientOptions(modeUpgraded))
	open := c.expectOpen(modePolling)
	if !slices.Equal(open.Upgrades, []string{"websocket"}) {
		t.Errorf("upgrades %q, want [websocket]", open.Upgrades)
	}
	if open.PingInterval != 300 || open.PingTimeout != 1000 {
		t.Errorf("pingInterval/pingTimeout %d/%d, want 300/1000", open.PingInterval, open.PingTimeout)
	}
	if len(open.SID) == 0 {
		t.Error("empty sid")
	}
	ts.accept(t, 2*time.Second)
}

// TestEIOConnectWebSocket: a WebSocket-only client opens a session directly
// on WebSocket and stays connected across heartbeats.
func TestEIOConnectWebSocket(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil, true)
	c, sc := connect(t, ts, modeWebSocket, nil)
	if tr := sc.s.TransportName(); tr != engineio.WebSocket {
		t.Fatalf("server transport %q, want websocket", tr)
	}
	if sc.s.Upgraded() {
		t.Fatal("server: Upgraded() true on a session opened on WebSocket")
	}
	c.expect("ping", 2*time.Second)
	c.expect("ping", 2*time.Second)
	c.do(map[string]any{"cmd": "send", "text": "still here"})
	c.expectMessage("text", []byte("still here"), 2*time.Second)
}

// TestEIOUpgrade: a default client opens on polling, probes and upgrades;
// the server reports the upgrade; the session then works over WebSocket.
func TestEIOUpgrade(t *testing.T) {
	t.Parallel()
	ts := startServer(t, nil, true)
	c := startClient(t, ts, clientOptions(modeUpgraded))
	open := c.expectOpen(modePolling)
	if !slices.Equal(open.Upgrades, []string{"websocket"}) {
		t.Fatalf("upgrades %q, want [websocket]", open.Upgrades)
	}
	sc := ts.accept(t, 2*time.Second)
	ev := c.expect("upgrading", 3*time.Second)
	if ev.Transport != "websocket" {
		t.Fatalf("upgrading to %q", ev.Transport)
	}
	waitUpgrade(t, c, sc)
	c.expect("ping", 2*time.Second)
	c.do(map[string]any{"cmd": "send", "text": "after upgrade"})
	c.expectMessage("text", []byte("after upgrade"), 2*time.Second)
	if !sc.s.Upgraded() || sc.s.TransportName() != engineio.WebSocket {
		t.Fatalf("server: upgraded=%v transport=%s", sc.s.Upgraded(), sc.s.TransportName())
	}
}

// TestEIOMessages: text and binary messages both ways on each transport.
// The client sends texts (ASCII, UTF-8, empty) and binaries (as Buffer,
// ArrayBuffer and Uint8Array, including all 256 byte values, an empty
// one and one of 200 KB); the server checks each one and echoes it; then
// the server sends its own text and binary. Binaries are compared byte for
// byte, and each side checks the text/binary flag.
func TestEIOMessages(t *testing.T) {
	t.Parallel()
	type variant struct {
		mode    string
		deflate bool
	}
	variants := []variant{{modePolling, false}, {modeWebSocket, false}, {modeUpgraded, false}, {modeWebSocket, true}, {modeUpgraded, true}}
	for _, v := range variants {
		mode := v.mode
		name := mode
		if v.deflate {
			name += "+permessage-deflate"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			opts := testOptions()
			if v.deflate {
				// The Node client offers permessage-deflate (threshold 1024).
				opts.PerMessageDeflate = &engineio.DeflateOptions{}
			}
			ts := startServer(t, opts, true)
			c, sc := connect(t, ts, mode, nil)

			all := make([]byte, 256)
			for i := range all {
				all[i] = byte(i)
			}
			big := make([]byte, 200<<10)
			rng := rand.New(rand.NewPCG(1, 2))
			for i := range big {
				big[i] = byte(rng.Uint32())
			}
			type msg struct {
				binary bool
				data   []byte
				as     string
			}
			msgs := []msg{
				{false, []byte("hello"), ""},
				{false, []byte("héllo wörld ✓ 世界 🎉"), ""},
				{false, []byte(""), ""},
				// No "\x1e" in texts: it separates packets in polling
				// payloads and the protocol does not escape it.
				{false, []byte("4 looks like a packet type, \"quoted\" \\ \n"), ""},
				{true, all, "buffer"},
				{true, []byte{0, 1, 2, 3, 255}, "arraybuffer"},
				{true, []byte("bytes that look like text"), "uint8array"},
				{true, []byte{}, "buffer"},
				{true, big, "arraybuffer"},
			}
			for _, m := range msgs {
				if m.binary {
					c.do(map[string]any{"cmd": "send", "binary": base64.StdEncoding.EncodeToString(m.data), "as": m.as})
				} else {
					c.do(map[string]any{"cmd": "send", "text": string(m.data)})
				}
			}
			for i, m := range msgs {
				got := sc.nextMsg(t, 3*time.Second)
				if got.binary != m.binary || !bytes.Equal(got.data, m.data) {
					t.Fatalf("server: message %d: got binary=%v %s, want binary=%v %s", i, got.binary, short(got.data), m.binary, short(m.data))
				}
			}
			// Server-originated messages, after every echo.
			own := []byte{0xde, 0xad, 0xbe, 0xef, 0x00, 0x0a, 0x1e, 0x34}
			if err := sc.s.Send([]byte("from server"), false); err != nil {
				t.Fatal(err)
			}
			if err := sc.s.Send(own, true); err != nil {
				t.Fatal(err)
			}
			if err := sc.s.Send(big, true); err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				typ := "text"
				switch {
				case m.binary:
					typ = "binary"
				case len(m.data) == 0:
					// An empty text message is the bare packet "4",
					// which engine.io-parser decodes with data
					// undefined (the Node server sends the same "4").
					typ = "undefined"
				}
				c.expectMessage(typ, m.data, 3*time.Second)
			}
			c.expectMessage("text", []byte("from server"), 3*time.Second)
			c.expectMessage("binary", own, 3*time.Second)
			c.expectMessage("binary", big, 3*time.Second)
		})
	}
}

// TestEIOOrderAcrossUpgrade: while the client upgrades from polling to
// WebSocket, the server sends 1..300 and the client sends c1..c300; each
// side receives its peer's sequence complete, in order, without
// duplicates, and the server's sequence straddles the upgrade.
func TestEIOOrderAcrossUpgrade(t *testing.T) {
	t.Parallel()
	const n = 300
	senderDone := make(chan struct{})
	connected := make(chan struct{})
	// Runs after the server is closed (cleanups run last-in first-out).
	t.Cleanup(func() {
		select {
		case <-connected:
			<-senderDone
		default:
		}
	})
	opts := testOptions()
	opts.OnConnection = func(s *engineio.Socket) {
		close(connected)
		// 1..5 go with the handshake response, so before the upgrade.
		i := 1
		for ; i <= 5; i++ {
			s.Send([]byte(strconv.Itoa(i)), false)
		}
		go func() {
			defer close(senderDone)
			// Paced while the session is on polling; if half of the
			// sequence is out before the upgrade completes, wait for it
			// (at most 3 s), so that the rest goes after it.
			for ; i <= n/2 && !s.Upgraded(); i++ {
				if err := s.Send([]byte(strconv.Itoa(i)), false); err != nil {
					return
				}
				time.Sleep(time.Millisecond)
			}
			for deadline := time.Now().Add(3 * time.Second); !s.Upgraded() && time.Now().Before(deadline); {
				select {
				case <-s.Done():
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
			for ; i <= n; i++ {
				if err := s.Send([]byte(strconv.Itoa(i)), false); err != nil {
					return
				}
			}
		}()
	}
	ts := startServer(t, opts, false)
	c := startClient(t, ts, clientOptions(modeUpgraded))
	c.expectOpen(modePolling)
	c.do(map[string]any{"cmd": "sendSeq", "from": 1, "to": n, "prefix": "c", "intervalMs": 1})
	sc := ts.accept(t, 2*time.Second)

	var got []string
	upgradeAt := -1
	for len(got) < n {
		ev := c.next(5*time.Second, false)
		switch ev.Event {
		case "message":
			if ev.Type != "text" {
				t.Fatalf("client: unexpected %s", ev.raw)
			}
			got = append(got, ev.Data)
		case "upgrade":
			upgradeAt = len(got)
		case "upgrading", "sent":
		default:
			t.Fatalf("client: unexpected %s after %d messages", ev.raw, len(got))
		}
	}
	for i, s := range got {
		if s != strconv.Itoa(i+1) {
			t.Fatalf("client: message %d is %q, want %q (received: %v)", i, s, strconv.Itoa(i+1), got)
		}
	}
	if upgradeAt <= 0 || upgradeAt == n {
		t.Errorf("client: upgrade after message %d of %d (-1: never): the sequence did not straddle the upgrade", upgradeAt, n)
	}
	t.Logf("client upgraded after %d of %d server messages", upgradeAt, n)
	if !sc.s.Upgraded() {
		t.Error("server: Upgraded() false after the client upgraded")
	}

	for i := 1; i <= n; i++ {
		m := sc.nextMsg(t, 5*time.Second)
		if want := "c" + strconv.Itoa(i); m.binary || string(m.data) != want {
			t.Fatalf("server: message %d is %q (binary=%v), want %q", i, m.data, m.binary, want)
		}
	}
	select {
	case m := <-sc.msgs:
		t.Fatalf("server: extra message %q", m.data)
	case <-time.After(50 * time.Millisecond):
	}
	// Nothing more reaches the client either.
	select {
	case ev := <-c.events:
		if ev.Event == "message" {
			t.Fatalf("client: extra message %s", ev.raw)
		}
	default:
	}
}

// TestEIOServerClose: the server calls Socket.Close() with a message
// queued. The client receives the message, then closes with reason
// "transport close" (engine.io-client's reason for any transport close
// it did not ask for); the server reports "forced close" (the reference's
// reason for socket.close()).
func TestEIOServerClose(t *testing.T) {
	t.Parallel()
	for _, mode := range allModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, nil, false)
			c, sc := connect(t, ts, mode, nil)
			if err := sc.s.Send([]byte("bye"), false); err != nil {
				t.Fatal(err)
			}
			sc.s.Close()
			c.expectMessage("text", []byte("bye"), 2*time.Second)
			ev := c.expect("close", 2*time.Second)
			if ev.Reason != "transport close" {
				t.Errorf("client: close reason %q, want %q (%s)", ev.Reason, "transport close", ev.raw)
			}
			// Polling: the client must have read a close packet; an
			// HTTP error would read "xhr poll error" / "transport error".
			wantDesc := "transport closed by the server"
			if mode != modePolling {
				wantDesc = "websocket connection closed"
			}
			if ev.Description != wantDesc {
				t.Errorf("client: close description %q, want %q", ev.Description, wantDesc)
			}
			reason, err := sc.waitClose(t, 2*time.Second)
			if reason != engineio.ReasonForcedClose {
				t.Errorf("server: close reason %q (%v), want %q", reason, err, engineio.ReasonForcedClose)
			}
		})
	}
}

// TestEIOClientClose: the client calls socket.close(). Its close reason is
// "forced close"; the server reports "transport close" (polling: the
// client POSTs a close packet; WebSocket: the client closes the socket).
func TestEIOClientClose(t *testing.T) {
	t.Parallel()
	for _, mode := range allModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, nil, false)
			c, sc := connect(t, ts, mode, nil)
			c.do(map[string]any{"cmd": "close"})
			ev := c.expect("close", 2*time.Second)
			if ev.Reason != "forced close" {
				t.Errorf("client: close reason %q, want %q", ev.Reason, "forced close")
			}
			reason, err := sc.waitClose(t, 2*time.Second)
			if reason != engineio.ReasonTransportClose {
				t.Errorf("server: close reason %q (%v), want %q", reason, err, engineio.ReasonTransportClose)
			}
			if ts.eio.ClientsCount() != 0 {
				t.Errorf("server: %d sessions left", ts.eio.ClientsCount())
			}
		})
	}
}

// TestEIOServerPingTimeout: the client stops answering pings (the script
// drops incoming pings and turns off its own heartbeat check). The server
// closes the session with "ping timeout" after pingInterval+pingTimeout,
// and the client sees the transport close.
func TestEIOServerPingTimeout(t *testing.T) {
	t.Parallel()
	for _, mode := range allModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			opts := testOptions()
			opts.PingInterval = 300 * time.Millisecond
			opts.PingTimeout = 200 * time.Millisecond
			ts := startServer(t, opts, false)
			start := time.Now()
			c, sc := connect(t, ts, mode, map[string]any{"silent": true})
			reason, err := sc.waitClose(t, 3*time.Second)
			elapsed := time.Since(start)
			if reason != engineio.ReasonPingTimeout {
				t.Fatalf("server: close reason %q (%v), want %q", reason, err, engineio.ReasonPingTimeout)
			}
			// The upgrade resets nothing: the heartbeat runs from the
			// handshake; allow the start-up of node.
			if elapsed > 2500*time.Millisecond {
				t.Errorf("server: ping timeout after %v, want about 500ms", elapsed)
			}
			ev, skipped := c.waitFor("close", 2*time.Second)
			if ev.Reason != "transport close" {
				t.Errorf("client: close reason %q, want %q (%s)", ev.Reason, "transport close", ev.raw)
			}
			pings := 0
			for _, s := range skipped {
				if s.Event == "ping" && s.Ignored {
					pings++
				}
			}
			if pings == 0 {
				t.Errorf("client: never received (and ignored) a ping")
			}
		})
	}
}

// TestEIOClientPingTimeout: the server stops pinging. The engineio API has
// no way to pause the heartbeat while announcing a short one, so the
// server runs a 30 s heartbeat and the script rewrites the announced
// pingInterval/pingTimeout to 300/200 ms before the client reads them:
// from the client's view the server goes silent. The client must close
// with "ping timeout" after about 500 ms, and the server must see the
// client's close as "transport close".
func TestEIOClientPingTimeout(t *testing.T) {
	t.Parallel()
	for _, mode := range allModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			opts := testOptions()
			opts.PingInterval = 30 * time.Second
			opts.PingTimeout = 30 * time.Second
			ts := startServer(t, opts, false)
			c, sc := connect(t, ts, mode, map[string]any{
				"fakeHeartbeat": map[string]int{"pingInterval": 300, "pingTimeout": 200},
			})
			start := time.Now()
			ev, skipped := c.waitFor("close", 3*time.Second)
			if ev.Reason != "ping timeout" {
				t.Fatalf("client: close reason %q, want %q (%s)", ev.Reason, "ping timeout", ev.raw)
			}
			for _, s := range skipped {
				if s.Event == "ping" {
					t.Fatalf("client: got a ping from a server with a 30s heartbeat")
				}
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("client: ping timeout after %v, want about 500ms", d)
			}
			reason, err := sc.waitClose(t, 2*time.Second)
			if reason != engineio.ReasonTransportClose {
				t.Errorf("server: close reason %q (%v), want %q", reason, err, engineio.ReasonTransportClose)
			}
		})
	}
}
