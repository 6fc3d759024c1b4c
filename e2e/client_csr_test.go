package e2e

// Connection state recovery with our Go client, against Node's socket.io
// 4.8.4 with connectionStateRecovery on and against ours: after a lost
// link the client comes back recovered, with the same id, and gets the
// room events emitted while it was away, once, in order, before new ones.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gosio/socketio/client"
)

func TestClientCSR(t *testing.T) {
	for _, kind := range []string{"node", "go"} {
		for _, transport := range []string{"websocket", "polling"} {
			t.Run(kind+"/"+transport, func(t *testing.T) {
				t.Parallel()
				t.Run("lost link", func(t *testing.T) { clientCSRScenario(t, kind, transport, 10*time.Second, true) })
				t.Run("after the window", func(t *testing.T) { clientCSRScenario(t, kind, transport, 300*time.Millisecond, false) })
				t.Run("server disconnect", func(t *testing.T) { clientCSRKicked(t, kind, transport) })
			})
		}
	}
}

func clientCSRScenario(t *testing.T, kind, transport string, window time.Duration, wantRecovered bool) {
	target := startTarget(t, kind, targetOpts{
		pingInterval: 300 * time.Millisecond, pingTimeout: 300 * time.Millisecond,
		transports: []string{transport}, recovery: window,
	})
	proxy := startProxy(t, strings.TrimPrefix(target.url(), "http://"))
	o := fastClient()
	o.Transports = []string{transport}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := client.Connect(ctx, "http://"+proxy.addr()+"/", o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec := watch(s)
	got := make(chan string, 64)
	s.On("sched", func(name string) { got <- name })
	if s.Recovered() {
		t.Fatal("first connection reported recovered")
	}
	first := s.ID()
	if _, err := s.Timeout(3*time.Second).EmitWithAck(ctx, "join", "r"); err != nil {
		t.Fatal(err)
	}
	// One event first, so that the client has an offset.
	if _, err := s.Timeout(3*time.Second).EmitWithAck(ctx, "schedule", "r", []string{"before"}, 0); err != nil {
		t.Fatal(err)
	}
	if v := recvVal(t, got, "sched before"); v != "before" {
		t.Fatalf("got %q", v)
	}
	// Emitted 200 ms from now, while the link is dark for a second.
	if _, err := s.Timeout(3*time.Second).EmitWithAck(ctx, "schedule", "r", []string{"m1", "m2", "m3"}, 200); err != nil {
		t.Fatal(err)
	}
	dark := time.Second
	if !wantRecovered {
		dark = 2 * time.Second // past the window
	}
	proxy.blackout(dark)
	recvVal(t, rec.disconnects, "disconnect")
	id := recvVal(t, rec.connects, "reconnect")
	if s.Recovered() != wantRecovered || (id == first) != wantRecovered {
		t.Fatalf("reconnected: recovered=%v id %s (first %s), want recovered=%v", s.Recovered(), id, first, wantRecovered)
	}
	target.log().expect("connection", 5*time.Second, func(ev srvEvent) bool {
		return ev.Event == "connection" && ev.ID == id && ev.Recovered == wantRecovered
	})
	if !wantRecovered {
		return
	}
	if _, err := s.Timeout(3*time.Second).EmitWithAck(ctx, "schedule", "r", []string{"new"}, 0); err != nil {
		t.Fatal(err)
	}
	var events []string
	for len(events) < 4 {
		events = append(events, recvVal(t, got, "sched"))
	}
	if fmt.Sprint(events) != "[m1 m2 m3 new]" {
		t.Fatalf("events %v, want [m1 m2 m3 new]", events)
	}
	select {
	case v := <-got:
		t.Fatalf("unexpected %q", v)
	case <-time.After(200 * time.Millisecond):
	}
}

// After a server-side disconnect there is no session: a later Connect is
// a new socket.
func clientCSRKicked(t *testing.T, kind, transport string) {
	target := startTarget(t, kind, targetOpts{transports: []string{transport}, recovery: 10 * time.Second})
	o := fastClient()
	o.Transports = []string{transport}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := client.Connect(ctx, target.url()+"/", o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec := watch(s)
	got := make(chan string, 8)
	s.On("sched", func(name string) { got <- name })
	first := s.ID()
	s.Timeout(3*time.Second).EmitWithAck(ctx, "schedule", "x", []string{"before"}, 0)
	s.Timeout(3*time.Second).EmitWithAck(ctx, "join", "x")
	s.Timeout(3*time.Second).EmitWithAck(ctx, "schedule", "x", []string{"before"}, 0)
	recvVal(t, got, "sched")
	s.Emit("kick")
	if r := recvVal(t, rec.disconnects, "disconnect"); r != string(client.ReasonServerDisconnect) {
		t.Fatalf("reason %q", r)
	}
	s.Connect()
	id := recvVal(t, rec.connects, "connect")
	if s.Recovered() || id == first {
		t.Fatalf("after a server disconnect: recovered=%v same id=%v", s.Recovered(), id == first)
	}
}

func recvVal[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(clientWait):
		t.Fatalf("no %s within %v", what, clientWait)
	}
	var zero T
	return zero
}
