package engineio

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"

	"github.com/gosio/socketio/engineio/packet"
)

type packetT = packet.Packet

func benchServer(b *testing.B) (*Server, *httptest.Server) {
	opts := suiteOptions()
	opts.PingInterval, opts.PingTimeout = time.Minute, time.Minute
	srv := NewServer(opts)
	hs := httptest.NewServer(srv)
	b.Cleanup(func() { srv.Close(); hs.CloseClientConnections(); hs.Close() })
	return srv, hs
}

// BenchmarkWebSocketRoundTrip measures one 64-byte message echoed over
// WebSocket, client included.
func BenchmarkWebSocketRoundTrip(b *testing.B) {
	_, hs := benchServer(b)
	conn, br, _, err := ws.Dial(context.Background(), "ws"+strings.TrimPrefix(hs.URL, "http")+"/engine.io/?EIO=4&transport=websocket")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var r io.Reader = conn
	if br != nil { // the open packet came with the 101
		r = io.MultiReader(br, conn)
	}
	rw := struct {
		io.Reader
		io.Writer
	}{r, conn}
	wsutil.ReadServerText(rw) // open packet
	msg := []byte("4" + strings.Repeat("x", 63))
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := wsutil.WriteClientText(conn, msg); err != nil {
			b.Fatal(err)
		}
		if _, err := wsutil.ReadServerText(rw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPollingRoundTrip measures a POST of one 64-byte message and the
// GET that returns its echo.
func BenchmarkPollingRoundTrip(b *testing.B) {
	_, hs := benchServer(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	res, err := client.Get(hs.URL + "/engine.io/?EIO=4&transport=polling")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	url := hs.URL + "/engine.io/?EIO=4&transport=polling&sid=" + string(body[9:29])
	msg := "4" + strings.Repeat("x", 63)
	b.ReportAllocs()
	for b.Loop() {
		res, err := client.Post(url, "text/plain;charset=UTF-8", strings.NewReader(msg))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		res, err = client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(got) != msg {
			b.Fatalf("echo %q", got)
		}
	}
}

// BenchmarkAppendFrames measures encoding a batch of queued packets into
// WebSocket frames, the writer's per-flush work.
func BenchmarkAppendFrames(b *testing.B) {
	pkts := benchPackets()
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendFrames(buf[:0], pkts, 0)
	}
}

func benchPackets() []packetT {
	return []packetT{
		{Type: 4, Data: []byte(`2["chat",{"text":"hello world"}]`)},
		{Type: 4, Data: make([]byte, 64), Binary: true},
		{Type: 2},
	}
}

// BenchmarkWebSocketSendLarge measures a 256 KiB message sent to one
// WebSocket client (the per-recipient cost of a large broadcast): queue,
// frame, write, and the client reading it.
func BenchmarkWebSocketSendLarge(b *testing.B) {
	opts := suiteOptions()
	opts.PingInterval, opts.PingTimeout = time.Minute, time.Minute
	sessions := make(chan *Socket, 1)
	opts.OnConnection = func(s *Socket) { sessions <- s }
	srv := NewServer(opts)
	hs := httptest.NewServer(srv)
	b.Cleanup(func() { srv.Close(); hs.CloseClientConnections(); hs.Close() })
	conn, br, _, err := ws.Dial(context.Background(), "ws"+strings.TrimPrefix(hs.URL, "http")+"/engine.io/?EIO=4&transport=websocket")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var r io.Reader = conn
	if br != nil {
		r = io.MultiReader(br, conn)
	}
	rw := struct {
		io.Reader
		io.Writer
	}{r, conn}
	wsutil.ReadServerText(rw) // open packet
	s := <-sessions
	data := make([]byte, 256<<10)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := s.Send(data, true); err != nil {
			b.Fatal(err)
		}
		if _, _, err := wsutil.ReadServerData(rw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWebSocketHandshake measures a WebSocket session opened and
// closed: the upgrade request, the 101 with the open packet, and the
// client's close, client included.
func BenchmarkWebSocketHandshake(b *testing.B) {
	_, hs := benchServer(b)
	url := "ws" + strings.TrimPrefix(hs.URL, "http") + "/engine.io/?EIO=4&transport=websocket"
	b.ReportAllocs()
	for b.Loop() {
		conn, br, _, err := ws.Dial(context.Background(), url)
		if err != nil {
			b.Fatal(err)
		}
		var r io.Reader = conn
		if br != nil {
			r = io.MultiReader(br, conn)
		}
		open, err := wsutil.ReadServerText(struct {
			io.Reader
			io.Writer
		}{r, conn})
		if err != nil || len(open) == 0 || open[0] != '0' {
			b.Fatalf("open packet %q: %v", open, err)
		}
		conn.Close()
	}
}
