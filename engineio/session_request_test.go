package engineio

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"testing"
)

// The compact request gives back every field a session keeps, values of
// a repeated header in order.
func TestSessionRequestRoundTrip(t *testing.T) {
	r := httptest.NewRequest("GET", "/socket.io/?EIO=4&transport=websocket&x=%20y", nil)
	r.Host = "example.org:8443"
	r.RemoteAddr = "192.0.2.7:51234"
	r.Header = http.Header{
		"Cookie":     {"a=1", "b=2:3"},
		"User-Agent": {"Mozilla/5.0 (X11; Linux x86_64)"},
		"X-Empty":    {""},
	}
	r.TLS = &tls.ConnectionState{ServerName: "example.org"}
	sr := newSessionRequest(r)
	got := sr.request()
	if got.Method != "GET" || got.RequestURI != r.RequestURI || got.Host != r.Host || got.RemoteAddr != r.RemoteAddr || got.TLS != r.TLS {
		t.Fatalf("request fields: %+v", got)
	}
	if got.Proto != "HTTP/1.1" || got.ProtoMajor != 1 || got.ProtoMinor != 1 {
		t.Fatalf("protocol %q %d.%d", got.Proto, got.ProtoMajor, got.ProtoMinor)
	}
	if !reflect.DeepEqual(got.Header, r.Header) {
		t.Fatalf("headers %v, want %v", got.Header, r.Header)
	}
	if got.URL.Query().Get("x") != " y" || got.URL.Path != "/socket.io/" {
		t.Fatalf("URL %v", got.URL)
	}
	if sr.remoteAddr() != r.RemoteAddr {
		t.Fatalf("remote address %q", sr.remoteAddr())
	}
	got.Header.Set("Cookie", "changed")
	if sr.request().Header.Get("Cookie") != "a=1" {
		t.Fatal("a caller's change reached the session's copy")
	}
}

// BenchmarkSessionRequest: what Socket.Request costs (a new request from
// the compact form) with a browser's handshake headers, and what the
// compact form costs to make.
func BenchmarkSessionRequest(b *testing.B) {
	r := httptest.NewRequest("GET", "/socket.io/?EIO=4&transport=websocket&token=abcdef0123456789", nil)
	r.Host = "chat.example.org"
	r.RemoteAddr = "192.0.2.7:51234"
	for k, v := range map[string]string{
		"User-Agent":               "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
		"Accept-Encoding":          "gzip, deflate, br, zstd",
		"Accept-Language":          "en-GB,en;q=0.9,fr;q=0.8",
		"Cache-Control":            "no-cache",
		"Connection":               "Upgrade",
		"Cookie":                   "io=AAAAAAAAAAAAAAAAAAAA; session=0123456789abcdef0123456789abcdef",
		"Origin":                   "https://chat.example.org",
		"Pragma":                   "no-cache",
		"Sec-Websocket-Extensions": "permessage-deflate; client_max_window_bits",
		"Sec-Websocket-Key":        "dGhlIHNhbXBsZSBub25jZQ==",
		"Sec-Websocket-Version":    "13",
		"Upgrade":                  "websocket",
	} {
		r.Header.Set(k, v)
	}
	sr := newSessionRequest(r)
	b.Run("Request", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink = sr.request()
		}
	})
	b.Run("Request+Query", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			q := sr.request()
			sinkValues = q.URL.Query()
		}
	})
	b.Run("Keep", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkSR = newSessionRequest(r)
		}
	})
	b.ReportMetric(float64(len(sr.text)), "text-B")
}

var (
	sink       *http.Request
	sinkValues url.Values
	sinkSR     sessionRequest
)
