package redistest

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/client"
)

// Recorder collects the events a client receives, as "name:arg0".
type Recorder struct {
	mu     sync.Mutex
	events []string
	ch     chan string
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{ch: make(chan string, 10000)} }

// Add records an event.
func (r *Recorder) Add(s string) {
	r.mu.Lock()
	r.events = append(r.events, s)
	r.mu.Unlock()
	select {
	case r.ch <- s:
	default:
	}
}

// Events returns every event recorded so far.
func (r *Recorder) Events() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// Expect waits (5s) for the event s, skipping others.
func (r *Recorder) Expect(t testing.TB, s string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case got := <-r.ch:
			if got == s {
				return
			}
		case <-timeout:
			t.Fatalf("did not receive %q; got %q", s, r.Events())
		}
	}
}

// None checks that nothing arrives for d.
func (r *Recorder) None(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case got := <-r.ch:
		t.Fatalf("unexpected event %q", got)
	case <-time.After(d):
	}
}

// WaitFor polls cond every 20ms for 10s.
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// GoClient is a client of package client recording its events.
type GoClient struct {
	S   *client.Socket
	Rec *Recorder
}

// Connect connects a WebSocket client of package client to base+nsp with
// the query (e.g. "room=r1&data=x"); it records every event as
// "name:arg0" and acknowledges with "ack-"+name.
func Connect(t testing.TB, base, nsp, query string) *GoClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	q, _ := url.ParseQuery(query)
	s, err := client.Connect(ctx, base+nsp, &client.Options{Transports: []string{"websocket"}, Query: q, NoReconnection: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder()
	s.OnAny(func(e *client.Event) {
		v := ""
		if e.Len() > 0 {
			var x any
			_ = e.Decode(0, &x)
			switch x := x.(type) {
			case []byte:
				v = "bin:" + string(x)
			default:
				v = fmt.Sprint(x)
			}
		}
		rec.Add(e.Name + ":" + v)
		if e.HasAck() {
			_ = e.Ack("ack-" + e.Name)
		}
	})
	s.OnDisconnect(func(reason client.Reason, _ error) { rec.Add("disconnect:" + string(reason)) })
	t.Cleanup(s.Disconnect)
	return &GoClient{S: s, Rec: rec}
}
