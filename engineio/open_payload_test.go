package engineio

import (
	"encoding/json"
	"testing"
)

// reflectOpenPayload is the open packet as encoding/json writes it, the
// reference for appendOpenPayload.
type reflectOpenPayload struct {
	SID          string   `json:"sid"`
	Upgrades     []string `json:"upgrades"`
	PingInterval int64    `json:"pingInterval"`
	PingTimeout  int64    `json:"pingTimeout"`
	MaxPayload   int64    `json:"maxPayload"`
}

func checkOpenPayload(t *testing.T, sid string, upgrades []string, pi, pt, mp int64) {
	t.Helper()
	want, err := json.Marshal(reflectOpenPayload{sid, upgrades, pi, pt, mp})
	if err != nil {
		t.Fatal(err)
	}
	if got := appendOpenPayload(nil, sid, upgrades, pi, pt, mp); string(got) != string(want) {
		t.Fatalf("appendOpenPayload(%q, %q) =\n%s\nwant\n%s", sid, upgrades, got, want)
	}
}

func TestAppendOpenPayloadMatchesEncodingJSON(t *testing.T) {
	for _, sid := range []string{
		"", "AAAAAAAAAAAAAAAAAAAA", "abc-_XYZ0123456789ab", `quo"te`, `back\slash`, "<html>&",
		"tab\there", "nul\x00", "é", "\u2028\u2029", "bad\xffutf8", "~ !#$%'()*+,./:;=?@[]^`{|}",
	} {
		for _, up := range [][]string{{}, {WebSocket}, {"a", "b<"}} {
			checkOpenPayload(t, sid, up, 25000, 20000, 1e6)
		}
	}
	checkOpenPayload(t, "x", []string{}, 0, -1, 1<<62)
}

// FuzzAppendOpenPayload: for any session id (GenerateID may return
// anything) the open packet is what encoding/json writes.
func FuzzAppendOpenPayload(f *testing.F) {
	f.Add("AAAAAAAAAAAAAAAAAAAA", int64(25000))
	f.Add("<\"\\\x00\xff>", int64(-5))
	f.Fuzz(func(t *testing.T, sid string, n int64) {
		checkOpenPayload(t, sid, []string{WebSocket}, n, n/2, n*3)
	})
}

// BenchmarkOpenPayload compares the open packet's encoder with
// encoding/json on the same fields.
func BenchmarkOpenPayload(b *testing.B) {
	const sid = "AAAAAAAAAAAAAAAAAAAA"
	up := []string{WebSocket}
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			json.Marshal(reflectOpenPayload{sid, up, 25000, 20000, 1e6})
		}
	})
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			appendOpenPayload(make([]byte, 0, 128), sid, up, 25000, 20000, 1e6)
		}
	})
}
