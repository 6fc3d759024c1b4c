package cluster

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gosio/socketio"
	"github.com/gosio/socketio/client"
	goredis "github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"
)

// TestSessionsSharedThroughRedis: a UI that logged in on node A is let
// in by node B with its session id alone, as with the npm package's
// RedisStore (same key and TTL); an unknown id is refused.
func TestSessionsSharedThroughRedis(t *testing.T) {
	rs := startRedis(t)
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	plain := func(io *socketio.Server) http.Handler { return io }
	a := startNode(t, rs.addr, "gosio-a", string(hash), plain)
	b := startNode(t, rs.addr, "gosio-b", string(hash), plain)
	t.Cleanup(func() { a.stop(); b.stop() })

	m := client.NewManager(a.hs.URL, &client.Options{NoReconnection: true, Auth: map[string]any{"username": "admin", "password": password}})
	ui := m.Socket("/admin", nil)
	session := make(chan string, 1)
	ui.On("session", func(id string) { session <- id })
	ui.Connect()
	defer ui.Disconnect()
	var id string
	select {
	case id = <-session:
	case <-time.After(5 * time.Second):
		t.Fatal("no session from node A")
	}

	rdb := goredis.NewClient(&goredis.Options{Addr: rs.addr})
	defer rdb.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if v, err := rdb.Get(ctx, "socket.io-admin#"+id).Result(); err != nil || v != "1" {
		t.Fatalf("Redis key socket.io-admin#%s = %q, %v", id, v, err)
	}
	if ttl, err := rdb.TTL(ctx, "socket.io-admin#"+id).Result(); err != nil || ttl < 86000*time.Second || ttl > 86400*time.Second {
		t.Errorf("session TTL %v, %v; want 86400 s", ttl, err)
	}

	onB, err := client.Connect(ctx, b.hs.URL+"/admin", &client.Options{NoReconnection: true, Auth: map[string]any{"sessionId": id}})
	if err != nil {
		t.Fatalf("node B refused node A's session: %v", err)
	}
	onB.Disconnect()
	_, err = client.Connect(ctx, b.hs.URL+"/admin", &client.Options{NoReconnection: true, Auth: map[string]any{"sessionId": "ffffffffffffffff"}})
	var ce *client.ConnectError
	if !errors.As(err, &ce) || ce.Message != "invalid credentials" {
		t.Errorf("unknown session on node B: %v", err)
	}
}
