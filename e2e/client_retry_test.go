package e2e

// At-least-once delivery (retries, ackTimeout): the same scenarios with
// the official socket.io-client 4.8.4 (js/retry-client.mjs) and with the
// Go client, against the official socket.io server and against ours; both
// clients must give the same outcome, and the servers see the same
// packets. The queue sends one packet at a time, in order, resends a
// packet whose ack did not come, gives up after retries+1 tries, and
// survives a server restart: nothing lost, nothing duplicated but the one
// packet in flight when the server died (which the new server sees afresh),
// in order.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gosio/socketio/client"
)

// ackOutcome is what a client reports for an emit with a tag.
type ackOutcome struct {
	Tag   string            `json:"tag"`
	Args  []json.RawMessage `json:"args"`
	Error string            `json:"error"`
}

func (a ackOutcome) argsJSON() string {
	b, _ := json.Marshal(a.Args)
	return string(b)
}

// retryClient is a client socket on "/" with retries and ackTimeout.
type retryClient interface {
	// emit emits event with args; with a tag, the outcome is reported on
	// acks(), in emit order.
	emit(event string, tag string, args ...any)
	acks() <-chan ackOutcome
	connects() <-chan struct{}
	disconnects() <-chan string
}

type retryOpts struct {
	retries    int
	ackTimeout time.Duration
}

// ---- the Go client ----

type goRetryClient struct {
	s      *client.Socket
	ackCh  chan ackOutcome
	connCh chan struct{}
	discCh chan string
}

func newGoRetryClient(t *testing.T, tg sioTarget, ro retryOpts) retryClient {
	o := fastClient()
	o.Retries, o.AckTimeout = ro.retries, ro.ackTimeout
	m := client.NewManager(tg.url(), o)
	c := &goRetryClient{s: m.Socket("/", nil), ackCh: make(chan ackOutcome, 64), connCh: make(chan struct{}, 16), discCh: make(chan string, 16)}
	c.s.OnConnect(func() { c.connCh <- struct{}{} })
	c.s.OnDisconnect(func(r client.Reason, _ error) { c.discCh <- string(r) })
	t.Cleanup(func() {
		c.s.Disconnect()
		m.Close()
	})
	c.s.Connect()
	return c
}

func (c *goRetryClient) emit(event, tag string, args ...any) {
	var err error
	if tag == "" {
		err = c.s.Emit(event, args...)
	} else {
		err = c.s.EmitWithAckFunc(event, func(reply client.Args, err error) {
			out := ackOutcome{Tag: tag}
			if err != nil {
				out.Error = err.Error()
			} else {
				for _, v := range reply.Values() {
					b, _ := json.Marshal(v)
					out.Args = append(out.Args, b)
				}
			}
			c.ackCh <- out
		}, args...)
	}
	if err != nil {
		panic(fmt.Sprintf("emit %s: %v", event, err))
	}
}

func (c *goRetryClient) acks() <-chan ackOutcome    { return c.ackCh }
func (c *goRetryClient) connects() <-chan struct{}  { return c.connCh }
func (c *goRetryClient) disconnects() <-chan string { return c.discCh }

// ---- socket.io-client ----

type jsRetryClient struct {
	p      *nodeProc
	ackCh  chan ackOutcome
	connCh chan struct{}
	discCh chan string
	errCh  chan jsConnectError
}

// jsConnectError is socket.io-client's connect_error: err.message and
// err.description (an HTTP status, or the cause's message).
type jsConnectError struct {
	Message     string `json:"message"`
	Description string `json:"description"`
}

func newJSRetryClient(t *testing.T, tg sioTarget, ro retryOpts) retryClient {
	return startJSRetryClient(t, tg.url(), map[string]any{"retries": ro.retries, "ackTimeout": ro.ackTimeout.Milliseconds()})
}

// startJSRetryClient runs js/retry-client.mjs on base + "/" with the
// options o (see there).
func startJSRetryClient(t *testing.T, base string, o map[string]any) *jsRetryClient {
	requireJS(t, "socket.io-client")
	c := &jsRetryClient{ackCh: make(chan ackOutcome, 64), connCh: make(chan struct{}, 16), discCh: make(chan string, 16), errCh: make(chan jsConnectError, 16)}
	o["url"], o["timeoutMs"] = base+"/", 20000
	c.p = startNode(t, "retry-client.mjs", o, 20*time.Second, func(line []byte) {
		var ev struct {
			Event  string `json:"event"`
			Reason string `json:"reason"`
			ackOutcome
			jsConnectError
		}
		if json.Unmarshal(line, &ev) != nil {
			return
		}
		switch ev.Event {
		case "connect":
			c.connCh <- struct{}{}
		case "connect_error":
			select {
			case c.errCh <- ev.jsConnectError:
			default:
			}
		case "disconnect":
			c.discCh <- ev.Reason
		case "ack":
			c.ackCh <- ev.ackOutcome
		}
	}, nil)
	t.Cleanup(func() {
		c.p.stop()
		if t.Failed() {
			t.Logf("retry-client stderr:\n%s", c.p.stderr.String())
		}
	})
	return c
}

func (c *jsRetryClient) emit(event, tag string, args ...any) {
	cmd := map[string]any{"cmd": "emit", "event": event, "args": args}
	if tag != "" {
		cmd["tag"] = tag
	}
	b, _ := json.Marshal(cmd)
	c.p.stdin.Write(append(b, '\n'))
}

func (c *jsRetryClient) acks() <-chan ackOutcome    { return c.ackCh }
func (c *jsRetryClient) connects() <-chan struct{}  { return c.connCh }
func (c *jsRetryClient) disconnects() <-chan string { return c.discCh }

// ---- scenarios ----

type retryScenario struct {
	name string
	opts retryOpts
	run  func(t *testing.T, tg sioTarget, c retryClient)
}

var retryScenarios = []retryScenario{
	{"lost-try", retryOpts{retries: 2, ackTimeout: 300 * time.Millisecond}, retryLostTry},
	{"given-up", retryOpts{retries: 2, ackTimeout: 200 * time.Millisecond}, retryGivenUp},
	{"one-in-flight", retryOpts{retries: 1, ackTimeout: 2 * time.Second}, retryOneInFlight},
	{"server-restart", retryOpts{retries: 3, ackTimeout: time.Second}, retryServerRestart},
}

// TestClientRetries runs every scenario with both clients against both
// servers.
func TestClientRetries(t *testing.T) {
	clients := map[string]func(*testing.T, sioTarget, retryOpts) retryClient{"go": newGoRetryClient, "js": newJSRetryClient}
	for _, sc := range retryScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, kind := range []string{"node", "go"} {
				for _, cl := range []string{"go", "js"} {
					t.Run(kind+"-server/"+cl+"-client", func(t *testing.T) {
						t.Parallel()
						tg := startTarget(t, kind, targetOpts{})
						c := clients[cl](t, tg, sc.opts)
						recvC(t, c.connects(), "connect")
						sc.run(t, tg, c)
					})
				}
			}
		})
	}
}

// isAny selects the events named one of names on "/".
func isAny(names ...string) func(srvEvent) bool {
	return func(ev srvEvent) bool {
		if ev.Event != "event" || ev.Nsp != "/" {
			return false
		}
		for _, n := range names {
			if ev.Name == n {
				return true
			}
		}
		return false
	}
}

// expectEvents reads the next len(want) events that sel selects, in
// arrival order, and compares them as "name args" lines; every one must
// have asked for an ack (the queue always does).
func expectEvents(t *testing.T, tg sioTarget, sel func(srvEvent) bool, want ...string) {
	t.Helper()
	var got []string
	for range want {
		ev := tg.log().expect("event "+strings.Join(want, ", "), clientWait, sel)
		got = append(got, ev.Name+" "+ev.argsJSON())
		if !ev.HasAck {
			t.Errorf("%s %s without an ack id", ev.Name, ev.argsJSON())
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("server got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func expectAck(t *testing.T, c retryClient, tag, args, errMsg string) {
	t.Helper()
	a := recvC(t, c.acks(), "ack "+tag)
	if a.Tag != tag || a.Error != errMsg || (errMsg == "" && a.argsJSON() != args) {
		t.Fatalf("ack %+v (args %s), want tag %s args %s error %q", a, a.argsJSON(), tag, args, errMsg)
	}
}

// The server ignores the first try of "flaky": the client resends it
// after ackTimeout and gets the ack of the second; a plain emit queued
// behind it leaves only then, with an ack id.
func retryLostTry(t *testing.T, tg sioTarget, c retryClient) {
	c.emit("flaky", "f", "k1")
	c.emit("seq", "", 1)
	expectAck(t, c, "f", `["k1"]`, "")
	expectEvents(t, tg, isAny("flaky", "seq"), `flaky ["k1"]`, `flaky ["k1"]`, `seq [1]`)
	tg.log().expectNone("more", 400*time.Millisecond, isAny("flaky", "seq"))
}

// "noack" is never acknowledged: retries+1 tries, then the error; the
// queue goes on.
func retryGivenUp(t *testing.T, tg sioTarget, c retryClient) {
	c.emit("noack", "n", "x")
	c.emit("echo", "e", "after")
	expectAck(t, c, "n", "", "operation has timed out")
	expectAck(t, c, "e", `["after"]`, "")
	expectEvents(t, tg, isAny("noack", "echo"), `noack ["x"]`, `noack ["x"]`, `noack ["x"]`, `echo ["after"]`)
	tg.log().expectNone("more", 300*time.Millisecond, isAny("noack", "echo"))
}

// Emits made back to back leave one at a time: the server has each once,
// in order, and the acks come in order.
func retryOneInFlight(t *testing.T, tg sioTarget, c retryClient) {
	const n = 20
	var want []string
	for i := range n {
		c.emit("seq", fmt.Sprint(i), i)
		want = append(want, fmt.Sprintf("seq [%d]", i))
	}
	for i := range n {
		expectAck(t, c, fmt.Sprint(i), fmt.Sprintf("[%d]", i), "")
	}
	expectEvents(t, tg, isAny("seq"), want...)
	tg.log().expectNone("more", 300*time.Millisecond, isAny("seq"))
}

// The server dies with a packet in flight and more queued: the packet in
// flight is sent again to the new server (its first try died with the old
// one), then the queued ones follow, once each, in order, with their acks.
func retryServerRestart(t *testing.T, tg sioTarget, c retryClient) {
	for i := 1; i <= 3; i++ {
		c.emit("seq", fmt.Sprint(i), i)
	}
	for i := 1; i <= 3; i++ {
		expectAck(t, c, fmt.Sprint(i), fmt.Sprintf("[%d]", i), "")
	}
	expectEvents(t, tg, isAny("seq"), `seq [1]`, `seq [2]`, `seq [3]`)
	// In flight: the old server does not ack the first "flaky" it sees.
	c.emit("flaky", "f", "k")
	expectEvents(t, tg, isAny("flaky"), `flaky ["k"]`)
	tg.kill()
	recvC(t, c.disconnects(), "disconnect")
	for i := 4; i <= 8; i++ {
		c.emit("seq", fmt.Sprint(i), i)
	}
	tg.restart()
	recvC(t, c.connects(), "reconnect")
	// The new server ignores the resent "flaky" (its first for it), acks
	// the next try; then the queue.
	expectAck(t, c, "f", `["k"]`, "")
	want := []string{`flaky ["k"]`, `flaky ["k"]`}
	for i := 4; i <= 8; i++ {
		expectAck(t, c, fmt.Sprint(i), fmt.Sprintf("[%d]", i), "")
		want = append(want, fmt.Sprintf("seq [%d]", i))
	}
	expectEvents(t, tg, isAny("seq", "flaky"), want...)
	tg.log().expectNone("more", 300*time.Millisecond, isAny("seq", "flaky"))
	noRecvC(t, c.acks(), 0, "ack")
}
