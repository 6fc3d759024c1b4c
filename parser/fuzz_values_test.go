package parser_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/gosio/socketio/parser"
)

// FuzzBinaryRoundTrip builds an Upload from fuzzed JSON and bytes, then
// checks that EncodeArgs writes what encoding/json writes (attachments in
// place of the base64 strings), and that the packet decodes back into an
// equal Upload.
func FuzzBinaryRoundTrip(f *testing.F) {
	seed, _ := json.Marshal(sampleUpload())
	f.Add(seed, []byte{1, 2, 3})
	f.Add([]byte(`{"name":"\u2028<>","parts":[{},{"data":""}],"byId":{"-1":{}},"any":{"b":[1,{"a":null}]},"str":"\"x\""}`), []byte{})
	f.Add([]byte(`{"Thumb":null,"fixed":[null,"AQ=="],"ptrBytes":"","byName":{"":null},"raw":[1, 2]}`), []byte{0})
	f.Fuzz(func(t *testing.T, text, data []byte) {
		var u Upload
		if json.Unmarshal(text, &u) != nil {
			return
		}
		u.Data = data
		fillNilBytes(reflect.ValueOf(&u).Elem())
		// the string option shows the inner escaping, where encoding/json
		// escapes U+2028 and U+2029 and JSON.stringify does not
		u.Str = strings.NewReplacer("\u2028", "", "\u2029", "").Replace(u.Str)

		enc, att, err := parser.EncodeArgs([]any{u})
		if errors.Is(err, parser.ErrTooDeep) {
			return // encoding/json decoded one level more than fits in a payload
		}
		if err != nil {
			t.Fatalf("EncodeArgs(%+v): %v", u, err)
		}
		if att == nil {
			t.Fatal("no attachments")
		}
		_, args := wire(t, u)

		// the JSON of encoding/json, attachments aside
		asJSON, err := json.Marshal(args.Arg(0))
		if err != nil {
			t.Fatal(err)
		}
		want := []byte(jsonOf(t, u))
		if !sameTokens(asJSON, want) {
			t.Fatalf("EncodeArgs %s\nwith base64: %s\nencoding/json: %s", enc, asJSON, want)
		}

		var back Upload
		if err := args.Decode(0, &back); err != nil {
			t.Fatalf("decoding %s: %v", enc, err)
		}
		// what does not travel: a skipped field, an omitted empty one, the
		// spacing of a RawMessage (compacted as encoding/json does)
		u.Skip = nil
		if len(u.Omit) == 0 {
			u.Omit = nil
		}
		if u.Raw == nil {
			u.Raw = json.RawMessage("null")
		} else {
			var c bytes.Buffer
			json.Compact(&c, u.Raw)
			u.Raw = c.Bytes()
		}
		if !reflect.DeepEqual(back, u) {
			t.Fatalf("round trip of %s\ngot  %+v\nwant %+v", enc, back, u)
		}
	})
}

// fillNilBytes replaces nil byte slices by empty ones (EncodeArgs sends a
// nil []byte as an empty attachment).
func fillNilBytes(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			fillNilBytes(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillNilBytes(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.IsNil() && v.CanSet() {
				v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			}
			return
		}
		for i := range v.Len() {
			fillNilBytes(v.Index(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			fillNilBytes(v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			c := reflect.New(v.Type().Elem()).Elem()
			c.Set(it.Value())
			fillNilBytes(c)
			v.SetMapIndex(it.Key(), c)
		}
	}
}

// sameTokens reports whether two JSON texts have the same tokens in the
// same order (so the same members in the same order), whatever their
// escaping.
func sameTokens(a, b []byte) bool {
	da, db := json.NewDecoder(bytes.NewReader(a)), json.NewDecoder(bytes.NewReader(b))
	da.UseNumber()
	db.UseNumber()
	for {
		ta, ea := da.Token()
		tb, eb := db.Token()
		if ea != nil || eb != nil {
			return errors.Is(ea, io.EOF) && errors.Is(eb, io.EOF)
		}
		if ta != tb {
			return false
		}
	}
}

// FuzzArgsDecode decodes the arguments of arbitrary packets into typed,
// generic and Arg values (which must never panic) and relays them: the
// relayed packet must decode to the same text, attachments aside, and the
// same values.
func FuzzArgsDecode(f *testing.F) {
	for _, tc := range wireExamples {
		seq := []byte(tc.wire)
		for _, b := range tc.bins {
			seq = append(append(append(seq, 0x1e), 'b'), b...)
		}
		f.Add(seq)
	}
	seed, _ := parser.NewEvent("/", "up", []any{sampleUpload(), map[string]any{"x": []any{[]byte{1}}}})
	text, _ := seed.AppendText(nil)
	for _, a := range seed.Attachments {
		text = append(append(append(text, 0x1e), 'b'), a...)
	}
	f.Add(text)
	f.Add([]byte(`52-["a",{"b":` + ph(1) + `,"a":{"_placeholder":true,"x":` + ph(0) + `,"num":1}}]` + "\x1eb\x01\x1eb\x02"))
	f.Add([]byte(`2["a",{"_placeholder":true,"num":0},{"data":{"_placeholder":true,"num":5}}]`))
	f.Fuzz(func(t *testing.T, seq []byte) {
		d := parser.NewDecoder(parser.Limits{MaxAttachments: 20})
		for _, msg := range bytes.Split(seq, []byte{0x1e}) {
			binary := len(msg) > 0 && msg[0] == 'b'
			if binary {
				msg = msg[1:]
			}
			p, err := d.Add(msg, binary)
			if err != nil || p == nil || p.Data == nil || p.Type == parser.Connect || p.Type == parser.ConnectError {
				continue
			}
			args, err := parser.NewArgs(p.Data, p.Attachments)
			if err != nil {
				t.Fatalf("NewArgs of a decoded packet: %v", err)
			}
			decodeAll(t, args)
			checkRelay(t, p, args)
		}
	})
}

type withArg struct {
	A parser.Arg   `json:"a"`
	P *parser.Arg  `json:"p"`
	L []parser.Arg `json:"l"`
}

func decodeAll(t *testing.T, args parser.Args) {
	for i := range args.Len() {
		targets := []any{new(any), new(Upload), new(map[string][]byte), new([]Part), new([][]byte), new([]byte),
			new(parser.Arg), new(withArg), new(map[int]any), new(string), new([2]*[]byte)}
		for _, v := range targets {
			args.Decode(i, v)
		}
		var w withArg
		if args.Decode(i, &w) == nil {
			// the Args fields relay what they got
			if _, _, err := parser.EncodeArgs([]any{w}); err != nil {
				t.Fatalf("relaying %+v of %s: %v", w, args.Raw(i), err)
			}
		}
	}
	args.Values()
}

// checkRelay relays args among other arguments and decodes the result.
func checkRelay(t *testing.T, p *parser.Packet, args parser.Args) {
	out := []any{args}
	if p.Type.IsBinary() {
		// with attachments of its own before: every num shifts
		out = []any{[]byte{7}, args, []byte{8}}
	}
	q, relayed := wire(t, out...)
	if p.Type.IsBinary() {
		relayed = relayed.From(1)
		if !bytes.Equal(q.Attachments[0], []byte{7}) || !bytes.Equal(q.Attachments[len(q.Attachments)-1], []byte{8}) {
			t.Fatalf("attachments around the relayed ones: %v", q.Attachments)
		}
	}
	if relayed.Len() < args.Len() {
		t.Fatalf("relayed %d arguments of %d", relayed.Len(), args.Len())
	}
	for i := range args.Len() {
		a, _ := json.Marshal(args.Arg(i))
		b, _ := json.Marshal(relayed.Arg(i))
		if !bytes.Equal(a, b) {
			t.Fatalf("argument %d relayed as %s, was %s", i, b, a)
		}
		if !p.Type.IsBinary() && !bytes.Equal(args.Raw(i), relayed.Raw(i)) {
			t.Fatalf("argument %d relayed as %s, was %s", i, relayed.Raw(i), args.Raw(i))
		}
	}
	if !reflect.DeepEqual(args.Values(), relayed.From(0).Values()[:args.Len()]) {
		t.Fatalf("relayed values differ: %#v\n%#v", args.Values(), relayed.Values())
	}
}
