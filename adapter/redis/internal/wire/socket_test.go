package wire

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gosio/socketio/adapter"
)

func TestNodeHeaders(t *testing.T) {
	got := NodeHeaders(map[string][]string{
		"Host":       {"h:1"},
		"User-Agent": {"one", "two"},
		"Cookie":     {"a=1", "b=2"},
		"Set-Cookie": {"s=1"},
		"Accept":     {"x", "y"},
		"X-Empty":    {""},
		"X-None":     {},
	})
	want := map[string]any{
		"host": "h:1", "user-agent": "one", "cookie": "a=1; b=2",
		"set-cookie": []string{"s=1"}, "accept": "x, y", "x-empty": "",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
}

func TestJSDate(t *testing.T) {
	at := time.Date(2026, 12, 1, 10, 0, 0, 123e6, time.FixedZone("CET", 3600))
	s := JSDateString(at)
	if s != "Tue Dec 01 2026 09:00:00 GMT+0000 (Coordinated Universal Time)" {
		t.Fatalf("%q", s)
	}
	for _, in := range []string{s, "Tue Dec 01 2026 10:00:00 GMT+0100 (Central European Standard Time)", "Tue Dec 01 2026 09:00:00 GMT+0000"} {
		got, ok := ParseJSDate(in)
		if !ok || !got.Equal(at.Truncate(time.Second)) {
			t.Errorf("ParseJSDate(%q) = %v %v", in, got, ok)
		}
	}
	if _, ok := ParseJSDate("yesterday"); ok {
		t.Error("parsed garbage")
	}
}

// A socket of this node whose data was never set travels as data {};
// data set to a value travels as that value.
func TestSocketToWireData(t *testing.T) {
	for _, c := range []struct {
		data any
		want string
	}{{nil, `{}`}, {map[string]any{"a": 1}, `{"a":1}`}, {"s", `"s"`}, {make(chan int), ``}} {
		w := SocketToWire(adapter.SocketInfo{ID: "x", Data: c.data})
		if string(w.Data) != c.want {
			t.Errorf("data %#v: %s, want %s", c.data, w.Data, c.want)
		}
		if _, err := json.Marshal(w); err != nil {
			t.Errorf("data %#v: %v", c.data, err)
		}
	}
}

// FuzzWireSocket feeds REMOTE_FETCH sockets as another node may send them
// through decoding and re-encoding: never a panic; a time string is kept
// verbatim; header names come out lower-case, their values strings (a
// list for set-cookie).
func FuzzWireSocket(f *testing.F) {
	f.Add(`{"id":"a","handshake":{"headers":{"host":"h","set-cookie":["a","b"],"X-A":"1","x-a":"2"},"time":"Tue Dec 01 2026 09:00:00 GMT+0000 (Coordinated Universal Time)","address":"::1","xdomain":true,"secure":false,"issued":1796115600000,"url":"/","query":{"EIO":"4","x":["1","2"]},"auth":{"t":1}},"rooms":["a",1,2.5],"data":{"k":[1]}}`)
	f.Add(`{"id":"b","handshake":{"headers":null,"time":"Tue Dec 01 2026 10:00:00 GMT+0100 (CET)","issued":-1,"query":{"x":5}},"rooms":null,"data":null}`)
	f.Add(`{"id":"c","handshake":{"issued":1e300,"time":""},"data":"x"}`)
	f.Add(`{"id":"d"}`)
	f.Fuzz(func(t *testing.T, s string) {
		var w Socket
		if json.Unmarshal([]byte(s), &w) != nil {
			return
		}
		in := w.Info()
		out := SocketToWire(in)
		if _, err := json.Marshal(out); err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		if w.Handshake == nil {
			return
		}
		if in.Handshake.Auth == nil || in.Handshake.Headers == nil || in.Handshake.Query == nil {
			t.Fatalf("nil maps in %+v", in.Handshake)
		}
		if w.Handshake.Time != "" && out.Handshake.Time != w.Handshake.Time {
			t.Fatalf("time %q re-encoded as %q", w.Handshake.Time, out.Handshake.Time)
		}
		for k, v := range out.Handshake.Headers {
			if k != strings.ToLower(k) {
				t.Fatalf("header name %q", k)
			}
			switch v.(type) {
			case string:
			case []string:
				if k != "set-cookie" {
					t.Fatalf("header %q is a list", k)
				}
			default:
				t.Fatalf("header %q: %T", k, v)
			}
		}
		for k, v := range out.Handshake.Query {
			if _, ok := v.(string); !ok {
				t.Fatalf("query %q: %T", k, v)
			}
		}
	})
}
