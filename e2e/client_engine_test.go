package e2e

// The engine events of the Go client's Manager (Node: manager.engine.on:
// packet, packetCreate, drain, upgrade, upgradeError, close; and the
// Manager's own "packet"), against the official socket.io server and ours.

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/client"
	eioclient "github.com/gosio/socketio/engineio/client"
	"github.com/gosio/socketio/engineio/packet"
	"github.com/gosio/socketio/parser"
)

var engineScenarios = []clientScenario{
	{"engine-events", targetOpts{pingInterval: 200 * time.Millisecond, pingTimeout: 2 * time.Second}, scenarioEngineEvents},
	{"upgrade-error", targetOpts{}, scenarioUpgradeError},
}

func TestClientEngineEvents(t *testing.T) {
	for _, sc := range engineScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, kind := range []string{"node", "go"} {
				t.Run(kind, func(t *testing.T) {
					t.Parallel()
					sc.run(t, startTarget(t, kind, sc.opts))
				})
			}
		})
	}
}

// engineRec records a Manager's engine events.
type engineRec struct {
	mu       sync.Mutex
	received []packet.Packet
	created  []packet.Packet
	sio      []*parser.Packet
	drains   int
	upgrades chan string
	upErrs   chan error
	closes   chan string
}

func watchEngine(m *client.Manager) *engineRec {
	r := &engineRec{upgrades: make(chan string, 4), upErrs: make(chan error, 4), closes: make(chan string, 4)}
	m.OnEnginePacket(func(p packet.Packet) { r.mu.Lock(); r.received = append(r.received, p); r.mu.Unlock() })
	m.OnPacketCreate(func(p packet.Packet) { r.mu.Lock(); r.created = append(r.created, p); r.mu.Unlock() })
	m.OnPacket(func(p *parser.Packet) { r.mu.Lock(); r.sio = append(r.sio, p); r.mu.Unlock() })
	m.OnDrain(func() { r.mu.Lock(); r.drains++; r.mu.Unlock() })
	m.OnUpgrade(func(tr string) { r.upgrades <- tr })
	m.OnUpgradeError(func(err error) { r.upErrs <- err })
	m.OnEngineClose(func(reason client.Reason, _ error) { r.closes <- string(reason) })
	return r
}

// has reports whether a received (or created) packet of type typ whose
// data starts with prefix was seen.
func (r *engineRec) has(created bool, typ packet.Type, prefix string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	list := r.received
	if created {
		list = r.created
	}
	for _, p := range list {
		if p.Type == typ && strings.HasPrefix(string(p.Data), prefix) {
			return true
		}
	}
	return false
}

// Over a connection that opens on polling and upgrades: the open packet
// first, pings answered with pongs, the CONNECT and its reply, drains, the
// upgrade, and the close with its reason.
func scenarioEngineEvents(t *testing.T, tg sioTarget) {
	m, recs := newManager(t, tg, fastClient(), "/")
	r := watchEngine(m)
	connectAll(t, recs...)
	if tr := recvC(t, r.upgrades, "upgrade"); tr != "websocket" {
		t.Errorf("upgrade to %q", tr)
	}
	echo(t, tg, recs[0].s)
	waitUntil(t, clientWait, "a ping and its pong", func() bool {
		return r.has(false, packet.Ping, "") && r.has(true, packet.Pong, "")
	})
	r.mu.Lock()
	if len(r.received) == 0 || r.received[0].Type != packet.Open || !strings.Contains(string(r.received[0].Data), `"sid"`) {
		t.Errorf("first packet received: %+v, want the open packet", r.received[0])
	}
	drains := r.drains
	var connectReply bool
	for _, p := range r.sio {
		if p.Type == parser.Connect && p.Nsp == "/" && strings.Contains(string(p.Data), `"sid"`) {
			connectReply = true
		}
	}
	r.mu.Unlock()
	if !r.has(true, packet.Message, "0") || !r.has(false, packet.Message, "0{") {
		t.Errorf("no CONNECT sent or no reply received among the engine packets")
	}
	if !r.has(true, packet.Message, `2["echo"`) && !r.has(true, packet.Message, `5`) {
		t.Errorf("no echo among the created packets")
	}
	if !connectReply {
		t.Errorf("Manager.OnPacket: no CONNECT reply")
	}
	if drains == 0 {
		t.Errorf("no drain")
	}
	noRecvC(t, r.upErrs, 0, "upgrade error")
	m.Close()
	if reason := recvC(t, r.closes, "engine close"); reason != "forced close" {
		t.Errorf("engine close %q, want forced close", reason)
	}
}

// The upgrade fails (a front refuses WebSocket requests with HTTP 400, the
// server behind is the real one): upgradeError with "probe error" and the
// cause, and the connection goes on over polling.
func scenarioUpgradeError(t *testing.T, tg sioTarget) {
	backend, _ := url.Parse(tg.url())
	proxy := httputil.NewSingleHostReverseProxy(backend)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Query().Get("transport") == "websocket" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"code":3,"message":"Bad request"}`))
			return
		}
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(front.Close)
	m := client.NewManager(front.URL, fastClient())
	r := watchEngine(m)
	rec := watch(m.Socket("/", nil))
	t.Cleanup(func() {
		rec.s.Disconnect()
		m.Close()
	})
	connectAll(t, rec)
	err := recvC(t, r.upErrs, "upgrade error")
	var probe, ws *client.TransportError
	var he *eioclient.HandshakeError
	if !errors.As(err, &probe) || probe.Message != "probe error" || !errors.As(probe.Err, &ws) ||
		ws.Message != "websocket error" || ws.Status != 400 || !errors.As(err, &he) || he.Message != "Bad request" {
		t.Fatalf("upgrade error %v", err)
	}
	noRecvC(t, r.upgrades, 0, "upgrade")
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	if _, err := rec.s.EmitWithAck(ctx, "echo", 1); err != nil {
		t.Fatal(err)
	}
	if ev := tg.log().expect("echo", clientWait, isEvent("/", "echo")); ev.Transport != "polling" {
		t.Errorf("echo over %s", ev.Transport)
	}
}
