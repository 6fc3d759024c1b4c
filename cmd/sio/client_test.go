package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	socketio "github.com/gosio/socketio"
)

func TestParseInterleaved(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	ack := fs.Bool("ack", false, "")
	nsp := fs.String("namespace", "", "")
	pos, err := parseInterleaved(fs, []string{"url", "ev", "-1", "--ack", "x", "--namespace", "/a", "-2.5", "--", "--ack"})
	if err != nil {
		t.Fatal(err)
	}
	if !*ack || *nsp != "/a" || !reflect.DeepEqual(pos, []string{"url", "ev", "-1", "x", "-2.5", "--ack"}) {
		t.Fatalf("ack %v, namespace %q, positional %q", *ack, *nsp, pos)
	}
	if _, err := parseInterleaved(fs, []string{"--nope"}); err == nil {
		t.Fatal("an unknown flag was accepted")
	}
}

func TestParseArguments(t *testing.T) {
	got, err := parseLine(`plain 1 -2.5 "quoted string" {"a": [1, {"$bin":"AQI="}]} [true, null] word{`)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"plain", json.Number("1"), json.Number("-2.5"), "quoted string",
		map[string]any{"a": []any{json.Number("1"), []byte{1, 2}}}, []any{true, nil}, "word{"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parseLine: %#v", got)
	}
	for _, bad := range []string{`{"a":`, `[1,`, `"open`, `{"a":1}x`, `-x`} {
		if _, err := parseLine(bad); err == nil {
			t.Errorf("parseLine(%q) accepted", bad)
		}
		if _, err := parseWord(bad); err == nil {
			t.Errorf("parseWord(%q) accepted", bad)
		}
	}
	if v, err := parseWord("hello world"); err != nil || v != "hello world" {
		t.Errorf("parseWord of a plain word: %v %v", v, err)
	}
	if s := marshal([]any{[]byte{1}, map[string]any{"b": []byte{2}}, "<&>"}); s != `[{"$bin":"AQ=="},{"b":{"$bin":"Ag=="}},"<&>"]` {
		t.Errorf("marshal: %s", s)
	}
}

func TestClientFlagsTarget(t *testing.T) {
	f := clientFlags{headers: multiFlag{"X-A: 1", "X-A: 2"}, query: multiFlag{"k=v&k2=v2", "k=w"}, transport: "websocket",
		auth: `{"t":1}`, path: "/p/", connectTTL: time.Second}
	target, o, err := f.target("localhost:3000/chat")
	if err != nil {
		t.Fatal(err)
	}
	if target != "http://localhost:3000/chat" || o.Path != "/p/" || !reflect.DeepEqual(o.Header["X-A"], []string{"1", "2"}) ||
		!reflect.DeepEqual(o.Query["k"], []string{"v", "w"}) || o.Transports[0] != "websocket" || o.Auth["t"] != float64(1) {
		t.Fatalf("target %s, options %+v", target, o)
	}
	f = clientFlags{namespace: "admin"}
	if target, _, _ := f.target("https://h/ignored"); target != "https://h/admin" {
		t.Errorf("--namespace: %s", target)
	}
	for _, bad := range []clientFlags{{auth: "[1]"}, {headers: multiFlag{"nocolon"}}, {transport: "carrier-pigeon"}, {query: multiFlag{"%zz"}}} {
		if _, _, err := bad.target("http://h"); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if _, _, err := (&clientFlags{}).target("ftp://h"); err == nil {
		t.Error("ftp accepted")
	}
}

func TestFilter(t *testing.T) {
	f := newFilter()
	f.set("a", false)
	if f.shows("a") || !f.shows("b") || f.String() != "all events but a" {
		t.Fatalf("off a: %s", f)
	}
	f.set("*", false)
	f.set("c", true)
	if f.shows("a") || f.shows("b") || !f.shows("c") || f.String() != "c" {
		t.Fatalf("off *, on c: %s", f)
	}
	f.set("*", true)
	if !f.shows("a") || f.String() != "all events" {
		t.Fatalf("on *: %s", f)
	}
}

// -H and --query reach the server, with the auth and the namespace; the
// ack is printed.
func TestEmitHeadersAndQuery(t *testing.T) {
	io := socketio.NewServer(nil)
	seen := make(chan string, 1)
	io.Of("/x").OnConnection(func(s *socketio.Socket) {
		r := s.Request()
		seen <- r.Header.Get("X-Test") + " " + r.URL.Query().Get("q") + " " + s.Handshake().Auth["a"].(string)
		s.On("ping", func(e *socketio.Event) { e.Ack("pong") })
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: io}
	go hs.Serve(ln)
	defer func() { io.Close(); hs.Close() }()
	var out, errb bytes.Buffer
	code := run([]string{"emit", "http://" + ln.Addr().String(), "ping", "--namespace", "/x", "-H", "X-Test: yes",
		"--query", "q=1", "--auth", `{"a":"b"}`, "--ack"}, streams{strings.NewReader(""), &out, &errb})
	if code != 0 || out.String() != "[\"pong\"]\n" {
		t.Fatalf("code %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	if got := <-seen; got != "yes 1 b" {
		t.Errorf("server saw %q", got)
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{`a 1 "b" {"c": [1]} [true]`, `{"$bin":"AQI="}`, `"\u00e9"`, `-`, `{"a":`, `[[[[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		vals, err := parseLine(line)
		if err != nil {
			return
		}
		marshal(vals) // encodable, whatever was parsed
	})
}

// A server with a certificate no one signed: refused (exit 1, the
// certificate error), accepted with --insecure, over polling and
// WebSocket (wss).
func TestEmitInsecure(t *testing.T) {
	server := socketio.NewServer(nil)
	server.OnConnection(func(s *socketio.Socket) {
		s.On("ping", func(e *socketio.Event) { e.Ack("pong") })
	})
	srv := httptest.NewUnstartedServer(server)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	defer func() { server.Close(); srv.Close() }()
	for _, tr := range []string{"polling", "websocket"} {
		var out, errb bytes.Buffer
		code := run([]string{"emit", srv.URL, "ping", "--ack", "--transport", tr}, streams{strings.NewReader(""), &out, &errb})
		if code != 1 || !strings.Contains(errb.String(), "certificate") {
			t.Errorf("%s without --insecure: code %d, stderr %q", tr, code, errb.String())
		}
		out.Reset()
		errb.Reset()
		code = run([]string{"emit", srv.URL, "ping", "--ack", "--insecure", "--transport", tr}, streams{strings.NewReader(""), &out, &errb})
		if code != 0 || out.String() != "[\"pong\"]\n" {
			t.Errorf("%s with --insecure: code %d, stdout %q, stderr %q", tr, code, out.String(), errb.String())
		}
	}
}
