package main

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestChatInBrowser serves the demo in-process on 127.0.0.1 and drives it
// from Debian's headless Chromium with e2e/chat.spec.mjs (playwright-core):
// log in, upgrade to WebSocket, a lobby line and its ack, a refused empty
// name, and rooms that do not leak into each other.
//
// It needs chromium, node and two npm installs; `make test` (the deps
// target) and .ci/run provide them. Without them the test fails, naming the
// command, rather than skipping: a skipped browser test is easy to miss.
func TestChatInBrowser(t *testing.T) {
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s (%v): install it with `apt-get update && apt-get install -y chromium`", chromium, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is required for the browser test: %v", err)
	}
	clientDir := filepath.Join("node_modules", "socket.io-client", "dist")
	if _, err := os.Stat(filepath.Join(clientDir, "socket.io.min.js")); err != nil {
		t.Fatalf("the browser client is not installed (%v): run `npm ci --prefix examples/chat` (or `make deps`)", err)
	}
	if _, err := os.Stat(filepath.Join("e2e", "node_modules", "playwright-core", "package.json")); err != nil {
		t.Fatalf("playwright-core is not installed (%v): run `npm ci --prefix examples/chat/e2e` (or `make deps`)", err)
	}

	io := newChat()
	srv := httptest.NewServer(newMux(io, clientDir)) // 127.0.0.1:0
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := io.Shutdown(ctx); err != nil {
			t.Errorf("socket.io shutdown: %v", err)
		}
		srv.Close()
		goleak.VerifyNone(t)
	})

	// The script has its own 30 s limit; this one is for a wedged node.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	shot := filepath.Join(t.ArtifactDir(), "chat.png") // kept with go test -artifacts
	cmd := exec.CommandContext(ctx, node, filepath.Join("e2e", "chat.spec.mjs"), srv.URL+"/", shot)
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	// SIGTERM lets playwright close Chromium (its own process group) first.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	took := time.Since(start)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = errors.Join(err, ctx.Err())
		}
		t.Fatalf("browser test failed after %v: %v\n%s", took.Round(time.Millisecond), err, strings.TrimSpace(string(out)))
	}
	t.Logf("browser test passed in %v:\n%s", took.Round(time.Millisecond), strings.TrimSpace(string(out)))
}
