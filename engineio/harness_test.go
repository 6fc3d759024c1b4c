package engineio

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// suiteOptions returns the configuration of the official suite's fixture:
// path /engine.io/, pingInterval 300 ms, pingTimeout 200 ms, maxPayload 1e6,
// CORS "*", every message echoed.
func suiteOptions() *Options {
	return &Options{
		PingInterval:      300 * time.Millisecond,
		PingTimeout:       200 * time.Millisecond,
		MaxHTTPBufferSize: 1e6,
		CORS:              &CORSOptions{Origins: []string{"*"}},
		OnConnection:      func(s *Socket) { s.SetHandler(echoHandler{s}) },
	}
}

type echoHandler struct{ s *Socket }

func (e echoHandler) OnMessage(data []byte, binary bool) { e.s.Send(data, binary) }
func (e echoHandler) OnClose(string, error)              {}

// testServer runs srv on 127.0.0.1 and closes both at the end of the test.
type testServer struct {
	*Server
	http *httptest.Server
	url  string // http://127.0.0.1:port/engine.io/
	ws   string // ws://127.0.0.1:port/engine.io/
}

func startServer(t *testing.T, opts *Options) *testServer {
	t.Helper()
	srv := NewServer(opts)
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		srv.Close()
		hs.CloseClientConnections()
		hs.Close()
	})
	return &testServer{Server: srv, http: hs, url: hs.URL + srv.Path(), ws: "ws" + strings.TrimPrefix(hs.URL, "http") + srv.Path()}
}

func httpDo(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// openPolling performs a polling handshake and returns the sid.
func (ts *testServer) openPolling(t *testing.T) string {
	t.Helper()
	code, body := httpDo(t, "GET", ts.url+"?EIO=4&transport=polling", "")
	if code != 200 || !strings.HasPrefix(body, "0{") {
		t.Fatalf("handshake: %d %q", code, body)
	}
	i := strings.Index(body, `"sid":"`) + 7
	return body[i : i+strings.IndexByte(body[i:], '"')]
}

func (ts *testServer) poll(t *testing.T, sid string) (int, string) {
	t.Helper()
	return httpDo(t, "GET", ts.url+"?EIO=4&transport=polling&sid="+sid, "")
}

func (ts *testServer) post(t *testing.T, sid, body string) (int, string) {
	t.Helper()
	return httpDo(t, "POST", ts.url+"?EIO=4&transport=polling&sid="+sid, body)
}

// wsClient is a minimal WebSocket client for tests.
type wsClient struct {
	t    *testing.T
	conn net.Conn
	r    io.Reader
}

func dialWS(t *testing.T, url string) (*wsClient, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, br, _, err := ws.Dial(ctx, url)
	if err != nil {
		return nil, err
	}
	c := &wsClient{t: t, conn: conn, r: conn}
	if br != nil {
		c.r = io.MultiReader(br, conn)
	}
	t.Cleanup(func() { conn.Close() })
	return c, nil
}

func mustDialWS(t *testing.T, url string) *wsClient {
	t.Helper()
	c, err := dialWS(t, url)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	return c
}

// read returns the next data message; it fails the test after 2 s.
func (c *wsClient) read() (string, ws.OpCode) {
	c.t.Helper()
	msg, op, err := c.readErr(2 * time.Second)
	if err != nil {
		c.t.Fatalf("ws read: %v", err)
	}
	return msg, op
}

func (c *wsClient) readErr(d time.Duration) (string, ws.OpCode, error) {
	c.conn.SetReadDeadline(time.Now().Add(d))
	data, op, err := wsutil.ReadServerData(struct {
		io.Reader
		io.Writer
	}{c.r, c.conn})
	return string(data), op, err
}

// expectClosed waits for the server to close the connection.
func (c *wsClient) expectClosed(d time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		msg, _, err := c.readErr(time.Until(deadline))
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				break
			}
			return
		}
		_ = msg // pings and other frames before the close
	}
	c.t.Fatal("the server did not close the WebSocket")
}

func (c *wsClient) send(s string) {
	c.t.Helper()
	if err := wsutil.WriteClientText(c.conn, []byte(s)); err != nil {
		c.t.Fatalf("ws write: %v", err)
	}
}

func (c *wsClient) sendBinary(b []byte) {
	c.t.Helper()
	if err := wsutil.WriteClientBinary(c.conn, b); err != nil {
		c.t.Fatalf("ws write: %v", err)
	}
}
