package notepack

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
)

// Encodings notepack.io 3.0.1 produces for the same JavaScript values.
func TestEncodeLikeNotepack(t *testing.T) {
	cases := []struct {
		v   any
		hex string
	}{
		{nil, "c0"},
		{true, "c3"},
		{int64(1), "01"},
		{int64(-1), "ff"},
		{int64(-33), "d0df"},
		{int64(200), "ccc8"},
		{int64(65535), "cdffff"},
		{int64(1 << 32), "cf0000000100000000"},
		{int64(-40000), "d2ffff63c0"},
		{1.0, "01"}, // integral numbers are integers in JavaScript
		{1.5, "cb3ff8000000000000"},
		{"a", "a161"},
		{[]byte{1, 2}, "c4020102"},
		{[]any{int64(1), "x"}, "9201a178"},
		{Map{{"a", int64(1)}, {"u", Undefined{}}}, "81a16101"},
		{time.Unix(1, 0), "d6ff00000001"},
	}
	for _, c := range cases {
		b, err := Append(nil, c.v)
		if err != nil || hex.EncodeToString(b) != c.hex {
			t.Errorf("%#v: %x %v, want %s", c.v, b, err, c.hex)
		}
	}
}

func TestDecodeNotepackForms(t *testing.T) {
	cases := []struct {
		hex string
		v   any
	}{
		{"d40000", Undefined{}},
		{"d7000000000000000001", time.UnixMilli(1).UTC()},
		{"d6ff00000001", time.Unix(1, 0).UTC()},
		{"d5050102", Ext{Type: 5, Data: []byte{1, 2}}},
		{"ca3fc00000", 1.5},
		{"cfffffffffffffffff", uint64(math.MaxUint64)},
		{"82a161c0a161c3", Map{{"a", true}}},
		// the header decides, not the length: ext 8 of type 0 is an
		// ArrayBuffer whatever its size (notepack.io writes typed arrays
		// so), fixext 2, 4 and 16 of type 0 are [0, Buffer]
		{"c70100ff", []byte{0xff}},
		{"c708000102030405060708", []byte{1, 2, 3, 4, 5, 6, 7, 8}},
		{"d6000102030a", Ext{Type: 0, Data: []byte{1, 2, 3, 10}}},
		{"c704ff00000001", Ext{Type: -1, Data: []byte{0, 0, 0, 1}}},
	}
	for _, c := range cases {
		b, _ := hex.DecodeString(c.hex)
		v, err := Decode(b)
		if err != nil || !reflect.DeepEqual(v, c.v) {
			t.Errorf("%s: %#v %v, want %#v", c.hex, v, err, c.v)
		}
	}
	for _, bad := range []string{"", "c1", "92", "dd7fffffff", "a5ab", "0101", "c4ff"} {
		b, _ := hex.DecodeString(bad)
		if _, err := Decode(b); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	in := `["ev",{"_placeholder":true,"num":0},{"a":[1,-2,3.25,1e+300,"\u00e9\n\"",null,true],"b":{"_placeholder":true,"num":1}},18446744073709551615]`
	att := [][]byte{[]byte("x"), {}}
	v, err := FromJSON([]byte(in), att)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Append(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	var outAtt [][]byte
	js, err := AppendJSON(nil, back, &outAtt)
	if err != nil {
		t.Fatal(err)
	}
	want := `["ev",{"_placeholder":true,"num":0},{"a":[1,-2,3.25,1e+300,"é\n\"",null,true],"b":{"_placeholder":true,"num":1}},18446744073709551615]`
	if string(js) != want || len(outAtt) != 2 || !bytes.Equal(outAtt[0], att[0]) {
		t.Fatalf("got %s %q", js, outAtt)
	}
	if !json.Valid(js) {
		t.Fatal("invalid JSON")
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"c0", "920161a178", "d40000", "dd7fffffff", "82a161c0a161c3", "c7", "d6ff00000001"} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Decode(b)
		if err != nil {
			return
		}
		var att [][]byte
		js, err := AppendJSON(nil, v, &att)
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(js) {
			t.Fatalf("invalid JSON %q from %x", js, b)
		}
		// JSON back to MessagePack and again: stable
		v2, err := FromJSON(js, att)
		if err != nil {
			t.Fatalf("FromJSON(%q): %v", js, err)
		}
		enc, err := Append(nil, v2)
		if err != nil {
			t.Fatal(err)
		}
		v3, err := Decode(enc)
		if err != nil {
			t.Fatal(err)
		}
		var att3 [][]byte
		js3, _ := AppendJSON(nil, v3, &att3)
		if !bytes.Equal(js, js3) {
			t.Fatalf("unstable: %s vs %s", js, js3)
		}
	})
}

func FuzzFromJSON(f *testing.F) {
	for _, s := range []string{`[1,"a",{"_placeholder":true,"num":0}]`, `{"a":-0.5e-7}`, `"\ud800"`, `[[[[]]]]`, `1e400`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := FromJSON(b, [][]byte{[]byte("att")})
		if json.Valid(b) != (err == nil) && !bytes.Contains(b, []byte(`\u`)) {
			// our parser accepts exactly JSON (escapes aside)
			if err == nil {
				t.Fatalf("accepted invalid JSON %q", b)
			}
			if len(b) < 10000 {
				t.Fatalf("rejected valid JSON %q: %v", b, err)
			}
		}
		if err != nil {
			return
		}
		enc, err := Append(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(enc); err != nil {
			t.Fatalf("own encoding rejected: %v", err)
		}
	})
}
