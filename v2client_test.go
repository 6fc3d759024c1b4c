package socketio

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/parser"
)

// v2Options serves v2 clients (AllowEIO3) with a heartbeat long enough
// that the raw clients below need not ping.
func v2Options() *Options {
	return &Options{
		ConnectTimeout: time.Second,
		Engine:         engineio.Options{AllowEIO3: true, PingInterval: 5 * time.Second, PingTimeout: 5 * time.Second},
	}
}

// openV2 opens a v3 WebSocket session and returns it with its engine id.
func (e *env) openV2(t *testing.T) (*wsConn, string) {
	t.Helper()
	c, err := e.dialWS(t, "EIO=3&transport=websocket")
	if err != nil {
		t.Fatal(err)
	}
	msg, _, err := c.readRaw(2 * time.Second)
	if err != nil || !strings.HasPrefix(msg, "0{") {
		t.Fatalf("open packet %q %v", msg, err)
	}
	sid, err := openSID(msg[1:])
	if err != nil {
		t.Fatal(err)
	}
	return c, sid
}

// A v2 client is in "/" without asking: the server sends "40" (no
// payload) and the socket's id is the engine id.
func TestV2ImplicitRootConnect(t *testing.T) {
	ids := make(chan string, 1)
	e := newEnv(t, v2Options(), func(io *Server) {
		io.OnConnection(func(s *Socket) { ids <- s.ID() })
	})
	c, engineID := e.openV2(t)
	c.expect(t, "40")
	c.expect(t, `42["auth",{}]`)
	if id := <-ids; id != engineID {
		t.Fatalf("socket id %q, engine id %q", id, engineID)
	}
	c.send(t, `42["message",1,"2"]`)
	c.expect(t, `42["message-back",1,"2"]`)
	c.send(t, `42["message-with-ack",{"a":true}]`)
	c.expectNothing(t, 50*time.Millisecond) // no id: no ack
	c.send(t, `4217["message-with-ack",{"a":true}]`)
	c.expect(t, `4317[{"a":true}]`)
}

// A namespace CONNECT carries its query, which becomes handshake.auth;
// the id is "<nsp>#<engine id>"; the reply has no payload.
func TestV2NamespaceQueryIsAuth(t *testing.T) {
	ids := make(chan string, 1)
	e := newEnv(t, v2Options(), func(io *Server) {
		io.Of("/custom").OnConnection(func(s *Socket) {
			ids <- s.ID()
			s.On("hi", func(ev *Event) { ev.Ack("there") })
		})
	})
	c, engineID := e.openV2(t)
	c.expect(t, "40")
	c.expect(t, `42["auth",{}]`)
	c.send(t, "40/custom?token=a%20b&x=1&x=2&plus=c+d,")
	c.expect(t, "40/custom,")
	c.expect(t, `42/custom,["auth",{"plus":"c d","token":"a b","x":"2"}]`)
	if id := <-ids; id != "/custom#"+engineID {
		t.Fatalf("socket id %q, engine id %q", id, engineID)
	}
	c.send(t, `42/custom,5["hi"]`)
	c.expect(t, `43/custom,5["there"]`)
	c.send(t, "41/custom,")
	c.send(t, `42/custom,6["hi"]`) // no longer connected: the connection closes
	c.expectClosed(t, 2*time.Second)
}

// A refused CONNECT gets err.data if truthy, else err.message, as the
// whole payload.
func TestV2ConnectErrorPayload(t *testing.T) {
	refusals := map[string]error{
		"/plain":  errors.New("nope"),
		"/obj":    &ConnectError{Message: "m", Data: map[string]any{"code": 7}},
		"/array":  &ConnectError{Message: "m", Data: []int{1, 2}},
		"/number": &ConnectError{Message: "m", Data: 42},
		"/zero":   &ConnectError{Message: "zero is falsy", Data: 0},
		"/empty":  &ConnectError{Message: "empty string is falsy", Data: ""},
	}
	e := newEnv(t, v2Options(), func(io *Server) {
		for nsp, err := range refusals {
			io.Of(nsp).Use(func(*Socket) error { return err })
		}
	})
	c, _ := e.openV2(t)
	c.expect(t, "40")
	c.expect(t, `42["auth",{}]`)
	for nsp, want := range map[string]string{
		"/plain": `"nope"`, "/obj": `{"code":7}`, "/array": `[1,2]`, "/number": `42`,
		"/zero": `"zero is falsy"`, "/empty": `"empty string is falsy"`,
	} {
		c.send(t, "40"+nsp+",")
		c.expect(t, "44"+nsp+","+want)
	}
	// An unknown namespace gets the object, as in Node.
	c.send(t, "40/random?x=1,")
	c.expect(t, `44/random,{"message":"Invalid namespace"}`)
}

// A refused "/" is refused at once, with the string payload.
func TestV2RootRefused(t *testing.T) {
	e := newEnv(t, v2Options(), func(io *Server) {
		io.Use(func(*Socket) error { return errors.New("denied") })
	})
	c, _ := e.openV2(t)
	c.expect(t, `44"denied"`)
}

// With AllowEIO3 a v4 client sees nothing new.
func TestV2AllowedKeepsV5(t *testing.T) {
	e := newEnv(t, v2Options())
	c := e.openWS(t)
	c.expectNothing(t, 50*time.Millisecond) // no implicit "/"
	c.send(t, "40")
	msg := c.expectPrefix(t, `40{"sid":"`)
	sid, err := openSID(msg[2:])
	if err != nil || len(sid) != 20 || strings.Contains(sid, "#") {
		t.Fatalf("sid %q %v", sid, err)
	}
	c.expect(t, `42["auth",{}]`)
	c.send(t, "40/custom?x=1,")
	c.expect(t, `44/custom?x=1,{"message":"Invalid namespace"}`)
}

func TestNormalizeV2Namespace(t *testing.T) {
	tests := []struct{ nsp, wantNsp, wantData string }{
		{"/", "/", ""},
		{"/admin", "/admin", ""},
		{"/admin?token=x", "/admin", `{"token":"x"}`},
		{"/admin?", "/admin", `{}`},
		{"/a/./b/../c?k", "/a/c", `{"k":""}`},
		{"/é?q=%C3%A9", "/%C3%A9", `{"q":"é"}`},
		{"/a b", "/a%20b", `{}`},
		{"/x#frag?no", "/x", `{}`},
		{"/bad%zz?k=%zz", "/bad%zz", `{"k":"%zz"}`},
		{`/back\slash`, "/back/slash", `{}`},
		{"/?a=1&&b=2&=3", "/", `{"":"3","a":"1","b":"2"}`},
	}
	for _, tt := range tests {
		p := &parser.Packet{Type: parser.Connect, Nsp: tt.nsp, Data: []byte(`{"ignored":1}`)}
		normalizeV2Namespace(p)
		if p.Nsp != tt.wantNsp || string(p.Data) != tt.wantData {
			t.Errorf("%q: nsp %q data %s, want %q %s", tt.nsp, p.Nsp, p.Data, tt.wantNsp, tt.wantData)
		}
		ev := &parser.Packet{Type: parser.Event, Nsp: tt.nsp, Data: []byte(`["x"]`)}
		normalizeV2Namespace(ev)
		if ev.Nsp != tt.wantNsp || string(ev.Data) != `["x"]` {
			t.Errorf("event %q: nsp %q data %s", tt.nsp, ev.Nsp, ev.Data)
		}
	}
}

func TestTruthy(t *testing.T) {
	var nilMap map[string]any
	for _, v := range []any{nil, false, 0, 0.0, "", uint8(0), nilMap, (*int)(nil)} {
		if truthy(v) {
			t.Errorf("truthy(%#v)", v)
		}
	}
	for _, v := range []any{true, 1, -1, 0.5, "0", map[string]any{}, []int{}, struct{}{}} {
		if !truthy(v) {
			t.Errorf("!truthy(%#v)", v)
		}
	}
}
