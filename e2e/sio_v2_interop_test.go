package e2e

// Interop with Socket.IO v2 clients: the official socket.io-client 2.5.0
// (npm alias socket.io-client-v2, Engine.IO v3) driven by
// js/sio-client-v2.mjs against our server with AllowEIO3.

import (
	"bytes"
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"

	socketio "github.com/gosio/socketio"
)

const v2Package = "socket.io-client-v2"

// v2Modes are the client setups: polling (binary payloads), polling
// with forceBase64 (b64=1), WebSocket (type-byte frames), WebSocket with
// forceBase64 ("b4" frames), and polling upgraded to WebSocket.
var v2Modes = []string{modePolling, "polling-b64", modeWebSocket, "websocket-b64", modeUpgraded}

func v2ClientOptions(mode string) map[string]any {
	switch mode {
	case "polling-b64":
		return map[string]any{"transports": []string{"polling"}, "forceBase64": true}
	case "websocket-b64":
		return map[string]any{"transports": []string{"websocket"}, "forceBase64": true}
	}
	return sioClientOptions(mode)
}

// v2ServerOptions are sioOptions with AllowEIO3: a 2.x client pings every
// pingInterval and the server times it out after pingInterval+pingTimeout.
func v2ServerOptions() *socketio.Options {
	o := sioOptions()
	o.Engine.AllowEIO3 = true
	return o
}

func startV2Client(t *testing.T, ss *sioServer, opts map[string]any) *sioClient {
	t.Helper()
	return startSIOClientScript(t, ss, "sio-client-v2.mjs", v2Package, opts)
}

// TestSIOv2EventsAndAcks: the 2.x client joins "/" without a CONNECT of
// its own; the socket id is the engine id, both sides agree on it; the
// query of the URL reaches handshake.query; events and acks both ways.
func TestSIOv2EventsAndAcks(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{modePolling, modeWebSocket, modeUpgraded} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			conns := make(chan *socketio.Socket, 1)
			got := make(chan string, 4)
			ss := startSIO(t, v2ServerOptions(), func(io *socketio.Server) {
				io.OnConnection(func(s *socketio.Socket) {
					s.On("echo", func(e *socketio.Event) { s.Emit("echo-back", e.Values()...) })
					s.On("sum", func(a, b int, ack func(int, string)) { ack(a+b, "done") })
					s.On("note", func(text string, n float64) { got <- text })
					conns <- s
				})
			})
			o := v2ClientOptions(mode)
			o["query"] = map[string]any{"token": "t0k", "v": "2"}
			c := startV2Client(t, ss, o)
			ev := c.connect("a", "/", "", nil)
			s := recv(t, conns, "connection")
			if ev.SID != s.ID() || s.ID() != s.Conn().ID() || s.Conn().Protocol() != 3 {
				t.Fatalf("client id %q, server id %q, engine id %q, protocol %d", ev.SID, s.ID(), s.Conn().ID(), s.Conn().Protocol())
			}
			if q := s.Handshake().Query; q.Get("token") != "t0k" || q.Get("EIO") != "3" || len(s.Handshake().Auth) != 0 {
				t.Errorf("handshake query %v auth %v", q, s.Handshake().Auth)
			}
			if mode == modeUpgraded {
				c.expect(match{event: "upgrade"}, sioTimeout)
			}

			c.emit("a", "echo", 1, "two", map[string]any{"three": []any{true, nil}}, "é€😀")
			back := c.expect(match{event: "event", id: "a", name: "echo-back"}, sioTimeout)
			if got, want := back.argsJSON(), `[1,"two",{"three":[true,null]},"é€😀"]`; got != want {
				t.Errorf("echo %s, want %s", got, want)
			}
			c.emitAck("a", "t1", "sum", 2, 40)
			if got := c.ack("a", "t1"); got != `[42,"done"]` {
				t.Errorf("ack %s", got)
			}
			c.emit("a", "note", "hello", 1)
			if got := recv(t, got, "note"); got != "hello" {
				t.Errorf("note %q", got)
			}

			// Server to client, with an ack the client answers.
			c.reply("a", "ask", "yes", 7)
			ctx, cancel := context.WithTimeout(context.Background(), sioTimeout)
			defer cancel()
			res, err := s.EmitWithAck(ctx, "ask", "q?")
			if err != nil || len(res.Values()) != 2 || res.Values()[0] != "yes" || res.Values()[1] != 7.0 {
				t.Fatalf("EmitWithAck %v %v", res.Values(), err)
			}
			if ev := c.expect(match{event: "event", id: "a", name: "ask"}, sioTimeout); ev.argsJSON() != `["q?"]` || !ev.HasAck {
				t.Errorf("ask %s", ev.raw)
			}
		})
	}
}

// TestSIOv2Binary: binary arguments at any depth both ways, on every
// framing a 2.x client uses.
func TestSIOv2Binary(t *testing.T) {
	t.Parallel()
	for _, mode := range v2Modes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			type nested struct {
				Data  []byte   `json:"data"`
				Parts [][]byte `json:"parts"`
			}
			got := make(chan nested, 1)
			conns := make(chan *socketio.Socket, 1)
			ss := startSIO(t, v2ServerOptions(), func(io *socketio.Server) {
				io.OnConnection(func(s *socketio.Socket) {
					s.On("bin", func(a []byte, obj nested) { got <- nested{Data: a, Parts: append([][]byte{obj.Data}, obj.Parts...)} })
					s.On("binack", func(in []byte, ack func([]byte, map[string]any)) {
						ack(append([]byte{0xff, 0}, in...), map[string]any{"deep": []any{[]byte{9, 9}}})
					})
					conns <- s
				})
			})
			c := startV2Client(t, ss, v2ClientOptions(mode))
			c.connect("a", "/", "", nil)
			s := recv(t, conns, "connection")
			if mode == modeUpgraded {
				c.expect(match{event: "upgrade"}, sioTimeout)
			}
			all := make([]byte, 256)
			for i := range all {
				all[i] = byte(i)
			}
			c.emit("a", "bin", bin(all, "buffer"), map[string]any{"data": bin([]byte{6, 7}, "buffer"), "parts": []any{bin([]byte{8}, "buffer"), bin(nil, "buffer")}})
			ev := recv(t, got, "bin event")
			if !bytes.Equal(ev.Data, all) || len(ev.Parts) != 3 || !bytes.Equal(ev.Parts[0], []byte{6, 7}) || !bytes.Equal(ev.Parts[1], []byte{8}) || len(ev.Parts[2]) != 0 {
				t.Errorf("binary args %v %v", short(ev.Data), ev.Parts)
			}
			c.emitAck("a", "t", "binack", bin([]byte{1, 2, 3}, "buffer"))
			if got, want := c.ack("a", "t"), "["+binOut([]byte{0xff, 0, 1, 2, 3}, "Buffer")+`,{"deep":[`+binOut([]byte{9, 9}, "Buffer")+`]}]`; got != want {
				t.Errorf("binary ack %s, want %s", got, want)
			}
			s.Emit("server-bin", []byte{4, 5, 6}, map[string]any{"x": []byte{}}, "text")
			bev := c.expect(match{event: "event", id: "a", name: "server-bin"}, sioTimeout)
			if got, want := bev.argsJSON(), "["+binOut([]byte{4, 5, 6}, "Buffer")+`,{"x":`+binOut(nil, "Buffer")+`},"text"]`; got != want {
				t.Errorf("server binary %s, want %s", got, want)
			}
		})
	}
}

// TestSIOv2Namespaces: a namespace's query is its handshake.auth; the
// id is "<nsp>#<engine id>"; refusals reach the client's "error" event
// with err.data or else err.message; an unknown namespace gets Node's
// object; events are routed per namespace over one connection.
func TestSIOv2Namespaces(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{modePolling, modeWebSocket} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			admins := make(chan *socketio.Socket, 1)
			mains := make(chan *socketio.Socket, 1)
			ss := startSIO(t, v2ServerOptions(), func(io *socketio.Server) {
				io.OnConnection(func(s *socketio.Socket) { mains <- s })
				io.Of("/admin").OnConnection(func(s *socketio.Socket) {
					s.On("who", func(ack func(string)) { ack("admin:" + s.ID()) })
					admins <- s
				})
				io.Of("/private").Use(func(s *socketio.Socket) error { return &socketio.ConnectError{Message: "not allowed"} })
				io.Of("/coded").Use(func(s *socketio.Socket) error {
					return &socketio.ConnectError{Message: "m", Data: map[string]any{"code": 4001}}
				})
			})
			c := startV2Client(t, ss, v2ClientOptions(mode))
			c.connect("main", "/", "", nil)
			main := recv(t, mains, "connection to /")
			c.do(map[string]any{"cmd": "socket", "id": "adm", "nsp": "/admin", "query": map[string]any{"token": "abc", "role": "ops"}})
			ev := c.expect(match{event: "connect", id: "adm"}, sioTimeout)
			adm := recv(t, admins, "connection to /admin")
			if want := "/admin#" + main.Conn().ID(); adm.ID() != want || adm.Conn() != main.Conn() {
				t.Errorf("admin id %q, want %q (one engine connection)", adm.ID(), want)
			}
			if auth := adm.Handshake().Auth; auth["token"] != "abc" || auth["role"] != "ops" || len(auth) != 2 {
				t.Errorf("auth %v", auth)
			}
			// The 2.x client names its socket "<nsp>#<engine id>" too.
			if ev.SID != adm.ID() {
				t.Errorf("client id %q, server id %q", ev.SID, adm.ID())
			}
			c.emitAck("adm", "w", "who")
			if got := c.ack("adm", "w"); got != `["admin:`+adm.ID()+`"]` {
				t.Errorf("ack %s", got)
			}

			for nsp, want := range map[string]string{"/private": `"not allowed"`, "/coded": `{"code":4001}`, "/nope": `{"message":"Invalid namespace"}`} {
				id := nsp[1:]
				c.do(map[string]any{"cmd": "socket", "id": id, "nsp": nsp})
				if ev := c.expect(match{event: "error", id: id}, sioTimeout); compactJSON(t, string(ev.Data)) != want {
					t.Errorf("%s: error %s, want %s", nsp, ev.Data, want)
				}
			}
			// The refusals left "/" and "/admin" connected.
			c.emitAck("adm", "w2", "who")
			c.ack("adm", "w2")
			if !main.Connected() || !adm.Connected() {
				t.Error("a refusal disconnected the others")
			}
		})
	}
}

// TestSIOv2Rooms: joins, room broadcasts with exceptions, leaves.
func TestSIOv2Rooms(t *testing.T) {
	t.Parallel()
	conns := make(chan *socketio.Socket, 3)
	var io *socketio.Server
	ss := startSIO(t, v2ServerOptions(), func(srv *socketio.Server) {
		io = srv
		srv.OnConnection(func(s *socketio.Socket) {
			s.On("join", func(room string, ack func()) { s.Join(room); ack() })
			s.On("leave", func(room string, ack func()) { s.Leave(room); ack() })
			s.On("shout", func(room, text string) { s.To(room).Emit("news", text) })
			conns <- s
		})
	})
	c := startV2Client(t, ss, v2ClientOptions(modeWebSocket))
	p := startV2Client(t, ss, v2ClientOptions(modePolling))
	c.connect("a", "/", "", nil)
	p.connect("b", "/", "", nil)
	c.do(map[string]any{"cmd": "socket", "id": "c", "nsp": "/", "conn": "other"})
	c.expect(match{event: "connect", id: "c"}, sioTimeout)
	for range 3 {
		recv(t, conns, "connection")
	}
	for _, x := range []struct {
		cl *sioClient
		id string
	}{{c, "a"}, {p, "b"}, {c, "c"}} {
		x.cl.emitAck(x.id, "j", "join", "lobby")
		x.cl.ack(x.id, "j")
	}
	io.To("lobby").Emit("news", "all")
	for _, x := range []struct {
		cl *sioClient
		id string
	}{{c, "a"}, {p, "b"}, {c, "c"}} {
		if ev := x.cl.expect(match{event: "event", id: x.id, name: "news"}, sioTimeout); ev.argsJSON() != `["all"]` {
			t.Errorf("%s: %s", x.id, ev.raw)
		}
	}
	// From a socket: everyone in the room but the sender.
	c.emit("a", "shout", "lobby", "from a")
	p.expect(match{event: "event", id: "b", name: "news"}, sioTimeout)
	c.expect(match{event: "event", id: "c", name: "news"}, sioTimeout)
	c.expectNone(match{event: "event", id: "a", name: "news"}, 200*time.Millisecond)

	p.emitAck("b", "l", "leave", "lobby")
	p.ack("b", "l")
	io.To("lobby").Emit("news", "after leave")
	c.expect(match{event: "event", id: "a", name: "news"}, sioTimeout)
	c.expect(match{event: "event", id: "c", name: "news"}, sioTimeout)
	p.expectNone(match{event: "event", id: "b", name: "news"}, 200*time.Millisecond)
}

// TestSIOv2DisconnectReasons: the reasons each side reports, as with
// Node's server.
func TestSIOv2DisconnectReasons(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		act    func(c *sioClient, s *socketio.Socket)
		server socketio.Reason
		client string // "" when the client's process is frozen
	}{
		{name: "client disconnect", act: func(c *sioClient, s *socketio.Socket) { c.do(map[string]any{"cmd": "disconnect", "id": "a"}) },
			server: socketio.ReasonClientNamespaceDisconnect, client: "io client disconnect"},
		{name: "server disconnect", act: func(c *sioClient, s *socketio.Socket) { s.Disconnect(false) },
			server: socketio.ReasonServerNamespaceDisconnect, client: "io server disconnect"},
		{name: "server close", act: func(c *sioClient, s *socketio.Socket) { s.Disconnect(true) },
			server: socketio.ReasonServerNamespaceDisconnect, client: "io server disconnect"},
		{name: "engine closed by client", act: func(c *sioClient, s *socketio.Socket) { c.do(map[string]any{"cmd": "closeConn"}) },
			server: socketio.ReasonTransportClose, client: "forced close"},
		{name: "engine closed by server", act: func(c *sioClient, s *socketio.Socket) { s.Conn().Close() },
			server: socketio.ReasonForcedClose, client: "transport close"},
		{name: "ping timeout", act: func(c *sioClient, s *socketio.Socket) { c.signal(syscall.SIGSTOP) },
			server: socketio.ReasonPingTimeout},
	}
	for _, tc := range cases {
		for _, mode := range []string{modePolling, modeWebSocket} {
			t.Run(tc.name+"/"+mode, func(t *testing.T) {
				t.Parallel()
				conns := make(chan *socketio.Socket, 1)
				reasons := make(chan socketio.Reason, 1)
				o := v2ServerOptions()
				if tc.server == socketio.ReasonPingTimeout {
					o.Engine.PingInterval, o.Engine.PingTimeout = 300*time.Millisecond, 200*time.Millisecond
				}
				ss := startSIO(t, o, func(io *socketio.Server) {
					io.OnConnection(func(s *socketio.Socket) {
						s.OnDisconnect(func(r socketio.Reason, _ error) { reasons <- r })
						conns <- s
					})
				})
				c := startV2Client(t, ss, v2ClientOptions(mode))
				c.connect("a", "/", "", nil)
				s := recv(t, conns, "connection")
				tc.act(c, s)
				if r := recv(t, reasons, "disconnect"); r != tc.server {
					t.Errorf("server reason %q, want %q", r, tc.server)
				}
				if tc.client == "" {
					c.signal(syscall.SIGCONT)
					return
				}
				if ev := c.expect(match{event: "disconnect", id: "a"}, sioTimeout); ev.Reason != tc.client {
					t.Errorf("client reason %q, want %q", ev.Reason, tc.client)
				}
			})
		}
	}
}

// TestSIOv2Reconnection: after the server drops the connection, the 2.x
// client reconnects by itself: a new engine session, "/" joined again
// (implicitly) and its namespaces again, with their query.
func TestSIOv2Reconnection(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{modePolling, modeWebSocket, modeUpgraded} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			mains := make(chan *socketio.Socket, 2)
			chats := make(chan *socketio.Socket, 2)
			ss := startSIO(t, v2ServerOptions(), func(io *socketio.Server) {
				io.OnConnection(func(s *socketio.Socket) { mains <- s })
				io.Of("/chat").OnConnection(func(s *socketio.Socket) {
					s.On("whoami", func(ack func(any)) { ack(s.Handshake().Auth) })
					chats <- s
				})
			})
			o := v2ClientOptions(mode)
			o["reconnection"] = true
			c := startV2Client(t, ss, o)
			c.connect("a", "/", "", nil)
			c.do(map[string]any{"cmd": "socket", "id": "chat", "nsp": "/chat", "query": map[string]any{"room": "r1"}})
			c.expect(match{event: "connect", id: "chat"}, sioTimeout)
			first := recv(t, mains, "first connection")
			recv(t, chats, "first chat")
			if mode == modeUpgraded {
				c.expect(match{event: "upgrade"}, sioTimeout)
			}

			first.Conn().Close() // the engine connection goes: "transport close" for the client
			if ev := c.expect(match{event: "disconnect", id: "a"}, sioTimeout); ev.Reason != "transport close" {
				t.Errorf("client reason %q", ev.Reason)
			}
			c.expect(match{event: "reconnect"}, sioTimeout)
			again := c.expect(match{event: "connect", id: "a"}, sioTimeout)
			second := recv(t, mains, "connection after reconnect")
			chat := recv(t, chats, "chat after reconnect")
			c.expect(match{event: "connect", id: "chat"}, sioTimeout)
			if second.Conn().ID() == first.Conn().ID() || again.SID != second.ID() || chat.ID() != "/chat#"+second.Conn().ID() {
				t.Errorf("ids: first %q, second %q (client %q), chat %q", first.ID(), second.ID(), again.SID, chat.ID())
			}
			c.emitAck("chat", "p", "whoami")
			if got := c.ack("chat", "p"); got != `[{"room":"r1"}]` {
				t.Errorf("auth after reconnect %s", got)
			}
		})
	}
}

// Without AllowEIO3 a 2.x client cannot connect: every handshake is
// refused with code 5, as Node refuses it, and no session opens.
func TestSIOv2RefusedByDefault(t *testing.T) {
	t.Parallel()
	var refused []*engineio.ConnectionError
	errs := make(chan *engineio.ConnectionError, 16)
	o := sioOptions()
	o.Engine.OnConnectionError = func(e *engineio.ConnectionError) { errs <- e }
	ss := startSIO(t, o, func(io *socketio.Server) {
		io.OnConnection(func(s *socketio.Socket) { t.Errorf("connected %s", s.ID()) })
	})
	c := startV2Client(t, ss, v2ClientOptions(modePolling))
	c.socket("a", "/", "", nil)
	c.expect(match{event: "connError"}, sioTimeout)
	refused = append(refused, recv(t, errs, "connection error"))
	if refused[0].Code != engineio.CodeUnsupportedProtocolVersion {
		t.Errorf("code %d", refused[0].Code)
	}
	if ss.io.Engine().ClientsCount() != 0 {
		t.Error("a session opened")
	}
}
