package notepack

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gosio/socketio/parser"
)

// What notepack.io 2.2.0 (socket.io-msgpack-parser's) writes for
// JSON.parse of the same text; where JavaScript cannot hold the integer
// (2^53+1, 2^64-1) notepack.io writes a rounded or wrapped value and we
// write it exactly.
func TestAppendMsgpackLikeNotepack(t *testing.T) {
	cases := []struct{ json, hex string }{
		{`[1,-1,-33,200,65535,4294967296,-40000,1.5,1.0,1e3,-0,1e400,9007199254740993,18446744073709551615,-9223372036854775808,0.1]`,
			"dc0010" + "01ff" + "d0df" + "ccc8" + "cdffff" + "cf0000000100000000" + "d2ffff63c0" + "cb3ff8000000000000" + "01" + "cd03e8" + "00" +
				"cb7ff0000000000000" + "cf0020000000000001" + "cfffffffffffffffff" + "d38000000000000000" + "cb3fb999999999999a"},
		{`{"a":"x","b":[true,false,null],"c":{"d":"\u00e9\n\"\ud83d\ude00"}}`, "83a161a178a16293c3c2c0a16381a164a8c3a90a22f09f9880"},
		{`"a string longer than thirty-one bytes, surely"`, "d92d6120737472696e67206c6f6e676572207468616e207468697274792d6f6e652062797465732c20737572656c79"},
		{` [ ] `, "90"},
		{`{}`, "80"},
		{`[[[[]]]]`, "91919190"},
		{`["\ud800x","\u00"]`, ""},  // invalid: \u00 is not an escape
		{`"\ud800x"`, "a4efbfbd78"}, // a lone surrogate is U+FFFD
		{"\"\xff\"", "a3efbfbd"},    // so is invalid UTF-8
		{`[1,]`, ""},
		{`{"a":1}x`, ""},
		{`01`, ""},
	}
	for _, c := range cases {
		got, err := AppendMsgpack(nil, []byte(c.json), nil)
		if c.hex == "" {
			if err == nil || !errors.Is(err, ErrJSON) {
				t.Errorf("%s: %x %v, want an ErrJSON", c.json, got, err)
			}
			continue
		}
		if err != nil || hex.EncodeToString(got) != c.hex {
			t.Errorf("%s:\n got %x %v\nwant %s", c.json, got, err, c.hex)
		}
	}
}

func TestAppendMsgpackPlaceholders(t *testing.T) {
	att := [][]byte{{1}, {2, 3}}
	in := `[{"_placeholder":true,"num":1},{"x":[{"num":0,"_placeholder":true}]},{"_placeholder":true,"num":2},{"_placeholder":true,"num":0,"k":1},{"_placeholder":false,"num":0}]`
	got, err := AppendMsgpack(nil, []byte(in), att)
	if err != nil {
		t.Fatal(err)
	}
	// bins at depth; num out of range, an extra member or false: maps
	want := "95" + "c4020203" + "81a17891c40101" +
		"82ac5f706c616365686f6c646572c3a36e756d02" +
		"83ac5f706c616365686f6c646572c3a36e756d00a16b01" +
		"82ac5f706c616365686f6c646572c2a36e756d00"
	if hex.EncodeToString(got) != want {
		t.Errorf("got  %x\nwant %s", got, want)
	}
	// without attachments placeholders are plain objects
	got, _ = AppendMsgpack(nil, []byte(`{"_placeholder":true,"num":0}`), nil)
	if hex.EncodeToString(got) != "82ac5f706c616365686f6c646572c3a36e756d00" {
		t.Errorf("no attachments: %x", got)
	}
}

func TestAppendMsgpackDepth(t *testing.T) {
	ok := strings.Repeat("[", DefaultMaxDepth) + strings.Repeat("]", DefaultMaxDepth)
	if _, err := AppendMsgpack(nil, []byte(ok), nil); err != nil {
		t.Errorf("%d levels: %v", DefaultMaxDepth, err)
	}
	deep := "[" + ok + "]"
	if _, err := AppendMsgpack(nil, []byte(deep), nil); !errors.Is(err, ErrJSON) {
		t.Errorf("%d levels: %v", DefaultMaxDepth+1, err)
	}
}

// What JSON.stringify gives for the values notepack.io 2.2.0 decodes from
// its own encodings (binaries as placeholders).
func TestJSONWriterLikeNode(t *testing.T) {
	cases := []struct{ hex, json string }{
		{"9301d4000002", `[1,null,2]`},                         // [1, undefined, 2]
		{"83a16101a162d40000a16302", `{"a":1,"c":2}`},          // {a:1, b:undefined, c:2}
		{"d7000000018bcfe5687b", `"2023-11-14T22:13:20.123Z"`}, // a Date
		{"c403010203", `{"_placeholder":true,"num":0}`},        // a Buffer
		{"c708000908070605040302", `{"_placeholder":true,"num":0}`},
		{"c7010001", `{"_placeholder":true,"num":0}`},                                    // new Uint8Array([1])
		{"93cb7ff8000000000000cb7ff0000000000000cbfff0000000000000", `[null,null,null]`}, // NaN, ±Infinity
		{"81a17892c4010181a179c40102", `{"x":[{"_placeholder":true,"num":0},{"y":{"_placeholder":true,"num":1}}]}`},
		{"ca3dcccccd", `0.10000000149011612`}, // float 32
		{"cfffffffffffffffff", `18446744073709551615`},
		{"d3ffffffffffffffff", `-1`},
		{"d5050102", `[5,{"_placeholder":true,"num":0}]`},      // an extension: [type, Buffer]
		{"d6ff00000001", `"1970-01-01T00:00:01.000Z"`},         // timestamp 32 (notepack.io 3)
		{"d700fffffffffffffc18", `"1969-12-31T23:59:59.000Z"`}, // negative milliseconds
		{"d7007fffffffffffffff", `null`},                       // an invalid Date
		{"d700001eb208c2dc0000", `"+275760-09-13T00:00:00.000Z"`},
		{"d700ffe14df73d240000", `"-271821-04-20T00:00:00.000Z"`},
		{"d700ffffc76e394a7400", `"-000001-01-01T00:00:00.000Z"`},
		{"8401a161c3a174c001cb3ff8000000000000a178", `{"1":"a","true":"t","null":1,"1.5":"x"}`},
		{"81cb7ff8000000000000c3", `{"NaN":true}`},
		{"a1ff", "\"\uFFFD\""}, // invalid UTF-8, as Node decodes it
		{"a20a22", `"\n\""`},
	}
	for _, c := range cases {
		b, _ := hex.DecodeString(c.hex)
		w := JSONWriter{Placeholders: true, MaxAttachments: 10, MaxAttachmentBytes: 100}
		got, err := w.AppendJSON(nil, b)
		if err != nil || string(got) != c.json {
			t.Errorf("%s: %s %v, want %s", c.hex, got, err, c.json)
		}
	}
}

func TestJSONWriterModesAndLimits(t *testing.T) {
	dec := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	// without placeholders, binaries are Buffer.toJSON, as JSON.stringify
	// writes them
	w := JSONWriter{}
	if got, err := w.AppendJSON(nil, dec("92c40201ffc7010007")); err != nil || string(got) != `[{"type":"Buffer","data":[1,255]},{"type":"Buffer","data":[7]}]` {
		t.Errorf("buffer form: %s %v", got, err)
	}
	// attachments alias the input, in order
	in := dec("93c40161c40162c40163")
	w = JSONWriter{Placeholders: true, MaxAttachments: 3, MaxAttachmentBytes: 3}
	got, err := w.AppendJSON(nil, in)
	if err != nil || string(got) != `[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}]` ||
		len(w.Attachments) != 3 || string(w.Attachments[2]) != "c" || &w.Attachments[0][0] != &in[3] {
		t.Errorf("placeholders: %s %v %q", got, err, w.Attachments)
	}
	w = JSONWriter{Placeholders: true, MaxAttachments: 2, MaxAttachmentBytes: 3}
	if _, err := w.AppendJSON(nil, in); !errors.Is(err, parser.ErrTooManyAttachments) {
		t.Errorf("3 binaries, 2 allowed: %v", err)
	}
	w = JSONWriter{Placeholders: true, MaxAttachments: 3, MaxAttachmentBytes: 2}
	if _, err := w.AppendJSON(nil, in); !errors.Is(err, parser.ErrAttachmentsTooLarge) {
		t.Errorf("3 bytes, 2 allowed: %v", err)
	}
	// a map that looks like a placeholder is flagged
	w = JSONWriter{Placeholders: true}
	if _, err := w.AppendJSON(nil, dec("82ac5f706c616365686f6c646572c3a36e756d00")); err != nil || !w.PlaceholderLike {
		t.Errorf("placeholder-like map: %v %v", err, w.PlaceholderLike)
	}
	w = JSONWriter{Placeholders: true}
	if _, err := w.AppendJSON(nil, dec("81ac5f706c616365686f6c646572c2")); err != nil || w.PlaceholderLike {
		t.Errorf("_placeholder false: %v %v", err, w.PlaceholderLike)
	}
	for _, bad := range []string{"", "c1", "92", "0101", "c4ff", "a5ab", "81c40161c0", "8191c0c0", "dd7fffffff", "db7fffffff", "c7", "c70500", "d4"} {
		w := JSONWriter{Placeholders: true, MaxAttachments: 10, MaxAttachmentBytes: 10}
		if got, err := w.AppendJSON(nil, dec(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: %s %v, want ErrInvalid", bad, got, err)
		}
	}
	deep := bytes.Repeat([]byte{0x91}, 20)
	deep = append(deep, 0x90)
	w = JSONWriter{MaxDepth: 20}
	if _, err := w.AppendJSON(nil, deep); !errors.Is(err, ErrInvalid) {
		t.Errorf("21 levels, 20 allowed: %v", err)
	}
	w = JSONWriter{MaxDepth: 21}
	if _, err := w.AppendJSON(nil, deep); err != nil {
		t.Errorf("21 levels allowed: %v", err)
	}
}

func TestValueKind(t *testing.T) {
	cases := map[string]Kind{
		"": KindInvalid, "c1": KindInvalid, "d40000": KindUndefined, "d40500": KindArray, "c0": KindNull, "c2": KindBool,
		"7f": KindNumber, "e0": KindNumber, "cb": KindNumber, "a0": KindString, "d900": KindString, "c400": KindBinary,
		"c70100ff": KindBinary, "c7": KindInvalid, "d6ff00000001": KindDate, "d7000000000000000000": KindDate, "d600": KindInvalid,
		"90": KindArray, "dc0000": KindArray, "d5000102": KindArray, "80": KindObject, "de0000": KindObject,
	}
	for h, want := range cases {
		b, _ := hex.DecodeString(h)
		if got := ValueKind(b); got != want {
			t.Errorf("%s: kind %d, want %d", h, got, want)
		}
	}
}

func TestReadUint(t *testing.T) {
	cases := []struct {
		hex string
		v   uint64
		ok  bool
	}{
		{"00", 0, true}, {"7f", 127, true}, {"ff", 0, false}, {"cd0100", 256, true}, {"cfffffffffffffffff", 1<<64 - 1, true},
		{"d3ffffffffffffffff", 0, false}, {"d005", 5, true}, {"cb4000000000000000", 2, true}, {"cb4004000000000000", 0, false},
		{"ca40000000", 2, true}, {"cb43f0000000000000", 0, false}, {"cb8000000000000000", 0, true}, {"a0", 0, false}, {"cd01", 0, false},
	}
	for _, c := range cases {
		b, _ := hex.DecodeString(c.hex)
		v, n, ok := ReadUint(b)
		if ok != c.ok || ok && (v != c.v || n != len(b)) {
			t.Errorf("%s: %d %d %v, want %d %v", c.hex, v, n, ok, c.v, c.ok)
		}
	}
}

// FuzzJSONWriter: whatever MessagePack a peer sends, the JSON written is
// valid, references each attachment once, and survives the way back.
func FuzzJSONWriter(f *testing.F) {
	for _, s := range []string{"9301d4000002", "83a16101a162d40000a16302", "d7000000018bcfe5687b", "81a17892c4010181a179c40102",
		"8401a161c3a174c001cb3ff8000000000000a178", "d5050102", "c70100ff", "dc0003c0c2c3", "82ac5f706c616365686f6c646572c3a36e756d00"} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		w := JSONWriter{Placeholders: true, MaxAttachments: 1000, MaxAttachmentBytes: 1 << 20, MaxDepth: 100}
		js, err := w.AppendJSON(nil, b)
		if err != nil {
			return
		}
		if !json.Valid(js) {
			t.Fatalf("invalid JSON %s from %x", js, b)
		}
		if n := bytes.Count(js, []byte(`{"_placeholder":true,"num":`)); n < len(w.Attachments) {
			t.Fatalf("%d placeholders for %d attachments in %s", n, len(w.Attachments), js)
		}
		mp, err := AppendMsgpack(nil, js, w.Attachments)
		if err != nil {
			t.Fatalf("AppendMsgpack(%s): %v", js, err)
		}
		w2 := JSONWriter{Placeholders: true, MaxAttachments: 1000, MaxAttachmentBytes: 1 << 20, MaxDepth: 100}
		js2, err := w2.AppendJSON(nil, mp)
		if err != nil {
			t.Fatalf("own encoding %x of %s rejected: %v", mp, js, err)
		}
		if !w.PlaceholderLike && !bytes.Equal(js, js2) {
			t.Fatalf("round trip: %s, then %s", js, js2)
		}
	})
}

// FuzzAppendMsgpack: exactly valid JSON is accepted, and one round trip
// reaches a fixed point.
func FuzzAppendMsgpack(f *testing.F) {
	for _, s := range []string{`[1,"a",{"_placeholder":true,"num":0}]`, `{"a":-0.5e-7}`, `"\ud800"`, `[[[[]]]]`, `1e400`,
		`{"k":[1.0,2e3,-0,18446744073709551616]}`, `"\u00e9\ud83d\ude00"`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	att := [][]byte{[]byte("att")}
	f.Fuzz(func(t *testing.T, b []byte) {
		mp, err := AppendMsgpack(nil, b, att)
		if valid := json.Valid(b); valid != (err == nil) {
			if !valid || !bytes.Contains(b, bytes.Repeat([]byte("["), 100)) && !bytes.Contains(b, bytes.Repeat([]byte("{"), 100)) {
				t.Fatalf("valid %v, error %v for %q", valid, err, b)
			}
		}
		if err != nil {
			return
		}
		w := JSONWriter{Placeholders: true, MaxAttachments: 1 << 20, MaxAttachmentBytes: 1 << 30}
		js, err := w.AppendJSON(nil, mp)
		if err != nil {
			t.Fatalf("own encoding %x rejected: %v", mp, err)
		}
		mp2, err := AppendMsgpack(nil, js, w.Attachments)
		if err != nil {
			t.Fatalf("AppendMsgpack(%s): %v", js, err)
		}
		w2 := JSONWriter{Placeholders: true, MaxAttachments: 1 << 20, MaxAttachmentBytes: 1 << 30}
		js2, err := w2.AppendJSON(nil, mp2)
		if err != nil || !bytes.Equal(js, js2) {
			// (1e400 is Infinity, which JSON writes as null: a fixed
			// point from the first JSON on, not from the input)
			t.Fatalf("not stable: %q -> %x -> %s -> %x -> %s %v", b, mp, js, mp2, js2, err)
		}
	})
}
