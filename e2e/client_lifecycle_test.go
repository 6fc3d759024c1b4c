package e2e

// Lifecycle tests of the Go client against the official socket.io server
// (and our own, with the same behaviour; client_harness_test.go): how a
// socket leaves (what the server records), what a CONNECT reply that comes
// after Disconnect does, Connect after reconnect_failed and the Manager's
// reconnection controls, and the typed disconnect reasons with their
// causes.

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/client"
	eioclient "github.com/gosio/socketio/engineio/client"
)

var lifecycleScenarios = []clientScenario{
	{"disconnect-polling", targetOpts{}, scenarioClientDisconnect([]string{"polling"})},
	{"disconnect-websocket", targetOpts{}, scenarioClientDisconnect([]string{"websocket"})},
	{"disconnect-upgraded", targetOpts{}, scenarioClientDisconnect(nil)},
	{"late-connect-reply", targetOpts{}, scenarioLateConnectReply(false)},
	{"late-connect-reply-reconnect", targetOpts{}, scenarioLateConnectReply(true)},
	{"connect-after-reconnect-failed", targetOpts{}, scenarioConnectAfterReconnectFailed},
	{"manager-controls", targetOpts{}, scenarioManagerControls},
	{"manager-timeout", targetOpts{pausable: true}, scenarioManagerTimeout},
	{"disconnect-waits-for-handler", targetOpts{}, scenarioDisconnectWaitsForHandler},
	{"cause-transport-error", targetOpts{}, scenarioCauseTransportError},
	{"cause-write-buffer-full", targetOpts{pausable: true}, scenarioCauseWriteBufferFull},
}

// TestClientLifecycle runs every lifecycle scenario against the node server
// and the go server.
func TestClientLifecycle(t *testing.T) {
	for _, sc := range lifecycleScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, kind := range []string{"node", "go"} {
				t.Run(kind, func(t *testing.T) {
					t.Parallel()
					sc.run(t, startTarget(t, kind, sc.opts))
				})
			}
		})
	}
}

// isDisconnect selects the disconnections from namespace nsp.
func isDisconnect(nsp string) func(srvEvent) bool {
	return func(ev srvEvent) bool { return ev.Event == "disconnect" && ev.Nsp == nsp }
}

// Socket.Disconnect of the Manager's last socket: the DISCONNECT reaches
// the server before the connection closes, so the server records "client
// namespace disconnect" (as for socket.io-client), not "transport close".
// Over polling the two must travel in separate requests: a Node server
// handles a close packet before the DISCONNECT of the same payload.
func scenarioClientDisconnect(transports []string) func(*testing.T, sioTarget) {
	return func(t *testing.T, tg sioTarget) {
		o := fastClient()
		o.Transports = transports
		m, recs := newManager(t, tg, o, "/")
		r := recs[0]
		connectAll(t, r)
		conn := tg.log().expect("connection", clientWait, isConnection("/"))
		if transports == nil {
			waitUntil(t, clientWait, "upgrade", m.Engine().Upgraded)
		}
		r.s.Disconnect()
		if reason := recvC(t, r.disconnects, "disconnect"); reason != "io client disconnect" {
			t.Errorf("client: disconnect reason %q, want io client disconnect", reason)
		}
		ev := tg.log().expect("disconnect", clientWait, isDisconnect("/"))
		if ev.Reason != "client namespace disconnect" || ev.ID != conn.ID {
			t.Errorf("server: %s, want the disconnect of %s with reason client namespace disconnect", ev.raw, conn.ID)
		}
		if m.Engine() != nil {
			t.Errorf("the Manager's connection is still open")
		}
	}
}

// holdQueue makes the server emit "item" to s (through "burst") and blocks
// the client's handler of it until the returned release is called: the
// socket's handler goroutine is busy, its later packets wait behind it.
func holdQueue(t *testing.T, s *client.Socket) (release func()) {
	t.Helper()
	entered, done := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.On("item", func(int) {
		once.Do(func() {
			close(entered)
			<-done
		})
	})
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	if _, err := s.EmitWithAck(ctx, "burst", 1); err != nil {
		t.Fatalf("EmitWithAck(burst): %v", err)
	}
	recvC(t, entered, "item handler")
	var released bool
	release = func() {
		if !released {
			released = true
			close(done)
		}
	}
	t.Cleanup(release)
	return release
}

// A CONNECT reply of /admin is queued behind a slow handler of /admin
// when /admin's Disconnect is called: /admin left, then connected again,
// while its handler still ran. The reply must be ignored (no OnConnect,
// not connected) and the socket the server made for it closed: the server
// records "client namespace disconnect" for it. With reconnect, Connect is
// called again before the reply is handled: the pending CONNECT is reused
// (a second CONNECT for a connected namespace makes a Node server close the
// whole connection), and the socket connects once, with the server's id.
func scenarioLateConnectReply(reconnect bool) func(*testing.T, sioTarget) {
	return func(t *testing.T, tg sioTarget) {
		m, recs := newManager(t, tg, fastClient(), "/", "/admin")
		a, b := recs[0], recs[1]
		connectAll(t, a, b)
		log := tg.log()
		log.expect("connection to /", clientWait, isConnection("/"))
		first := log.expect("connection to /admin", clientWait, isConnection("/admin"))
		release := holdQueue(t, b.s)

		// Leave and come back while the handler runs: the new CONNECT
		// goes at once, its reply waits behind the handler.
		b.s.Disconnect()
		if ev := log.expect("disconnect of /admin", clientWait, isDisconnect("/admin")); ev.ID != first.ID {
			t.Fatalf("server: %s, want the disconnect of %s", ev.raw, first.ID)
		}
		b.s.Connect()
		conn := log.expect("second connection to /admin", clientWait, isConnection("/admin"))
		// The server wrote the CONNECT reply before the ack of this emit,
		// and acks are read as they arrive: once the ack is back, the reply
		// waits in the socket's queue.
		ctx, cancel := context.WithTimeout(context.Background(), clientWait)
		defer cancel()
		if _, err := a.s.EmitWithAck(ctx, "sync"); err != nil {
			t.Fatalf("EmitWithAck(sync): %v", err)
		}
		b.s.Disconnect()
		if reconnect {
			b.s.Connect()
		}
		release()
		// The first Disconnect's report comes once the handler returned.
		if reason := recvC(t, b.disconnects, "disconnect"); reason != "io client disconnect" {
			t.Errorf("disconnect reason %q", reason)
		}

		if !reconnect {
			ev := log.expect("disconnect of /admin", clientWait, isDisconnect("/admin"))
			if ev.Reason != "client namespace disconnect" || ev.ID != conn.ID {
				t.Errorf("server: %s, want the disconnect of %s with reason client namespace disconnect", ev.raw, conn.ID)
			}
			noRecvC(t, b.connects, 300*time.Millisecond, "connect after Disconnect")
			noRecvC(t, b.disconnects, 0, "second disconnect")
			if b.s.Connected() || b.s.ID() != "" || b.s.Active() {
				t.Errorf("after the late reply: connected %v, id %q, active %v", b.s.Connected(), b.s.ID(), b.s.Active())
			}
		} else {
			if id := recvC(t, b.connects, "connect"); id != conn.ID {
				t.Errorf("connected as %q, the server made %q", id, conn.ID)
			}
			noRecvC(t, b.connects, 300*time.Millisecond, "second connect")
			log.expectNone("third connection", 0, isConnection("/admin"))
			echo(t, tg, b.s)
		}
		// The other namespace and the connection are untouched.
		log.expectNone("disconnect of /", 0, isDisconnect("/"))
		noRecvC(t, a.disconnects, 0, "disconnect of /")
		if !a.s.Connected() || m.Engine() == nil {
			t.Fatalf("/ connected %v, engine %v", a.s.Connected(), m.Engine())
		}
		echo(t, tg, a.s)
	}
}

// Socket.Connect after reconnect_failed opens the Manager again, as
// socket.connect() does: with the server still away, the attempt fails
// (connect_error) and a fresh reconnection cycle runs to reconnect_failed;
// with the server back, the socket connects.
func scenarioConnectAfterReconnectFailed(t *testing.T, tg sioTarget) {
	o := fastClient()
	o.ReconnectionAttempts = 2
	m, recs := newManager(t, tg, o, "/")
	mr := watchManager(m)
	r := recs[0]
	connectAll(t, r)
	tg.log().expect("connection", clientWait, isConnection("/"))
	tg.kill()
	recvC(t, r.disconnects, "disconnect")
	recvC(t, mr.failed, "reconnect_failed")
	drainAttempts := func() []int {
		var got []int
		for len(mr.attempts) > 0 {
			got = append(got, <-mr.attempts)
		}
		return got
	}
	if got := drainAttempts(); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Fatalf("reconnect attempts %v, want [1 2]", got)
	}
	for len(r.connectErrs) > 0 {
		<-r.connectErrs
	}

	r.s.Connect()
	recvC(t, r.connectErrs, "connect error of the new attempt")
	recvC(t, mr.failed, "second reconnect_failed")
	if got := drainAttempts(); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Errorf("second cycle: reconnect attempts %v, want [1 2]", got)
	}

	tg.restart()
	r.s.Connect()
	id := recvC(t, r.connects, "connect")
	if ev := tg.log().expect("connection", clientWait, isConnection("/")); ev.ID != id {
		t.Errorf("server connection %s, client id %s", ev.ID, id)
	}
	echo(t, tg, r.s)
}

// The Manager's own controls (Node: open(), reconnection(v),
// reconnectionAttempts(v), reconnectionDelay(v), ...) act on a running
// Manager.
func scenarioManagerControls(t *testing.T, tg sioTarget) {
	m, recs := newManager(t, tg, fastClient(), "/")
	mr := watchManager(m)
	r := recs[0]
	if !m.Reconnection() || m.ReconnectionAttempts() != 0 || m.ReconnectionDelay() != 50*time.Millisecond ||
		m.ReconnectionDelayMax() != 200*time.Millisecond || m.RandomizationFactor() != 0.5 || m.Timeout() != 2*time.Second {
		t.Errorf("getters: reconnection %v, attempts %d, delay %v, max %v, jitter %v, timeout %v", m.Reconnection(),
			m.ReconnectionAttempts(), m.ReconnectionDelay(), m.ReconnectionDelayMax(), m.RandomizationFactor(), m.Timeout())
	}
	connectAll(t, r)
	tg.log().expect("connection", clientWait, isConnection("/"))

	// Reconnection turned off: the lost connection is not retried.
	m.SetReconnection(false)
	tg.kill()
	recvC(t, r.disconnects, "disconnect")
	noRecvC(t, mr.attempts, 400*time.Millisecond, "reconnect attempt with reconnection off")
	if m.Reconnection() {
		t.Errorf("Reconnection() is true after SetReconnection(false)")
	}

	// On again, with one attempt: Open fails (the server is away), one
	// reconnection attempt follows, then reconnect_failed.
	m.SetReconnection(true)
	m.SetReconnectionAttempts(1)
	m.Open()
	recvC(t, r.connectErrs, "connect error of Open")
	if n := recvC(t, mr.attempts, "reconnect attempt"); n != 1 {
		t.Errorf("reconnect attempt %d, want 1", n)
	}
	recvC(t, mr.failed, "reconnect_failed")
	noRecvC(t, mr.attempts, 300*time.Millisecond, "second reconnect attempt")

	// No limit, a one-minute delay: after a failed Open the next attempt
	// waits; Open makes it now, and it reconnects to the server, back.
	m.SetReconnectionAttempts(0)
	m.SetReconnectionDelay(time.Minute)
	m.SetReconnectionDelayMax(time.Minute)
	m.SetRandomizationFactor(0)
	m.Open()
	recvC(t, r.connectErrs, "connect error of the second Open")
	noRecvC(t, mr.attempts, 300*time.Millisecond, "reconnect attempt before its delay")
	tg.restart()
	m.Open()
	if n := recvC(t, mr.attempts, "reconnect attempt made by Open"); n != 1 {
		t.Errorf("reconnect attempt %d, want 1", n)
	}
	recvC(t, mr.reconnects, "reconnect")
	id := recvC(t, r.connects, "connect")
	if ev := tg.log().expect("connection", clientWait, isConnection("/")); ev.ID != id {
		t.Errorf("server connection %s, client id %s", ev.ID, id)
	}
	echo(t, tg, r.s)
}

// SetTimeout bounds the next connection attempt: a server that accepts
// and does not answer fails it with "timeout", well before the 20 s of
// Options.Timeout.
func scenarioManagerTimeout(t *testing.T, tg sioTarget) {
	var resumed sync.Once
	resume := func() { resumed.Do(tg.resume) }
	t.Cleanup(resume)
	o := fastClient()
	o.Timeout = 20 * time.Second
	m, recs := newManager(t, tg, o, "/")
	r := recs[0]
	m.SetTimeout(300 * time.Millisecond)
	tg.pause()
	r.s.Connect()
	if err := recvC(t, r.connectErrs, "connect error"); !errors.Is(err, client.ErrConnectTimeout) {
		t.Errorf("connect error %v, want timeout", err)
	}
	resume()
	recvC(t, r.connects, "connect")
	echo(t, tg, r.s)
}

// OnDisconnect runs on the socket's handler goroutine: a Disconnect made
// while a handler runs reports after that handler returns; Connected is
// false at once.
func scenarioDisconnectWaitsForHandler(t *testing.T, tg sioTarget) {
	_, recs := newManager(t, tg, fastClient(), "/")
	r := recs[0]
	connectAll(t, r)
	conn := tg.log().expect("connection", clientWait, isConnection("/"))
	release := holdQueue(t, r.s)
	r.s.Disconnect()
	if r.s.Connected() || r.s.ID() != "" {
		t.Errorf("after Disconnect: connected %v, id %q", r.s.Connected(), r.s.ID())
	}
	noRecvC(t, r.disconnects, 200*time.Millisecond, "disconnect while a handler runs")
	release()
	if reason := recvC(t, r.disconnects, "disconnect"); reason != "io client disconnect" {
		t.Errorf("reason %q, want io client disconnect", reason)
	}
	if ev := tg.log().expect("disconnect", clientWait, isDisconnect("/")); ev.Reason != "client namespace disconnect" || ev.ID != conn.ID {
		t.Errorf("server: %s", ev.raw)
	}
}

// causeRec records the typed reasons and causes of a socket and of its
// Manager.
type causeRec struct {
	socket, manager chan reasonCause
}

type reasonCause struct {
	reason client.Reason
	cause  error
}

func watchCauses(m *client.Manager, s *client.Socket) *causeRec {
	c := &causeRec{socket: make(chan reasonCause, 8), manager: make(chan reasonCause, 8)}
	s.OnDisconnect(func(r client.Reason, err error) { c.socket <- reasonCause{r, err} })
	m.OnClose(func(r client.Reason, err error) { c.manager <- reasonCause{r, err} })
	return c
}

// The server dies under a polling connection: the pending request fails,
// and both the socket and the Manager report ReasonTransportError with the
// HTTP client's error as the cause.
func scenarioCauseTransportError(t *testing.T, tg sioTarget) {
	o := fastClient()
	o.Transports = []string{"polling"}
	m, recs := newManager(t, tg, o, "/")
	r := recs[0]
	c := watchCauses(m, r.s)
	connectAll(t, r)
	tg.log().expect("connection", clientWait, isConnection("/"))
	tg.kill()
	for who, ch := range map[string]chan reasonCause{"socket": c.socket, "manager": c.manager} {
		rc := recvC(t, ch, who+" disconnect")
		var ue *url.Error
		if rc.reason != client.ReasonTransportError || !errors.As(rc.cause, &ue) {
			t.Errorf("%s: reason %q, cause %T %v; want transport error with a *url.Error", who, rc.reason, rc.cause, rc.cause)
		}
	}
	tg.restart()
	recvC(t, r.connects, "reconnect")
	echo(t, tg, r.s)
}

// A server that stops reading: past Options.MaxBufferedBytes the
// connection closes, and the cause says why
// (engineio/client.ErrWriteBufferFull). The client reconnects once the
// server reads again.
func scenarioCauseWriteBufferFull(t *testing.T, tg sioTarget) {
	var resumed sync.Once
	resume := func() { resumed.Do(tg.resume) }
	t.Cleanup(resume)
	o := fastClient()
	o.Transports = []string{"polling"}
	o.MaxBufferedBytes = 64 << 10
	m, recs := newManager(t, tg, o, "/")
	r := recs[0]
	c := watchCauses(m, r.s)
	connectAll(t, r)
	tg.log().expect("connection", clientWait, isConnection("/"))
	tg.pause()
	chunk := strings.Repeat("x", 40<<10)
	for i := 0; i < 8 && len(c.socket) == 0; i++ {
		if err := r.s.Emit("big", i, chunk); err != nil {
			t.Fatalf("Emit: %v", err)
		}
		time.Sleep(20 * time.Millisecond) // lets the first POST leave alone
	}
	rc := recvC(t, c.socket, "disconnect")
	if rc.reason != client.ReasonTransportError || !errors.Is(rc.cause, eioclient.ErrWriteBufferFull) {
		t.Errorf("reason %q, cause %v; want transport error with ErrWriteBufferFull", rc.reason, rc.cause)
	}
	if mc := recvC(t, c.manager, "manager close"); mc.reason != rc.reason || mc.cause != rc.cause {
		t.Errorf("manager close %q %v, socket %q %v", mc.reason, mc.cause, rc.reason, rc.cause)
	}
	resume()
	recvC(t, r.connects, "reconnect")
	echo(t, tg, r.s)
}
