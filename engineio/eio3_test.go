package engineio

// Engine.IO v3 behaviour beyond the official suite: what Node's engine.io
// does with allowEIO3 (and without it) that a Socket.IO v2 client meets.

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/gosio/socketio/engineio/packet"
)

// v3Session records what the server sees of one session.
type v3Session struct {
	s      *Socket
	msgs   chan serverMessage
	closed chan closeInfo
}

func (rs *v3Session) OnMessage(d []byte, b bool) {
	rs.msgs <- serverMessage{string(d), b}
	rs.s.Send(d, b)
}

func (rs *v3Session) OnClose(r string, err error) { rs.closed <- closeInfo{r, err} }

type serverMessage struct {
	data   string
	binary bool
}

type closeInfo struct {
	reason string
	err    error
}

// startV3 serves AllowEIO3 with the suite's timings; every message is
// echoed and recorded, and every close recorded.
func startV3(t *testing.T, opts *Options) (*testServer, chan *v3Session) {
	if opts == nil {
		opts = suiteOptionsV3()
	}
	sessions := make(chan *v3Session, 16)
	opts.OnConnection = func(s *Socket) {
		rs := &v3Session{s: s, msgs: make(chan serverMessage, 64), closed: make(chan closeInfo, 1)}
		s.SetHandler(rs)
		sessions <- rs
	}
	return startServer(t, opts), sessions
}

func next[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(3 * time.Second):
		t.Fatal("nothing within 3s")
	}
	var zero T
	return zero
}

// Without AllowEIO3 a v3 handshake gets what Node answers: code 5, with
// context {protocol: 3}; over WebSocket a bare 400.
func TestEIO3RefusedByDefault(t *testing.T) {
	var errs []*ConnectionError
	o := suiteOptions()
	o.OnConnectionError = func(e *ConnectionError) { errs = append(errs, e) }
	ts := startServer(t, o)
	for _, q := range []string{"?EIO=3&transport=polling", "?EIO=3&transport=polling&b64=1", "?transport=polling"} {
		if code, body := httpDo(t, "GET", ts.url+q, ""); code != 400 || body != `{"code":5,"message":"Unsupported protocol version"}` {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.http.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /engine.io/?EIO=3&transport=websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 400 || string(body) != "Unsupported protocol version" {
		t.Errorf("websocket: %d %q", res.StatusCode, body)
	}
	if len(errs) != 4 || errs[0].Code != CodeUnsupportedProtocolVersion || errs[0].Context["protocol"] != "3" {
		t.Errorf("connection errors %+v", errs)
	}
	if ts.ClientsCount() != 0 {
		t.Error("a session opened")
	}
}

// With AllowEIO3, EIO=4 is still protocol 4: a client ping is an error.
func TestEIO3AllowedKeepsV4(t *testing.T) {
	ts, sessions := startV3(t, nil)
	sid := ts.openPolling(t)
	rs := next(t, sessions)
	if rs.s.Protocol() != 4 || rs.s.ID() != sid {
		t.Fatalf("protocol %d", rs.s.Protocol())
	}
	ts.post(t, sid, "2")
	if c := next(t, rs.closed); c.reason != ReasonTransportError || !errors.Is(c.err, ErrHeartbeatDirection) {
		t.Fatalf("close %+v", c)
	}
}

// In v3 the server pings nobody and a pong from the client is an error
// ("invalid heartbeat direction", reason "transport error").
func TestEIO3PongIsAnError(t *testing.T) {
	ts, sessions := startV3(t, nil)
	c := mustDialWS(t, ts.ws+"?EIO=3&transport=websocket")
	c.read()
	rs := next(t, sessions)
	c.send("3")
	if ci := next(t, rs.closed); ci.reason != ReasonTransportError || !errors.Is(ci.err, ErrHeartbeatDirection) {
		t.Fatalf("close %+v", ci)
	}
}

// Only the client's pings keep a v3 session: messages do not, as in Node.
// The server itself never sends a ping.
func TestEIO3OnlyPingsKeepTheSession(t *testing.T) {
	ts, sessions := startV3(t, nil)
	c := mustDialWS(t, ts.ws+"?EIO=3&transport=websocket")
	c.read()
	rs := next(t, sessions)
	stop := make(chan struct{})
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		for i := 0; i < 100; i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if wsutil.WriteClientText(c.conn, []byte("4tick")) != nil {
				return
			}
		}
	}()
	ci := next(t, rs.closed)
	close(stop)
	<-sent
	if ci.reason != ReasonPingTimeout {
		t.Fatalf("close %+v, want ping timeout", ci)
	}
	for {
		msg, _, err := c.readErr(time.Second)
		if err != nil {
			break
		}
		if msg != "4tick" {
			t.Fatalf("server sent %q", msg)
		}
	}
}

// A client that takes binary POSTs a binary payload as
// application/octet-stream; its text parts are UTF-8.
func TestEIO3BinaryPost(t *testing.T) {
	ts, sessions := startV3(t, nil)
	sid := ts.openPollingV3(t, false)
	rs := next(t, sessions)
	body := []byte{0, 6, 255, '4', 'h', 'e', 'l', 'l', 'o', 1, 5, 255, 4, 1, 2, 3, 4, 0, 6, 255}
	body = append(body, "4é€"...)
	req, _ := http.NewRequest("POST", ts.url+"?EIO=3&transport=polling&sid="+sid, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/octet-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(b) != "ok" {
		t.Fatalf("post %d %q", res.StatusCode, b)
	}
	for _, want := range []serverMessage{{"hello", false}, {"\x01\x02\x03\x04", true}, {"é€", false}} {
		if m := next(t, rs.msgs); m != want {
			t.Fatalf("got %+v, want %+v", m, want)
		}
	}
	// The echo goes back as text: the client asked b64=1. UTF-16 lengths.
	if code, body := ts.pollV3(t, sid); code != 200 || body != "6:4hello10:b4AQIDBA==3:4é€" {
		t.Fatalf("poll %d %q", code, body)
	}
	// A malformed binary payload is a parse error.
	req, _ = http.NewRequest("POST", ts.url+"?EIO=3&transport=polling&sid="+sid, bytes.NewReader([]byte{0, 10, 255}))
	req.Header.Set("Content-Type", "application/octet-stream")
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		if res.StatusCode != 400 {
			t.Fatalf("bad binary payload: %d", res.StatusCode)
		}
	}
	if ci := next(t, rs.closed); ci.reason != ReasonParseError {
		t.Fatalf("close %+v", ci)
	}
}

// A v3 WebSocket opened with b64=1 carries binary as "b4" text frames,
// both ways; a binary frame must start with the message type.
func TestEIO3WebSocketBase64AndTypeByte(t *testing.T) {
	ts, sessions := startV3(t, nil)
	c := mustDialWS(t, ts.ws+"?EIO=3&transport=websocket&b64=1")
	c.read()
	rs := next(t, sessions)
	c.sendBinary([]byte{4, 1, 2, 3, 4})
	if msg, op := c.read(); op != ws.OpText || msg != "b4AQIDBA==" {
		t.Fatalf("echo %v %q", op, msg)
	}
	c.send("b4BQY=")
	if msg, op := c.read(); op != ws.OpText || msg != "b4BQY=" {
		t.Fatalf("echo %v %q", op, msg)
	}
	if m := next(t, rs.msgs); m != (serverMessage{"\x01\x02\x03\x04", true}) {
		t.Fatalf("got %+v", m)
	}
	c.sendBinary([]byte{2, 1})
	c.expectClosed(time.Second)
	if ci := next(t, rs.closed); ci.reason != ReasonParseError {
		t.Fatalf("close %+v", ci)
	}
}

// After an upgrade, binary goes as type-byte frames unless the
// WebSocket's own request asks b64 (each transport reads its own query,
// as in Node); the heartbeat goes on over the WebSocket.
func TestEIO3UpgradeFramesBinary(t *testing.T) {
	ts, sessions := startV3(t, nil)
	_, c := upgradeV3(t, ts, true)
	rs := next(t, sessions)
	c.sendBinary([]byte{4, 9, 8})
	if msg, op := c.read(); op != ws.OpBinary || msg != "\x04\x09\x08" {
		t.Fatalf("echo %v %q", op, msg)
	}
	for i := 0; i < 3; i++ {
		time.Sleep(200 * time.Millisecond) // over pingInterval+pingTimeout in all
		c.send("2")
		if msg, _ := c.read(); msg != "3" {
			t.Fatalf("pong %q", msg)
		}
	}
	select {
	case ci := <-rs.closed:
		t.Fatalf("closed while pinging: %+v", ci)
	default:
	}
	// Without pings, the upgraded session times out.
	if ci := next(t, rs.closed); ci.reason != ReasonPingTimeout {
		t.Fatalf("close %+v", ci)
	}
}

// The server closing a v3 polling session sends "1:1" to the held poll.
func TestEIO3ServerClosePolling(t *testing.T) {
	ts, sessions := startV3(t, nil)
	sid := ts.openPollingV3(t, false)
	rs := next(t, sessions)
	done := make(chan string)
	go func() { _, body := ts.pollV3(t, sid); done <- body }()
	waitFor(t, func() bool { return rs.s.pollHeld() })
	rs.s.Close()
	if body := <-done; body != "1:1" {
		t.Fatalf("held poll %q", body)
	}
}

// A close the client POSTs with no poll held: the poll it sent with it,
// served after, gets "1:6" (the v3 form of the grace noop).
func TestEIO3ClientCloseGraceNoop(t *testing.T) {
	ts, _ := startV3(t, nil)
	sid := ts.openPollingV3(t, false)
	if code, _ := ts.postV3(t, sid, "1:1"); code != 200 {
		t.Fatal(code)
	}
	if code, body := ts.pollV3(t, sid); code != 200 || body != "1:6" {
		t.Fatalf("poll %d %q", code, body)
	}
}

// The WebSocket writer's two paths (gather write, one buffer) frame v3
// binary alike, compressed or not.
func TestEIO3FramesGatherMatchesAppend(t *testing.T) {
	big := bytes.Repeat([]byte{7}, 3*gatherMin)
	pkts := []packet.Packet{
		{Type: packet.Message, Data: []byte("hello")},
		{Type: packet.Message, Data: []byte{1, 2, 3}, Binary: true},
		{Type: packet.Message, Data: big, Binary: true},
	}
	for _, form := range []binaryForm{binaryTyped, binaryBase64} {
		for _, deflate := range []int{0, 16} {
			fb := getBatch()
			fb.addAs(pkts, deflate, form)
			var got bytes.Buffer
			bufs := fb.buffers()
			bufs.WriteTo(&got)
			putBatch(fb)
			want := appendFramesAs(nil, pkts, deflate, form)
			if !bytes.Equal(got.Bytes(), want) {
				t.Fatalf("form %d deflate %d: gather differs", form, deflate)
			}
			// Read the frames back as a client would.
			r := bytes.NewReader(want)
			for i, p := range pkts {
				f, err := ws.ReadFrame(r)
				if err != nil {
					t.Fatal(err)
				}
				payload := f.Payload
				if f.Header.Rsv1() {
					if payload, err = inflate(payload, 1<<20); err != nil {
						t.Fatal(err)
					}
				}
				var q packet.Packet
				if f.Header.OpCode == ws.OpBinary {
					q, err = packet.DecodeBinaryV3(payload)
				} else {
					q, err = packet.DecodeTextV3(payload)
				}
				if err != nil || q.Binary != p.Binary || !bytes.Equal(q.Data, p.Data) {
					t.Fatalf("form %d deflate %d frame %d: %v %v", form, deflate, i, f.Header.OpCode, err)
				}
				if p.Binary && (form == binaryTyped) != (f.Header.OpCode == ws.OpBinary) {
					t.Fatalf("form %d: opcode %v", form, f.Header.OpCode)
				}
			}
		}
	}
}

// writeRecorder is a listener whose connections record each Write.
type writeRecorder struct {
	net.Listener
	writes chan []byte
}

func (l *writeRecorder) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &recordedConn{Conn: c, writes: l.writes}, nil
}

type recordedConn struct {
	net.Conn
	writes chan []byte
}

func (c *recordedConn) Write(b []byte) (int, error) {
	select {
	case c.writes <- bytes.Clone(b):
	default:
	}
	return c.Conn.Write(b)
}

// The 101 of a v3 WebSocket handshake is a write of its own, the open
// packet the next one (as Node writes them; a client that listens for
// messages once the socket opens, like the v3 suite, misses a frame read
// with the 101). A v4 handshake keeps the open packet in the 101's write.
func TestEIO3OpenPacketAfterThe101(t *testing.T) {
	for _, tc := range []struct {
		query     string
		separate  bool
		allowEIO3 bool
	}{{"EIO=3&transport=websocket", true, true}, {"EIO=4&transport=websocket", false, true}, {"EIO=4&transport=websocket", false, false}} {
		o := suiteOptions()
		o.AllowEIO3 = tc.allowEIO3
		srv := NewServer(o)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		rec := &writeRecorder{Listener: ln, writes: make(chan []byte, 16)}
		hs := &http.Server{Handler: srv}
		go hs.Serve(rec)
		c := mustDialWS(t, "ws://"+ln.Addr().String()+"/engine.io/?"+tc.query)
		if msg, _ := c.read(); !strings.HasPrefix(msg, "0{") {
			t.Fatalf("%s: open %q", tc.query, msg)
		}
		first := string(next(t, rec.writes))
		if !strings.HasPrefix(first, "HTTP/1.1 101 ") {
			t.Fatalf("%s: first write %q", tc.query, first)
		}
		if got := strings.HasSuffix(first, "\r\n\r\n"); got != tc.separate {
			t.Errorf("%s (AllowEIO3 %v): 101 alone %v, want %v: %q", tc.query, tc.allowEIO3, got, tc.separate, first)
		}
		srv.Close()
		hs.Close()
	}
}
