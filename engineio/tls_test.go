package engineio

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// The server runs under any net/http TLS server: polling, WebSocket and
// the upgrade all work over HTTPS/WSS.
func TestHTTPS(t *testing.T) {
	srv := NewServer(suiteOptions())
	hs := httptest.NewTLSServer(srv)
	defer func() { srv.Close(); hs.Close() }()
	client := hs.Client()
	get := func(url string) (int, string) {
		res, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	base := hs.URL + "/engine.io/"
	code, body := get(base + "?EIO=4&transport=polling")
	if code != 200 || !strings.HasPrefix(body, `0{"sid":"`) {
		t.Fatalf("handshake over TLS: %d %q", code, body)
	}
	sid := body[9:29]
	if s := srv.Socket(sid); s == nil || s.Request().TLS == nil {
		t.Fatal("session does not see its TLS state")
	}

	dialer := ws.Dialer{TLSConfig: &tls.Config{RootCAs: client.Transport.(*http.Transport).TLSClientConfig.RootCAs}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	conn, _, _, err := dialer.Dial(ctx, "wss"+strings.TrimPrefix(base, "https")+"?EIO=4&transport=websocket&sid="+sid)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	wsutil.WriteClientText(conn, []byte("2probe"))
	if msg, _ := wsutil.ReadServerText(conn); string(msg) != "3probe" {
		t.Fatalf("probe over WSS: %q", msg)
	}
	if code, body := get(base + "?EIO=4&transport=polling&sid=" + sid); code != 200 || body != "6" {
		t.Fatalf("poll during upgrade: %d %q", code, body)
	}
	wsutil.WriteClientText(conn, []byte("5"))
	wsutil.WriteClientText(conn, []byte("4secure"))
	if msg, _ := wsutil.ReadServerText(conn); string(msg) != "4secure" {
		t.Fatalf("echo over WSS: %q", msg)
	}
}
