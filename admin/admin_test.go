package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio"
	"github.com/gosio/socketio/client"
	"github.com/gosio/socketio/engineio"
	"golang.org/x/crypto/bcrypt"
)

// The protocol as a Go client sees it. Compatibility with the real UI is
// browser_test.go's job; these check each rule of the protocol on its
// own: login, sessions, features, statistics, development events and
// actions.

const testPassword = "s3cret"

var testHash = func() string {
	h, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		panic(err)
	}
	return string(h)
}()

// server is a gosio server on 127.0.0.1 with an application namespace
// "/" (a socket joins "lobby", "setname" sets its data, "ping" is acked)
// and the admin instrumentation.
type server struct {
	io  *socketio.Server
	adm *Admin
	url string
}

func newServer(t *testing.T, opts Options) *server {
	t.Helper()
	io := socketio.NewServer(&socketio.Options{Engine: engineio.Options{PingInterval: time.Minute}})
	io.OnConnection(func(s *socketio.Socket) {
		s.Join("lobby")
		s.On("setname", func(name string) { s.SetData(map[string]any{"name": name}) })
		s.On("ping", func(ack func(string)) { s.Emit("pong", "p"); ack("ok") })
	})
	if opts.StatsInterval == 0 {
		opts.StatsInterval = 50 * time.Millisecond
	}
	adm, err := Instrument(io, opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(io)
	t.Cleanup(func() {
		adm.Close()
		io.Close()
		hs.Close()
	})
	return &server{io: io, adm: adm, url: hs.URL}
}

// recorder keeps the events a client received, raw.
type recorder struct {
	mu     sync.Mutex
	events []recorded
}

type recorded struct {
	name string
	args []json.RawMessage
}

func (r *recorder) on(e *client.Event) {
	rec := recorded{name: e.Name}
	for i := range e.Len() {
		rec.args = append(rec.args, e.Raw(i))
	}
	r.mu.Lock()
	r.events = append(r.events, rec)
	r.mu.Unlock()
}

// wait returns the first event named name for which match (nil: any)
// holds, waiting up to 3 s.
func (r *recorder) wait(t *testing.T, name string, match func(args []json.RawMessage) bool) []json.RawMessage {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		r.mu.Lock()
		for _, e := range r.events {
			if e.name == name && (match == nil || match(e.args)) {
				r.mu.Unlock()
				return e.args
			}
		}
		r.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("no %q event matching; got %v", name, r.names())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// find returns the arguments of the first event name matching, if any.
func (r *recorder) find(name string, match func(args []json.RawMessage) bool) ([]json.RawMessage, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.name == name && (match == nil || match(e.args)) {
			return e.args, true
		}
	}
	return nil, false
}

func (r *recorder) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.name)
	}
	return out
}

func (r *recorder) count(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.name == name {
			n++
		}
	}
	return n
}

// dial connects a Go client to nsp, recording every event from the
// start (the UI's events come right after the CONNECT).
func dial(t *testing.T, url, nsp string, auth map[string]any) (*client.Socket, *recorder, error) {
	t.Helper()
	m := client.NewManager(url, &client.Options{Auth: auth, NoReconnection: true, Transports: []string{"websocket"}})
	s := m.Socket(nsp, nil)
	rec := &recorder{}
	s.OnAny(rec.on)
	done := make(chan error, 1)
	s.OnConnect(func() {
		select {
		case done <- nil:
		default:
		}
	})
	s.OnConnectError(func(err error) {
		select {
		case done <- err:
		default:
		}
	})
	s.Connect()
	t.Cleanup(s.Disconnect)
	select {
	case err := <-done:
		return s, rec, err
	case <-time.After(5 * time.Second):
		return s, rec, errors.New("connect timed out")
	}
}

func mustDial(t *testing.T, url, nsp string, auth map[string]any) (*client.Socket, *recorder) {
	t.Helper()
	s, rec, err := dial(t, url, nsp, auth)
	if err != nil {
		t.Fatalf("connect %s: %v", nsp, err)
	}
	return s, rec
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

func TestInstrumentRefusesBadOptions(t *testing.T) {
	io := socketio.NewServer(nil)
	defer io.Close()
	for name, opts := range map[string]Options{
		"no auth chosen": {},
		"not a hash":     {Auth: &BasicAuth{Username: "a", PasswordHash: "plain"}},
		"unknown mode":   {NoAuth: true, Mode: "staging"},
	} {
		if _, err := Instrument(io, opts); err == nil {
			t.Errorf("%s: Instrument accepted %+v", name, opts)
		}
	}
}

// TestLogin: wrong credentials get exactly "invalid credentials" (the UI
// matches the text); right ones get a session id, which then logs in
// alone; the config lists every feature in development mode.
func TestLogin(t *testing.T) {
	srv := newServer(t, Options{Auth: &BasicAuth{Username: "admin", PasswordHash: testHash}})
	for _, auth := range []map[string]any{
		{"username": "admin", "password": "wrong"},
		{"username": "root", "password": testPassword},
		{"sessionId": "0123456789abcdef"},
		nil,
	} {
		_, _, err := dial(t, srv.url, "/admin", auth)
		var ce *client.ConnectError
		if !errors.As(err, &ce) || ce.Message != "invalid credentials" {
			t.Errorf("auth %v: err %v, want connect error \"invalid credentials\"", auth, err)
		}
	}

	_, rec := mustDial(t, srv.url, "/admin", map[string]any{"username": "admin", "password": testPassword})
	sid := decode[string](t, rec.wait(t, "session", nil)[0])
	if len(sid) != 16 {
		t.Errorf("session id %q, want 16 hex characters", sid)
	}
	cfg := decode[struct {
		SupportedFeatures []string `json:"supportedFeatures"`
	}](t, rec.wait(t, "config", nil)[0])
	want := []string{"EMIT", "JOIN", "LEAVE", "DISCONNECT", "MJOIN", "MLEAVE", "MDISCONNECT", "AGGREGATED_EVENTS", "ALL_EVENTS"}
	if !slices.Equal(cfg.SupportedFeatures, want) {
		t.Errorf("features %q, want %q", cfg.SupportedFeatures, want)
	}
	rec.wait(t, "all_sockets", nil)

	_, rec2 := mustDial(t, srv.url, "/admin", map[string]any{"sessionId": sid})
	rec2.wait(t, "config", nil)
	if n := rec2.count("session"); n != 0 {
		t.Errorf("a session login got %d new sessions", n)
	}
}

// TestReadOnlyProduction: a read-only instrumentation in production mode
// offers aggregated statistics only, sends no socket list or events, and
// ignores actions.
func TestReadOnlyProduction(t *testing.T) {
	srv := newServer(t, Options{NoAuth: true, ReadOnly: true, Mode: Production})
	app, appRec := mustDial(t, srv.url, "/", nil)
	_, rec := mustDial(t, srv.url, "/admin", nil)
	cfg := decode[map[string][]string](t, rec.wait(t, "config", nil)[0])
	if !slices.Equal(cfg["supportedFeatures"], []string{"AGGREGATED_EVENTS"}) {
		t.Errorf("features %q", cfg["supportedFeatures"])
	}
	// An action from a UI: ignored.
	ui, _ := mustDial(t, srv.url, "/admin", nil)
	ui.Emit("emit", "/", nil, "news", "hi")
	ui.Emit("_disconnect", "/", true)
	rec.wait(t, "server_stats", nil)
	time.Sleep(100 * time.Millisecond)
	if !app.Connected() || appRec.count("news") != 0 {
		t.Errorf("a read-only admin acted: connected %v, news %d", app.Connected(), appRec.count("news"))
	}
	for _, name := range []string{"all_sockets", "socket_connected", "socket_updated", "event_received", "room_joined"} {
		if n := rec.count(name); n != 0 {
			t.Errorf("production mode sent %d %q", n, name)
		}
	}
}

type stats struct {
	ServerID            string             `json:"serverId"`
	Hostname            string             `json:"hostname"`
	PID                 int                `json:"pid"`
	Uptime              float64            `json:"uptime"`
	ClientsCount        int                `json:"clientsCount"`
	PollingClientsCount int                `json:"pollingClientsCount"`
	AggregatedEvents    []aggregatedEvent  `json:"aggregatedEvents"`
	Namespaces          []namespaceDetails `json:"namespaces"`
}

// TestServerStats: the counts match the server: two application
// clients (one on polling), one UI, and the aggregated engine events.
func TestServerStats(t *testing.T) {
	srv := newServer(t, Options{NoAuth: true, ServerID: "node-a"})
	mustDial(t, srv.url, "/", nil)
	m := client.NewManager(srv.url, &client.Options{Transports: []string{"polling"}, NoReconnection: true})
	poll := m.Socket("/", nil)
	poll.Connect()
	t.Cleanup(poll.Disconnect)
	_, rec := mustDial(t, srv.url, "/admin", nil)
	var st stats
	var inBytes, connections int64
	rec.wait(t, "server_stats", func(args []json.RawMessage) bool {
		st = decode[stats](t, args[0])
		for _, e := range st.AggregatedEvents {
			switch e.Type {
			case "rawConnection":
				connections += e.Count
			case "bytesIn":
				inBytes += e.Count
			}
		}
		return st.ClientsCount == 3 && st.PollingClientsCount == 1 && connections >= 3 && inBytes > 0
	})
	if st.ServerID != "node-a" || st.PID == 0 || st.Hostname == "" {
		t.Errorf("identity %+v", st)
	}
	want := []namespaceDetails{{"/", 2}, {"/admin", 1}}
	if !slices.Equal(st.Namespaces, want) {
		t.Errorf("namespaces %+v, want %+v", st.Namespaces, want)
	}
}

// TestDevelopmentEvents: a UI hears of sockets, rooms, data, transports
// and events, with the shapes the UI reads.
func TestDevelopmentEvents(t *testing.T) {
	srv := newServer(t, Options{NoAuth: true})
	first, _ := mustDial(t, srv.url, "/", nil)
	// OnConnection (which joins lobby) runs after the CONNECT reply.
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if s := srv.io.Sockets().Socket(first.ID()); s != nil && slices.Contains(s.Rooms(), "lobby") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first socket never joined lobby")
		}
	}
	_, rec := mustDial(t, srv.url, "/admin", nil)

	all := decode[[]serializedSocket](t, rec.wait(t, "all_sockets", nil)[0])
	var found *serializedSocket
	for i := range all {
		if all[i].ID == first.ID() {
			found = &all[i]
		}
	}
	if found == nil || found.Nsp != "/" || found.Transport != "websocket" || len(found.ClientID) != 12 ||
		!slices.Contains(found.Rooms, "lobby") || string(found.Data) != "{}" {
		t.Fatalf("all_sockets entry %+v in %+v", found, all)
	}
	hs := found.Handshake
	if hs.Address != "127.0.0.1" || hs.Query["transport"] != "websocket" || hs.Issued == 0 ||
		!strings.HasSuffix(hs.Time, "GMT+0000 (Coordinated Universal Time)") || hs.Headers["host"] == nil {
		t.Errorf("handshake %+v", hs)
	}

	app, _ := mustDial(t, srv.url, "/", nil)
	id := app.ID()
	isID := func(i int) func([]json.RawMessage) bool {
		return func(a []json.RawMessage) bool { return len(a) > i && strings.Contains(string(a[i]), id) }
	}
	conn := decode[serializedSocket](t, rec.wait(t, "socket_connected", isID(0))[0])
	if conn.Nsp != "/" || conn.Transport != "websocket" {
		t.Errorf("socket_connected %+v", conn)
	}
	joined := rec.wait(t, "room_joined", func(a []json.RawMessage) bool { return string(a[1]) == `"lobby"` && isID(2)(a) })
	if decode[string](t, joined[0]) != "/" || !strings.HasSuffix(decode[string](t, joined[3]), "Z") {
		t.Errorf("room_joined %s", joined)
	}

	app.Emit("setname", "bob")
	upd := decode[map[string]json.RawMessage](t, rec.wait(t, "socket_updated", isID(0))[0])
	if string(upd["data"]) != `{"name":"bob"}` || string(upd["nsp"]) != `"/"` {
		t.Errorf("socket_updated %v", upd)
	}
	got := rec.wait(t, "event_received", isID(1))
	if string(got[2]) != `["setname","bob"]` {
		t.Errorf("event_received args %s", got[2])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := app.EmitWithAck(ctx, "ping"); err != nil {
		t.Fatal(err)
	}
	sent := rec.wait(t, "event_sent", isID(1))
	if string(sent[2]) != `["pong","p"]` {
		t.Errorf("event_sent args %s", sent[2])
	}
	if got := rec.wait(t, "event_received", func(a []json.RawMessage) bool { return isID(1)(a) && strings.Contains(string(a[2]), "ping") }); string(got[2]) != `["ping"]` {
		t.Errorf("an acked event is reported without its ack: %s", got[2])
	}

	app.Disconnect()
	gone := rec.wait(t, "socket_disconnected", isID(1))
	if decode[string](t, gone[2]) != "client namespace disconnect" {
		t.Errorf("socket_disconnected %s", gone)
	}
	rec.wait(t, "room_left", func(a []json.RawMessage) bool { return string(a[1]) == `"lobby"` && isID(2)(a) })
}

// TestUpgradeReported: a socket moving from polling to WebSocket is
// reported with its new transport.
func TestUpgradeReported(t *testing.T) {
	srv := newServer(t, Options{NoAuth: true})
	_, rec := mustDial(t, srv.url, "/admin", nil)
	m := client.NewManager(srv.url, &client.Options{NoReconnection: true})
	app := m.Socket("/", nil)
	app.Connect()
	t.Cleanup(app.Disconnect)
	// The Go client may finish its upgrade before its socket has connected:
	// then there is no socket_updated (as with Node's admin server, which
	// listens for the upgrade from the connection on), and socket_connected
	// already reports the WebSocket transport.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if upd, ok := rec.find("socket_updated", func(a []json.RawMessage) bool { return strings.Contains(string(a[0]), `"transport"`) }); ok {
			got := decode[map[string]string](t, upd[0])
			if got["transport"] != "websocket" || got["nsp"] != "/" || got["id"] == "" {
				t.Errorf("socket_updated %v", got)
			}
			return
		}
		if _, ok := rec.find("socket_connected", func(a []json.RawMessage) bool {
			return strings.Contains(string(a[0]), `"nsp":"/"`) && strings.Contains(string(a[0]), `"transport":"websocket"`)
		}); ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("neither socket_updated nor socket_connected with the WebSocket transport; got %v", rec.names())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestActions: emit, join, leave and disconnect from a UI act on the
// application's sockets; a filter narrows them to a room or one socket;
// a namespace that does not exist is not created.
func TestActions(t *testing.T) {
	srv := newServer(t, Options{NoAuth: true})
	a, aRec := mustDial(t, srv.url, "/", nil)
	b, bRec := mustDial(t, srv.url, "/", nil)
	ui, _ := mustDial(t, srv.url, "/admin", nil)
	rooms := func(id string) []string {
		s := srv.io.Sockets().Socket(id)
		if s == nil {
			return nil
		}
		r := s.Rooms()
		slices.Sort(r)
		return r
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(3 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out: %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	ui.Emit("emit", "/", nil, "news", "all", 1)
	aRec.wait(t, "news", nil)
	bRec.wait(t, "news", nil)
	ui.Emit("emit", "/", a.ID(), "direct", map[string]any{"k": "v"})
	if got := aRec.wait(t, "direct", nil); string(got[0]) != `{"k":"v"}` {
		t.Errorf("direct %s", got)
	}

	ui.Emit("join", "/", "vip", a.ID())
	waitFor("a joins vip", func() bool { return slices.Contains(rooms(a.ID()), "vip") })
	if slices.Contains(rooms(b.ID()), "vip") {
		t.Error("the filter did not apply: b joined vip")
	}
	ui.Emit("join", "/", "all-hands")
	waitFor("everyone joins all-hands", func() bool {
		return slices.Contains(rooms(a.ID()), "all-hands") && slices.Contains(rooms(b.ID()), "all-hands")
	})
	ui.Emit("leave", "/", "all-hands", "vip")
	waitFor("vip leaves all-hands", func() bool { return !slices.Contains(rooms(a.ID()), "all-hands") })
	if !slices.Contains(rooms(b.ID()), "all-hands") {
		t.Error("leave with a filter removed b too")
	}

	ui.Emit("join", "/nowhere", "x")
	ui.Emit("join", "/", 42) // malformed: ignored
	ui.Emit("_disconnect", "/", false, b.ID())
	waitFor("b disconnected", func() bool { return srv.io.Sockets().Socket(b.ID()) == nil })
	if srv.io.Sockets().Socket(a.ID()) == nil {
		t.Error("disconnect with a filter disconnected a too")
	}
	for _, n := range srv.io.Namespaces() {
		if n.Name() == "/nowhere" {
			t.Error("an action created a namespace")
		}
	}
	ui.Emit("_disconnect", "/", true)
	waitFor("a disconnected", func() bool { return srv.io.Sockets().SocketsCount() == 0 })
}

// TestMemoryStore: sessions expire after their TTL, and past the cap the
// one closest to expiry goes.
func TestMemoryStore(t *testing.T) {
	m := NewMemoryStore(time.Hour, 2)
	m.Save("a")
	time.Sleep(2 * time.Millisecond)
	m.Save("b")
	m.Save("c")
	if m.Exists("a") || !m.Exists("b") || !m.Exists("c") || m.Len() != 2 {
		t.Errorf("after the cap: a %v b %v c %v len %d", m.Exists("a"), m.Exists("b"), m.Exists("c"), m.Len())
	}
	short := NewMemoryStore(time.Millisecond, 0)
	short.Save("x")
	time.Sleep(5 * time.Millisecond)
	if short.Exists("x") {
		t.Error("an expired session is still valid")
	}
}

// TestActionsMalformed: actions with missing, null or mistyped arguments,
// or reserved event names, are ignored; the server and the UI go on.
func TestActionsMalformed(t *testing.T) {
	srv := newServer(t, Options{NoAuth: true})
	app, appRec := mustDial(t, srv.url, "/", nil)
	ui, rec := mustDial(t, srv.url, "/admin", nil)
	for _, args := range [][]any{
		{}, {nil}, {42}, {"/"}, {"/", nil}, {"/", nil, nil}, {"/", nil, 7}, {"/", 1, "ev"},
		{"/", nil, "connect"}, {"/", nil, "disconnect", 1}, {map[string]any{"a": 1}, nil, "x"},
		{[]byte{1, 2}, nil, "x"}, {"/", []any{"r"}, "x"},
	} {
		ui.Emit("emit", args...)
		ui.Emit("join", args...)
		ui.Emit("leave", args...)
	}
	// As in Node, _disconnect("/") and _disconnect("/", null) disconnect
	// the whole namespace (close is falsy): only wrong types are refused.
	for _, args := range [][]any{{}, {nil}, {42}, {"/", "yes"}, {"/", 1}, {"/", map[string]any{}}, {[]any{"/"}, true}} {
		ui.Emit("_disconnect", args...)
	}
	ui.Emit("join", "/", "") // no room
	// Still serving: a valid action after the bad ones works.
	ui.Emit("emit", "/", nil, "news", "ok")
	if got := appRec.wait(t, "news", nil); string(got[0]) != `"ok"` {
		t.Fatalf("news %s", got)
	}
	if !app.Connected() {
		t.Error("a malformed action disconnected the application's socket")
	}
	if n := appRec.count("connect") + appRec.count("x"); n != 0 {
		t.Errorf("malformed emits reached the client: %d", n)
	}
	rec.wait(t, "server_stats", nil)
}
