package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gosio/socketio"
	"github.com/gosio/socketio/client"
	"golang.org/x/crypto/bcrypt"
)

// The official admin UI in a real browser. testdata/browser holds the
// npm packages (package.json and its lock file): @socket.io/admin-ui
// 0.5.1, whose ui/dist is the UI's build, served here from this test's
// server; socket.io-client 4.8.4 and playwright-core, which drives
// Debian's /usr/bin/chromium. `npm ci --prefix admin/testdata/browser`
// (make deps) installs them.

const browserDir = "testdata/browser"

// appClient is a Go client of the application namespace, with what it
// was sent by the admin actions.
type appClient struct {
	Name      string   `json:"name"`
	ID        string   `json:"id"`
	Transport string   `json:"transport"`
	News      []string `json:"news"`
	Gone      string   `json:"gone"` // the disconnect reason, "" while connected

	mu sync.Mutex
	s  *client.Socket
}

// browserState is what /test/state reports, for the script to compare
// with what the UI shows.
type browserState struct {
	Clients             []*appClient        `json:"clients"`
	Rooms               map[string][]string `json:"rooms"` // public room -> socket ids
	Namespaces          map[string]int      `json:"namespaces"`
	ClientsCount        int                 `json:"clientsCount"`
	PollingClientsCount int                 `json:"pollingClientsCount"`
}

func TestAdminUIInBrowser(t *testing.T) {
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s (%v): apt-get install -y chromium", chromium, err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is required for the browser test: %v", err)
	}
	modules := filepath.Join(browserDir, "node_modules")
	uiDir := filepath.Join(modules, "@socket.io", "admin-ui", "ui", "dist")
	for _, f := range []string{filepath.Join(uiDir, "index.html"), filepath.Join(modules, "playwright-core", "package.json"), filepath.Join(modules, "socket.io-client", "dist", "socket.io.min.js")} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%v: run `npm ci --prefix admin/testdata/browser` (or make deps)", err)
		}
	}

	hash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.DefaultCost)
	if err != nil {
		t.Fatal(err)
	}
	io := socketio.NewServer(nil)
	io.Use(func(s *socketio.Socket) error {
		name, _ := s.Handshake().Auth["name"].(string)
		s.SetData(map[string]any{"name": name})
		return nil
	})
	io.OnConnection(func(s *socketio.Socket) {
		s.Join("lobby")
		if team, _ := s.Handshake().Auth["team"].(string); team != "" {
			s.Join(team)
		}
	})
	adm, err := Instrument(io, Options{Auth: &BasicAuth{Username: "admin", PasswordHash: string(hash)}, ServerID: "gosio-1"})
	if err != nil {
		t.Fatal(err)
	}
	var clients []*appClient
	var clientsMu sync.Mutex // the race detector does not see the script's requests follow the appends
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	mux.Handle("/admin/", http.StripPrefix("/admin/", UIHandler(uiDir)))
	mux.Handle("/vendor/", http.StripPrefix("/vendor/", http.FileServer(http.Dir(filepath.Join(modules, "socket.io-client", "dist")))))
	mux.HandleFunc("/test/state", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		clientsMu.Lock()
		defer clientsMu.Unlock()
		json.NewEncoder(w).Encode(stateOf(io, clients))
	})
	hs := httptest.NewServer(mux)
	t.Cleanup(func() {
		for _, c := range clients {
			c.s.Disconnect()
		}
		adm.Close()
		io.Close()
		hs.Close()
	})

	for _, c := range []struct{ name, team, transport string }{
		{"alice", "team-a", "websocket"},
		{"bob", "team-a", "websocket"},
		{"carol", "team-b", "polling"},
	} {
		c := connectApp(t, hs.URL, c.name, c.team, c.transport)
		clientsMu.Lock()
		clients = append(clients, c)
		clientsMu.Unlock()
	}

	out := t.ArtifactDir() // kept with go test -artifacts; else a temporary directory
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(browserDir, "admin.spec.mjs"), hs.URL, out)
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium, "ADMIN_USER=admin", "ADMIN_PASSWORD="+testPassword)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	output, err := cmd.CombinedOutput()
	took := time.Since(start).Round(time.Millisecond)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			err = errors.Join(err, ctx.Err())
		}
		t.Fatalf("browser test failed after %v: %v\n%s\nscreenshots in %s", took, err, strings.TrimSpace(string(output)), out)
	}
	t.Logf("browser test passed in %v; screenshots in %s\n%s", took, out, strings.TrimSpace(string(output)))

	// What the script did through the UI, checked on the clients.
	clientsMu.Lock()
	state := stateOf(io, clients)
	clientsMu.Unlock()
	byName := map[string]*appClient{}
	for _, c := range state.Clients {
		byName[c.Name] = c
	}
	if got := byName["bob"].News; !slices.Equal(got, []string{"from the admin UI"}) {
		t.Errorf("bob (team-a) got %q from the UI's emit", got)
	}
	if got := byName["carol"].News; len(got) != 0 {
		t.Errorf("carol (team-b) got %q from an emit to team-a", got)
	}
	if byName["alice"].Gone != string(client.ReasonServerDisconnect) {
		t.Errorf("alice, disconnected from the UI, has reason %q", byName["alice"].Gone)
	}
	if !slices.Contains(state.Rooms["vip"], byName["carol"].ID) {
		t.Errorf("carol is not in vip, joined from the UI: %v", state.Rooms)
	}
}

// connectApp connects a Go client to "/" as name, in team, over
// transport only.
func connectApp(t *testing.T, url, name, team, transport string) *appClient {
	t.Helper()
	c := &appClient{Name: name, Transport: transport}
	m := client.NewManager(url, &client.Options{Transports: []string{transport}, NoReconnection: true, Auth: map[string]any{"name": name, "team": team}})
	s := m.Socket("/", nil)
	c.s = s
	s.On("news", func(msg string) {
		c.mu.Lock()
		c.News = append(c.News, msg)
		c.mu.Unlock()
	})
	s.OnDisconnect(func(r client.Reason, _ error) {
		c.mu.Lock()
		c.Gone = string(r)
		c.mu.Unlock()
	})
	connected := make(chan struct{}, 1)
	s.OnConnect(func() {
		select {
		case connected <- struct{}{}:
		default:
		}
	})
	s.Connect()
	select {
	case <-connected:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not connect", name)
	}
	c.ID = s.ID()
	return c
}

func stateOf(io *socketio.Server, clients []*appClient) browserState {
	st := browserState{Rooms: map[string][]string{}, Namespaces: map[string]int{}}
	polling, websocket := io.Engine().TransportCounts()
	st.ClientsCount, st.PollingClientsCount = polling+websocket, polling
	for _, n := range io.Namespaces() {
		st.Namespaces[n.Name()] = n.SocketsCount()
	}
	for _, s := range io.Sockets().Sockets() {
		for _, r := range s.Rooms() {
			if r != s.ID() {
				st.Rooms[r] = append(st.Rooms[r], s.ID())
			}
		}
	}
	for _, c := range clients {
		c.mu.Lock()
		cp := &appClient{Name: c.Name, ID: c.ID, Transport: c.Transport, News: slices.Clone(c.News), Gone: c.Gone}
		c.mu.Unlock()
		st.Clients = append(st.Clients, cp)
	}
	return st
}
