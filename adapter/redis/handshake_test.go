package redis

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gosio/socketio/adapter/redis/internal/wire"
)

// rawSocket is a Socket.IO socket opened over HTTP long-polling by hand,
// so that the test writes every header line of the first request
// (duplicates included) exactly as it wants.
type rawSocket struct {
	base, sid, id string
}

// openRawSocket sends the Engine.IO handshake as one raw HTTP request with
// query and headerLines, connects the session to "/" and returns the
// socket; the session is closed at the end of the test.
func openRawSocket(t *testing.T, base, query string, headerLines []string) *rawSocket {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	req := "GET /socket.io/?EIO=4&transport=polling&" + query + " HTTP/1.1\r\n" +
		strings.Join(headerLines, "\r\n") + "\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var open struct {
		SID string `json:"sid"`
	}
	if resp.StatusCode != 200 || len(body) < 2 || body[0] != '0' || json.Unmarshal(body[1:], &open) != nil || open.SID == "" {
		t.Fatalf("handshake to %s: %d %q", base, resp.StatusCode, body)
	}
	s := &rawSocket{base: base, sid: open.SID}
	if got := s.post(t, "40"); got != "ok" {
		t.Fatalf("CONNECT to %s: %q", base, got)
	}
	// the CONNECT answer carries the socket id
	pkt := s.get(t)
	var conn0 struct {
		SID string `json:"sid"`
	}
	if !strings.HasPrefix(pkt, "40") || json.Unmarshal([]byte(pkt[2:]), &conn0) != nil || conn0.SID == "" {
		t.Fatalf("CONNECT answer from %s: %q", base, pkt)
	}
	s.id = conn0.SID
	t.Cleanup(func() { s.post(t, "1") })
	return s
}

func (s *rawSocket) pollURL() string {
	return s.base + "/socket.io/?EIO=4&transport=polling&sid=" + url.QueryEscape(s.sid)
}

func (s *rawSocket) post(t *testing.T, payload string) string {
	t.Helper()
	resp, err := http.Post(s.pollURL(), "text/plain;charset=UTF-8", strings.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func (s *rawSocket) get(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(s.pollURL())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// jsDateUTC is how Node's Date.prototype.toString prints t with TZ=UTC.
func jsDateUTC(t time.Time) string {
	return t.UTC().Format("Mon Jan 02 2006 15:04:05") + " GMT+0000 (Coordinated Universal Time)"
}

var nodeDateRE = regexp.MustCompile(`^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d{2} \d{4} \d{2}:\d{2}:\d{2} GMT\+0000 \(Coordinated Universal Time\)$`)

// TestHandshakeMatchesNode opens a socket with the same raw HTTP request
// on a Go node and on a Node.js node of one cluster, then compares what
// each side sees of both through fetchSockets:
//
//   - Node fetching the Go socket (our REMOTE_FETCH answer) must see what
//     it sees of its own socket: headers named and joined as Node's http
//     module does (host included), the time as Date.toString() prints it,
//     and data {} for a socket whose data was never set;
//   - Go fetching the Node socket keeps Node's headers and its time string
//     verbatim.
func TestHandshakeMatchesNode(t *testing.T) {
	key := testKey()
	g := newNode(t, nodeOpts{key: key, opts: Options{RequestsTimeout: 2 * time.Second}})
	n := startNodePeer(t, sharedRedis.port, key)
	waitServers(t, g, "/", 2)

	room := "hs-" + uid(6)
	query := "room=" + room + "&x=1&x=2&e="
	lines := []string{
		"Host: hs.example:8080",
		"User-Agent: ua-one",
		"User-Agent: ua-two", // Node keeps the first of these
		"Referer: http://r1.example/",
		"Referer: http://r2.example/",
		"Authorization: Bearer one",
		"authorization: Bearer two",
		"Cookie: a=1",
		"Cookie: b=2", // joined with "; "
		"Set-Cookie: s=1",
		"Set-Cookie: t=2", // a list
		"Accept: text/plain",
		"Accept: */*", // joined with ", "
		"X-Multi: a",
		"x-multi: b",
		"X-Empty:",
		"Accept-Language: en, fr",
		"Date: Tue, 01 Dec 2026 09:00:00 GMT",
		"Date: Wed, 02 Dec 2026 09:00:00 GMT",
	}
	goSock := openRawSocket(t, g.url, query, lines)
	nodeSock := openRawSocket(t, n.url, query, lines)

	// Node's view of both sockets
	var res []any
	waitFor(t, func() bool {
		res = n.must("fetchSockets", map[string]any{"rooms": []string{room}}).([]any)
		return len(res) == 2
	})
	byID := map[string]map[string]any{}
	for _, r := range res {
		m := r.(map[string]any)
		byID[m["id"].(string)] = m
	}
	ours, theirs := byID[goSock.id], byID[nodeSock.id]
	if ours == nil || theirs == nil {
		t.Fatalf("sockets %s and %s not both fetched: %v", goSock.id, nodeSock.id, res)
	}
	ourHS, theirHS := ours["handshake"].(map[string]any), theirs["handshake"].(map[string]any)

	t.Run("data", func(t *testing.T) {
		d, ok := ours["data"].(map[string]any)
		if !ok || len(d) != 0 {
			t.Fatalf("Node sees data %#v of the Go socket, want {} (its own: %#v)", ours["data"], theirs["data"])
		}
		if !reflect.DeepEqual(ours["data"], theirs["data"]) {
			t.Fatalf("data %#v, Node's own %#v", ours["data"], theirs["data"])
		}
	})
	t.Run("headers", func(t *testing.T) {
		oh, th := ourHS["headers"].(map[string]any), theirHS["headers"].(map[string]any)
		if oh["host"] != "hs.example:8080" {
			t.Errorf("host %#v", oh["host"])
		}
		for k, v := range th {
			if !reflect.DeepEqual(oh[k], v) {
				t.Errorf("header %q: ours %#v, Node's %#v", k, oh[k], v)
			}
		}
		for k, v := range oh {
			if _, ok := th[k]; !ok {
				t.Errorf("header %q: ours %#v, absent in Node's", k, v)
			}
		}
	})
	t.Run("time", func(t *testing.T) {
		ot, _ := ourHS["time"].(string)
		tt, _ := theirHS["time"].(string)
		if !nodeDateRE.MatchString(tt) || tt != jsDateUTC(time.UnixMilli(int64(theirHS["issued"].(float64)))) {
			t.Fatalf("the test's idea of Node's Date.toString() is wrong: %q", tt)
		}
		if want := jsDateUTC(time.UnixMilli(int64(ourHS["issued"].(float64)))); ot != want {
			t.Fatalf("time %q, want %q (as Node prints its issued)", ot, want)
		}
	})
	t.Run("the rest", func(t *testing.T) {
		for _, k := range []string{"query", "url", "address", "xdomain", "secure", "auth"} {
			if !reflect.DeepEqual(ourHS[k], theirHS[k]) {
				t.Errorf("%s: ours %#v, Node's %#v", k, ourHS[k], theirHS[k])
			}
		}
		for k := range theirHS {
			if _, ok := ourHS[k]; !ok {
				t.Errorf("handshake field %q missing", k)
			}
		}
		or, tr := wire.Strings(ours["rooms"]), wire.Strings(theirs["rooms"])
		slices.Sort(or)
		slices.Sort(tr)
		if len(or) != 2 || !slices.Contains(or, room) || !slices.Contains(tr, room) {
			t.Errorf("rooms %v, Node's %v", or, tr)
		}
	})

	// Go's view of the Node socket: Node's handshake, unchanged
	t.Run("Go fetches Node", func(t *testing.T) {
		socks, err := g.srv.In(room).FetchSockets(context.Background())
		if err != nil || len(socks) != 2 {
			t.Fatalf("%d sockets, %v", len(socks), err)
		}
		for _, s := range socks {
			if s.ID() != nodeSock.id {
				continue
			}
			hs := s.Handshake()
			if hs.TimeText != theirHS["time"] {
				t.Errorf("TimeText %q, Node sent %q", hs.TimeText, theirHS["time"])
			}
			if hs.Time.UnixMilli() != int64(theirHS["issued"].(float64)) || hs.Issued != hs.Time.UnixMilli() {
				t.Errorf("time %v issued %d, Node issued %v", hs.Time, hs.Issued, theirHS["issued"])
			}
			th := theirHS["headers"].(map[string]any)
			for k, v := range th {
				want := wire.AnyStrings(v)
				if got := hs.Headers[textproto.CanonicalMIMEHeaderKey(k)]; !slices.Equal(got, want) {
					t.Errorf("header %q: %q, Node sent %#v", k, got, v)
				}
			}
			if len(hs.Headers) != len(th) {
				t.Errorf("%d headers, Node sent %d", len(hs.Headers), len(th))
			}
			if hs.Headers.Get("Host") != "hs.example:8080" || !slices.Equal(hs.Query["x"], []string{"2"}) {
				t.Errorf("handshake %+v", hs)
			}
			if d, ok := s.Data().(map[string]any); !ok || len(d) != 0 {
				t.Errorf("data %#v of a Node socket, want {}", s.Data())
			}
			return
		}
		t.Fatalf("Node socket %s not fetched", nodeSock.id)
	})
	if t.Failed() {
		b, _ := json.MarshalIndent(map[string]any{"go": ours, "node": theirs}, "", "  ")
		fmt.Println(string(b))
	}
}
