package client

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosio/socketio/parser"
)

// A server that sends a packet that is not Socket.IO once the socket is
// connected: the socket and the Manager report ReasonParseError with the
// decoding error as the cause, on the handler goroutine.
func TestParseErrorCause(t *testing.T) {
	var gets atomic.Int32
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Query().Get("sid") == "":
			w.Write([]byte(`0{"sid":"AAAAAAAAAAAAAAAAAAAA","upgrades":[],"pingInterval":10000,"pingTimeout":10000,"maxPayload":1000000}`))
		case r.Method == http.MethodPost:
			w.Write([]byte("ok"))
		default:
			switch gets.Add(1) {
			case 1:
				w.Write([]byte(`40{"sid":"BBBBBBBBBBBBBBBBBBBB"}`))
			case 2:
				w.Write([]byte("4Z"))
			default:
				<-r.Context().Done()
			}
		}
	}))
	defer fake.Close()
	o := fast()
	o.Transports = []string{"polling"}
	o.NoReconnection = true
	m := NewManager(fake.URL, o)
	s := m.Socket("/", nil)
	type rc struct {
		reason Reason
		cause  error
	}
	sock, mgr := make(chan rc, 1), make(chan rc, 1)
	s.OnDisconnect(func(r Reason, err error) { sock <- rc{r, err} })
	m.OnClose(func(r Reason, err error) { mgr <- rc{r, err} })
	s.Connect()
	defer s.Disconnect()
	for who, ch := range map[string]chan rc{"socket": sock, "manager": mgr} {
		select {
		case got := <-ch:
			if got.reason != ReasonParseError || !errors.Is(got.cause, parser.ErrUnknownType) {
				t.Errorf("%s: %q %v, want parse error with parser.ErrUnknownType", who, got.reason, got.cause)
			}
		case <-time.After(10 * time.Second): // a bound, not a timing: CI runs packages in parallel under -race
			t.Fatalf("%s: no close", who)
		}
	}
}

// The reasons are socket.io-client's strings.
func TestReasonStrings(t *testing.T) {
	for r, want := range map[Reason]string{
		ReasonServerDisconnect: "io server disconnect", ReasonClientDisconnect: "io client disconnect",
		ReasonPingTimeout: "ping timeout", ReasonTransportClose: "transport close",
		ReasonTransportError: "transport error", ReasonParseError: "parse error", ReasonForcedClose: "forced close",
	} {
		if string(r) != want {
			t.Errorf("%q, want %q", r, want)
		}
	}
}

// The getters report socket.io-client's defaults and what the setters
// set; the setters clamp negative values.
func TestManagerControls(t *testing.T) {
	m := NewManager("http://127.0.0.1:1", nil)
	if !m.Reconnection() || m.ReconnectionAttempts() != 0 || m.ReconnectionDelay() != time.Second ||
		m.ReconnectionDelayMax() != 5*time.Second || m.RandomizationFactor() != 0.5 || m.Timeout() != 20*time.Second {
		t.Errorf("defaults: %v %d %v %v %v %v", m.Reconnection(), m.ReconnectionAttempts(), m.ReconnectionDelay(),
			m.ReconnectionDelayMax(), m.RandomizationFactor(), m.Timeout())
	}
	m.SetReconnection(false)
	m.SetReconnectionAttempts(-1)
	m.SetReconnectionDelay(-time.Second)
	m.SetReconnectionDelayMax(3 * time.Second)
	m.SetRandomizationFactor(-1)
	m.SetTimeout(-1)
	if m.Reconnection() || m.ReconnectionAttempts() != 0 || m.ReconnectionDelay() != 0 ||
		m.ReconnectionDelayMax() != 3*time.Second || m.RandomizationFactor() != 0 || m.Timeout() != 0 {
		t.Errorf("after the setters: %v %d %v %v %v %v", m.Reconnection(), m.ReconnectionAttempts(), m.ReconnectionDelay(),
			m.ReconnectionDelayMax(), m.RandomizationFactor(), m.Timeout())
	}
	m.SetReconnectionDelay(100 * time.Millisecond)
	m.mu.Lock()
	d := m.backoff.duration()
	m.mu.Unlock()
	if d != 100*time.Millisecond {
		t.Errorf("first delay %v after SetReconnectionDelay(100ms) without jitter", d)
	}
}
