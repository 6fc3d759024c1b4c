package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio/packet"
)

// evRec records Events.
type evRec struct {
	mu        sync.Mutex
	received  []packet.Type
	created   []packet.Type
	drains    int
	upgrading chan string
	upgrades  chan string
	upErrs    chan error
}

func newEvRec() (*evRec, Events) {
	r := &evRec{upgrading: make(chan string, 2), upgrades: make(chan string, 2), upErrs: make(chan error, 2)}
	return r, Events{
		OnPacket:       func(p packet.Packet) { r.mu.Lock(); r.received = append(r.received, p.Type); r.mu.Unlock() },
		OnPacketCreate: func(p packet.Packet) { r.mu.Lock(); r.created = append(r.created, p.Type); r.mu.Unlock() },
		OnDrain:        func() { r.mu.Lock(); r.drains++; r.mu.Unlock() },
		OnUpgrading:    func(tr string) { r.upgrading <- tr },
		OnUpgrade:      func(tr string) { r.upgrades <- tr },
		OnUpgradeError: func(err error) { r.upErrs <- err },
	}
}

func (r *evRec) count(created bool, typ packet.Type) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	list := r.received
	if created {
		list = r.created
	}
	n := 0
	for _, t := range list {
		if t == typ {
			n++
		}
	}
	return n
}

func within(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestEvents(t *testing.T) {
	_, url, _ := server(t, nil)
	r, ev := newEvRec()
	rec := newRecorder()
	c := dial(t, url, &Options{Events: ev}, rec)
	if tr := <-r.upgrading; tr != WebSocket {
		t.Fatalf("upgrading %q", tr)
	}
	if tr := <-r.upgrades; tr != WebSocket || !c.Upgraded() {
		t.Fatalf("upgrade %q, upgraded %v", tr, c.Upgraded())
	}
	if err := c.Send([]byte("hi"), false); err != nil {
		t.Fatal(err)
	}
	rec.wait(t, 1) // the echo
	within(t, "ping and pong", func() bool { return r.count(false, packet.Ping) > 0 && r.count(true, packet.Pong) > 0 })
	within(t, "drain", func() bool { r.mu.Lock(); defer r.mu.Unlock(); return r.drains > 0 })
	r.mu.Lock()
	first := r.received[0]
	r.mu.Unlock()
	if first != packet.Open || r.count(true, packet.Message) != 1 || r.count(false, packet.Message) != 1 {
		t.Errorf("first packet %v, messages created %d, received %d", first, r.count(true, packet.Message), r.count(false, packet.Message))
	}
	if r.count(false, packet.Pong) != 0 || r.count(true, packet.Ping) != 0 {
		t.Error("the probe's ping and pong were reported")
	}
	select {
	case err := <-r.upErrs:
		t.Errorf("upgrade error %v", err)
	default:
	}
}

// A WebSocket refused with an Engine.IO error body: the upgrade fails
// with "probe error" around "websocket error", the status and the body;
// the connection stays on polling.
func TestUpgradeErrorEvent(t *testing.T) {
	_, backend, _ := server(t, nil)
	target, _ := url.Parse(backend)
	proxy := httputil.NewSingleHostReverseProxy(target)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Query().Get("transport") == WebSocket {
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"code":4,"message":"Forbidden"}`))
			return
		}
		proxy.ServeHTTP(w, req)
	}))
	defer front.Close()
	r, ev := newEvRec()
	c := dial(t, front.URL, &Options{Events: ev}, newRecorder())
	err := <-r.upErrs
	var probe, ws *TransportError
	var he *HandshakeError
	if !errors.As(err, &probe) || probe.Message != MsgProbeError || !errors.As(probe.Err, &ws) || ws.Message != MsgWebSocketError ||
		ws.Status != http.StatusForbidden || !errors.As(err, &he) || he.Code != 4 || he.Message != "Forbidden" {
		t.Fatalf("upgrade error %v", err)
	}
	if c.Transport() != Polling {
		t.Fatalf("transport %s", c.Transport())
	}
}

// Transport errors carry the reference's message and the Go cause.
func TestTransportErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"code":3,"message":"Bad request"}`))
	}))
	defer refusing.Close()
	for _, tc := range []struct {
		name, url, transport, msg string
		status                    int
	}{
		{"polling closed port", closed, Polling, MsgPollError, 0},
		{"websocket closed port", closed, WebSocket, MsgWebSocketError, 0},
		{"polling refused", refusing.URL, Polling, MsgPollError, 400},
		{"websocket refused", refusing.URL, WebSocket, MsgWebSocketError, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			_, err := Dial(ctx, tc.url, &Options{Transports: []string{tc.transport}}, newRecorder())
			var te *TransportError
			if !errors.As(err, &te) || te.Message != tc.msg || te.Status != tc.status {
				t.Fatalf("error %v, want %q status %d", err, tc.msg, tc.status)
			}
			var oe *net.OpError
			var he *HandshakeError
			if tc.status == 0 && !errors.As(err, &oe) {
				t.Errorf("no *net.OpError in %v", err)
			}
			if tc.status != 0 && (!errors.As(err, &he) || he.Code != 3 || he.Message != "Bad request") {
				t.Errorf("no HandshakeError with the body in %v", err)
			}
		})
	}
}
