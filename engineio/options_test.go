package engineio

import (
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHeaderHooks(t *testing.T) {
	var mu sync.Mutex
	var initial, every []string
	o := suiteOptions()
	o.OnInitialHeaders = func(h http.Header, r *http.Request) {
		mu.Lock()
		initial = append(initial, r.URL.Query().Get("transport"))
		mu.Unlock()
		h.Set("X-Initial", "1")
	}
	o.OnHeaders = func(h http.Header, r *http.Request) {
		mu.Lock()
		every = append(every, r.Method+" "+r.URL.Query().Get("transport"))
		mu.Unlock()
		h.Set("X-Every", "1")
	}
	ts := startServer(t, o)
	res, err := http.Get(ts.url + "?EIO=4&transport=polling")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("X-Initial") != "1" || res.Header.Get("X-Every") != "1" {
		t.Fatalf("handshake headers %v", res.Header)
	}
	sid := string(body[9:29])
	res, _ = http.Post(ts.url+"?EIO=4&transport=polling&sid="+sid, "text/plain", strings.NewReader("4x"))
	res.Body.Close()
	if res.Header.Get("X-Initial") != "" || res.Header.Get("X-Every") != "1" {
		t.Fatalf("post headers %v", res.Header)
	}
	c := mustDialWS(t, ts.ws+"?EIO=4&transport=websocket")
	c.read()
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(initial, ",") != "polling,websocket" {
		t.Fatalf("initial_headers for %v", initial)
	}
	if strings.Join(every, ",") != "GET polling,POST polling,GET websocket" {
		t.Fatalf("headers for %v", every)
	}
}

func TestConnectionErrorHook(t *testing.T) {
	errs := make(chan *ConnectionError, 4)
	o := suiteOptions()
	o.OnConnectionError = func(e *ConnectionError) { errs <- e }
	ts := startServer(t, o)
	httpDo(t, "GET", ts.url+"?EIO=4&transport=polling&sid=nope", "")
	e := <-errs
	if e.Code != CodeUnknownSID || e.Message != "Session ID unknown" || e.Context["sid"] != "nope" || e.Request == nil {
		t.Fatalf("%+v", e)
	}
	httpDo(t, "GET", ts.url+"?EIO=3&transport=polling", "")
	if e := <-errs; e.Code != CodeUnsupportedProtocolVersion {
		t.Fatalf("%+v", e)
	}
}

func TestInitialPacketAndGenerateID(t *testing.T) {
	o := suiteOptions()
	o.InitialPacket = []byte("welcome")
	o.GenerateID = func(*http.Request) (string, error) { return "custom-id-0000000001", nil }
	ts := startServer(t, o)
	_, body := httpDo(t, "GET", ts.url+"?EIO=4&transport=polling", "")
	if !strings.HasPrefix(body, `0{"sid":"custom-id-0000000001"`) || !strings.HasSuffix(body, "\x1e4welcome") {
		t.Fatalf("handshake %q", body)
	}

	o2 := suiteOptions()
	o2.GenerateID = func(*http.Request) (string, error) { return "", errors.New("db down") }
	ts2 := startServer(t, o2)
	if code, body := httpDo(t, "GET", ts2.url+"?EIO=4&transport=polling", ""); code != 400 || body != `{"code":3,"message":"Bad request"}` {
		t.Fatalf("id error: %d %s", code, body)
	}
}

func TestHTTPCompression(t *testing.T) {
	big := strings.Repeat("a", 4096)
	for _, tc := range []struct {
		name    string
		opts    *CompressionOptions
		accept  string
		payload string
		want    string // Content-Encoding
	}{
		{"gzip", nil, "gzip, deflate", big, "gzip"},
		{"deflate", nil, "deflate", big, "deflate"},
		{"below-threshold", nil, "gzip", "small", ""},
		{"not-accepted", nil, "", big, ""},
		{"q=0", nil, "gzip;q=0", big, ""},
		{"disabled", &CompressionOptions{Disable: true}, "gzip", big, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := suiteOptions()
			o.HTTPCompression = tc.opts
			o.PingInterval = 5 * time.Second
			ts := startServer(t, o)
			sid := ts.openPolling(t)
			ts.post(t, sid, "4"+tc.payload)
			req, _ := http.NewRequest("GET", ts.url+"?EIO=4&transport=polling&sid="+sid, nil)
			req.Header.Set("Accept-Encoding", tc.accept)
			res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if got := res.Header.Get("Content-Encoding"); got != tc.want {
				t.Fatalf("Content-Encoding %q, want %q", got, tc.want)
			}
			var r io.Reader = res.Body
			if tc.want == "gzip" {
				zr, err := gzip.NewReader(res.Body)
				if err != nil {
					t.Fatal(err)
				}
				r = zr
			}
			if tc.want != "deflate" {
				b, _ := io.ReadAll(r)
				if string(b) != "4"+tc.payload {
					t.Fatalf("body %d bytes", len(b))
				}
			}
		})
	}
}

func TestTransportsOption(t *testing.T) {
	o := suiteOptions()
	o.Transports = []string{WebSocket}
	ts := startServer(t, o)
	if code, body := httpDo(t, "GET", ts.url+"?EIO=4&transport=polling", ""); code != 400 || !strings.Contains(body, `"code":0`) {
		t.Fatalf("polling disabled: %d %s", code, body)
	}
	c := mustDialWS(t, ts.ws+"?EIO=4&transport=websocket")
	if msg, _ := c.read(); !strings.Contains(msg, `"upgrades":[]`) {
		t.Fatal(msg)
	}

	o2 := suiteOptions()
	o2.DisableUpgrades = true
	ts2 := startServer(t, o2)
	if _, body := httpDo(t, "GET", ts2.url+"?EIO=4&transport=polling", ""); !strings.Contains(body, `"upgrades":[]`) {
		t.Fatalf("upgrades with DisableUpgrades: %s", body)
	}
}

// The official v5 suite sends a poll and the client's close at the same
// time: whichever the server handles first, the poll gets a noop and the
// next poll a 400.
func TestPollRacingClientClose(t *testing.T) {
	ts := startServer(t, suiteOptions())
	for i := 0; i < 20; i++ {
		sid := ts.openPolling(t)
		polled := make(chan string, 1)
		go func() {
			code, body := ts.poll(t, sid)
			polled <- strconv.Itoa(code) + " " + body
		}()
		if code, _ := ts.post(t, sid, "1"); code != 200 {
			t.Fatalf("close: %d", code)
		}
		if got := <-polled; got != "200 6" {
			t.Fatalf("poll racing the close: %s", got)
		}
		if code, _ := ts.poll(t, sid); code != 400 {
			t.Fatalf("next poll: %d", code)
		}
	}
}
