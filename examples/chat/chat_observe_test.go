package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/client"
)

// syncBuffer is a bytes.Buffer safe for the exporter and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestObserveFlags runs the demo with -admin, -metrics and -otel: the UI
// is served at /admin/, the admin namespace takes the password, /metrics
// counts a chat line, and the line's spans are printed.
func TestObserveFlags(t *testing.T) {
	var f observeFlags
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	f.register(fs)
	if err := fs.Parse([]string{"-admin", "-admin-password", "pw", "-metrics", "-otel"}); err != nil {
		t.Fatal(err)
	}
	spans := &syncBuffer{}
	f.otelOut = spans
	chat := newChat()
	mux := newMux(chat, "node_modules/socket.io-client/dist")
	stop, err := observe(chat, mux, f)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	defer func() { stop(); chat.Close(); srv.Close() }()

	res, err := http.Get(srv.URL + "/admin/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "Socket.IO Admin UI") {
		t.Fatalf("/admin/: %d %.200s (npm ci --prefix examples/chat installs the UI)", res.StatusCode, page)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := client.Connect(ctx, srv.URL+"/admin", &client.Options{NoReconnection: true, Auth: map[string]any{"username": "admin", "password": "nope"}}); err == nil {
		t.Fatal("the admin namespace took a wrong password")
	}
	adm, err := client.Connect(ctx, srv.URL+"/admin", &client.Options{NoReconnection: true, Auth: map[string]any{"username": "admin", "password": "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Disconnect()
	ann, err := client.Connect(ctx, srv.URL+"/", &client.Options{NoReconnection: true, Auth: map[string]any{"name": "ann"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ann.Disconnect()
	if _, err := ann.EmitWithAck(ctx, "say", Message{Room: "lobby", Text: "hello"}); err != nil {
		t.Fatal(err)
	}

	res, err = http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`socketio_events_received_total{event="say",namespace="/"} 1`, `socketio_connected{namespace="/"} 1`, `socketio_connected{namespace="/admin"} 1`, "go_goroutines"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(spans.String(), `"Name": "receive /"`) || !strings.Contains(spans.String(), `"Name": "send /"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no receive and send spans printed:\n%.2000s", spans.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
