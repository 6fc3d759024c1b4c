package cluster

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gosio/socketio"
	"github.com/gosio/socketio/adapter/redis"
	"github.com/gosio/socketio/admin"
	"github.com/gosio/socketio/admin/redisstore"
	"github.com/gosio/socketio/client"
	goredis "github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"
)

// The browser script and npm packages of the admin module's browser test.
const browserDir = "../testdata/browser"

const password = "s3cret"

// node is one gosio server of the cluster.
type node struct {
	io  *socketio.Server
	adm *admin.Admin
	hs  *httptest.Server
	cl  *redis.Cluster
	rdb *goredis.Client
}

func startNode(t *testing.T, redisAddr, id, hash string, mux func(*socketio.Server) http.Handler) *node {
	t.Helper()
	rdb := goredis.NewClient(&goredis.Options{Addr: redisAddr})
	cl := redis.New(rdb, nil)
	io := socketio.NewServer(&socketio.Options{Adapter: cl.Adapter})
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
	adm, err := admin.Instrument(io, admin.Options{
		Auth:     &admin.BasicAuth{Username: "admin", PasswordHash: hash},
		ServerID: id,
		Sessions: redisstore.New(rdb, redisstore.Options{}),
	})
	if err != nil {
		t.Fatal(err)
	}
	n := &node{io: io, adm: adm, cl: cl, rdb: rdb}
	n.hs = httptest.NewServer(mux(io))
	return n
}

func (n *node) stop() {
	n.adm.Close()
	n.io.Close()
	n.hs.Close()
	n.cl.Close()
	n.rdb.Close()
}

// appClient is a Go client of "/" with what the admin actions did to it.
type appClient struct {
	Name      string   `json:"name"`
	ID        string   `json:"id"`
	Transport string   `json:"transport"`
	News      []string `json:"news"`
	Gone      string   `json:"gone"`

	mu sync.Mutex
	s  *client.Socket
}

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
	ok := make(chan struct{}, 1)
	s.OnConnect(func() {
		select {
		case ok <- struct{}{}:
		default:
		}
	})
	s.Connect()
	select {
	case <-ok:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not connect", name)
	}
	c.ID = s.ID()
	return c
}

// clusterState is /test/state for the whole cluster: what the UI,
// connected to one node, must show.
type clusterState struct {
	Clients             []*appClient        `json:"clients"`
	Rooms               map[string][]string `json:"rooms"`
	Namespaces          map[string]int      `json:"namespaces"`
	ClientsCount        int                 `json:"clientsCount"`
	PollingClientsCount int                 `json:"pollingClientsCount"`
}

func stateOf(nodes []*node, clients []*appClient) clusterState {
	st := clusterState{Rooms: map[string][]string{}, Namespaces: map[string]int{}}
	for _, n := range nodes {
		p, w := n.io.Engine().TransportCounts()
		st.ClientsCount += p + w
		st.PollingClientsCount += p
		for _, ns := range n.io.Namespaces() {
			st.Namespaces[ns.Name()] += ns.SocketsCount()
		}
		for _, s := range n.io.Sockets().Sockets() {
			for _, r := range s.Rooms() {
				if r != s.ID() {
					st.Rooms[r] = append(st.Rooms[r], s.ID())
				}
			}
		}
	}
	for _, c := range clients {
		c.mu.Lock()
		st.Clients = append(st.Clients, &appClient{Name: c.Name, ID: c.ID, Transport: c.Transport, News: slices.Clone(c.News), Gone: c.Gone})
		c.mu.Unlock()
	}
	return st
}

// TestAdminUIOverCluster: the UI connected to node A shows both nodes on
// its servers page, the cluster's sockets and rooms (summed on the
// dashboard), the details of a socket of node B, and its actions reach
// the sockets of node B through Redis.
func TestAdminUIOverCluster(t *testing.T) {
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s (%v): apt-get install -y chromium", chromium, err)
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is required: %v", err)
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server is required: apt-get install -y redis-server")
	}
	modules := filepath.Join(browserDir, "node_modules")
	uiDir := filepath.Join(modules, "@socket.io", "admin-ui", "ui", "dist")
	for _, f := range []string{filepath.Join(uiDir, "index.html"), filepath.Join(modules, "playwright-core", "package.json")} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%v: run `npm ci --prefix admin/testdata/browser` (or make deps)", err)
		}
	}
	rs := startRedis(t)
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}

	var nodes []*node
	var clients []*appClient
	var stateMu sync.Mutex
	muxA := func(io *socketio.Server) http.Handler {
		mux := http.NewServeMux()
		mux.Handle("/socket.io/", io)
		mux.Handle("/admin/", http.StripPrefix("/admin/", admin.UIHandler(uiDir)))
		mux.Handle("/vendor/", http.StripPrefix("/vendor/", http.FileServer(http.Dir(filepath.Join(modules, "socket.io-client", "dist")))))
		mux.HandleFunc("/test/state", func(w http.ResponseWriter, r *http.Request) {
			stateMu.Lock()
			defer stateMu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(stateOf(nodes, clients))
		})
		return mux
	}
	plain := func(io *socketio.Server) http.Handler { return io }
	a := startNode(t, rs.addr, "gosio-a", string(hash), muxA)
	b := startNode(t, rs.addr, "gosio-b", string(hash), plain)
	t.Cleanup(func() {
		for _, c := range clients {
			c.s.Disconnect()
		}
		a.stop()
		b.stop()
	})
	stateMu.Lock()
	nodes = []*node{a, b}
	clients = []*appClient{
		connectApp(t, a.hs.URL, "alice", "team-a", "websocket"),
		connectApp(t, b.hs.URL, "bob", "team-a", "websocket"),
		connectApp(t, b.hs.URL, "carol", "team-b", "polling"),
	}
	stateMu.Unlock()

	out := t.ArtifactDir()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeBin, filepath.Join(browserDir, "admin.spec.mjs"), a.hs.URL, out)
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium, "ADMIN_USER=admin", "ADMIN_PASSWORD="+password, "ADMIN_NODES=2")
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

	stateMu.Lock()
	st := stateOf(nodes, clients)
	stateMu.Unlock()
	by := map[string]*appClient{}
	for _, c := range st.Clients {
		by[c.Name] = c
	}
	if !slices.Equal(by["bob"].News, []string{"from the admin UI"}) || len(by["carol"].News) != 0 {
		t.Errorf("emit to team-a from node A's UI: bob (node B) got %q, carol %q", by["bob"].News, by["carol"].News)
	}
	if by["alice"].Gone != string(client.ReasonServerDisconnect) {
		t.Errorf("alice: reason %q", by["alice"].Gone)
	}
	if !slices.Contains(st.Rooms["vip"], by["carol"].ID) {
		t.Errorf("carol (node B) did not join vip from node A's UI: %v", st.Rooms)
	}
}

type redisServer struct {
	addr string
	cmd  *exec.Cmd
}

// startRedis runs redis-server on a free loopback port until the test
// ends.
func startRedis(t *testing.T) *redisServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &redisServer{addr: fmt.Sprintf("127.0.0.1:%d", port), cmd: cmd}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", r.addr, 200*time.Millisecond)
		if err != nil {
			continue
		}
		fmt.Fprint(c, "PING\r\n")
		c.SetReadDeadline(time.Now().Add(time.Second))
		line, _ := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if line == "+PONG\r\n" {
			return r
		}
	}
	t.Fatal("redis-server did not answer")
	return nil
}
