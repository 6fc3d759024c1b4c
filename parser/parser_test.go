package parser_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gosio/socketio/parser"
)

type wireExample struct {
	name  string
	wire  string   // text part, without the Engine.IO "4" prefix
	bins  [][]byte // binary messages that follow
	want  parser.Packet
	canon string // re-encoding when it differs from wire
}

func ph(n int) string { return `{"_placeholder":true,"num":` + strconv.Itoa(n) + `}` }

var wireExamples = []wireExample{
	{name: "connect", wire: "0", want: parser.Packet{Type: parser.Connect, Nsp: "/"}},
	{name: "connect auth", wire: `0{"token":"123"}`, want: parser.Packet{Type: parser.Connect, Nsp: "/", Data: raw(`{"token":"123"}`)}},
	{name: "connect nsp", wire: "0/admin,", want: parser.Packet{Type: parser.Connect, Nsp: "/admin"}},
	{name: "connect nsp no comma", wire: "0/random", want: parser.Packet{Type: parser.Connect, Nsp: "/random"}, canon: "0/random,"},
	{name: "connect nsp auth", wire: `0/admin,{"token":"abc"}`, want: parser.Packet{Type: parser.Connect, Nsp: "/admin", Data: raw(`{"token":"abc"}`)}},
	{name: "accept", wire: `0{"sid":"wZX3oN0bSVIhsaknAAAI"}`, want: parser.Packet{Type: parser.Connect, Nsp: "/", Data: raw(`{"sid":"wZX3oN0bSVIhsaknAAAI"}`)}},
	{name: "accept nsp", wire: `0/admin,{"sid":"…"}`, want: parser.Packet{Type: parser.Connect, Nsp: "/admin", Data: raw(`{"sid":"…"}`)}},
	{name: "csr accept", wire: `0{"sid":"…","pid":"…"}`, want: parser.Packet{Type: parser.Connect, Nsp: "/", Data: raw(`{"sid":"…","pid":"…"}`)}},
	{name: "csr recover", wire: `0{"pid":"YHcX…","offset":"MzUPkW0"}`, want: parser.Packet{Type: parser.Connect, Nsp: "/", Data: raw(`{"pid":"YHcX…","offset":"MzUPkW0"}`)}},
	{name: "refuse", wire: `4/random,{"message":"Invalid namespace"}`, want: parser.Packet{Type: parser.ConnectError, Nsp: "/random", Data: raw(`{"message":"Invalid namespace"}`)}},
	{name: "refuse mw", wire: `4/mw,{"message":"not authorized","data":{"content":"retry later"}}`, want: parser.Packet{Type: parser.ConnectError, Nsp: "/mw", Data: raw(`{"message":"not authorized","data":{"content":"retry later"}}`)}},
	{name: "connect error string", wire: `4"Unauthorized"`, want: parser.Packet{Type: parser.ConnectError, Nsp: "/", Data: raw(`"Unauthorized"`)}},
	{name: "event", wire: `2["hey","Jude"]`, want: parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(`["hey","Jude"]`)}},
	{name: "event nsp", wire: `2/admin,["bar"]`, want: parser.Packet{Type: parser.Event, Nsp: "/admin", Data: raw(`["bar"]`)}},
	{name: "event numeric name", wire: `2[1,"a",{}]`, want: parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(`[1,"a",{}]`)}},
	{name: "event ack id", wire: `212["foo"]`, want: parser.Packet{Type: parser.Event, Nsp: "/", ID: 12, HasID: true, Data: raw(`["foo"]`)}},
	{name: "event nsp ack id", wire: `2/test,1["a",1,{}]`, want: parser.Packet{Type: parser.Event, Nsp: "/test", ID: 1, HasID: true, Data: raw(`["a",1,{}]`)}},
	{name: "ack", wire: `312[]`, want: parser.Packet{Type: parser.Ack, Nsp: "/", ID: 12, HasID: true, Data: raw(`[]`)}},
	{name: "ack nsp", wire: `3/admin,13["bar"]`, want: parser.Packet{Type: parser.Ack, Nsp: "/admin", ID: 13, HasID: true, Data: raw(`["bar"]`)}},
	{name: "ack max id", wire: `318446744073709551615[]`, want: parser.Packet{Type: parser.Ack, Nsp: "/", ID: 1<<64 - 1, HasID: true, Data: raw(`[]`)}},
	{name: "ack id leading zeros", wire: `3007[]`, want: parser.Packet{Type: parser.Ack, Nsp: "/", ID: 7, HasID: true, Data: raw(`[]`)}, canon: "37[]"},
	{
		name: "binary event", wire: `52-["baz",` + ph(0) + `,` + ph(1) + `]`,
		bins: [][]byte{{1, 2}, {3}},
		want: parser.Packet{Type: parser.BinaryEvent, Nsp: "/", Data: raw(`["baz",` + ph(0) + `,` + ph(1) + `]`), Attachments: [][]byte{{1, 2}, {3}}},
	},
	{
		name: "binary ack", wire: `61-15["bar",` + ph(0) + `]`,
		bins: [][]byte{{0xff}},
		want: parser.Packet{Type: parser.BinaryAck, Nsp: "/", ID: 15, HasID: true, Data: raw(`["bar",` + ph(0) + `]`), Attachments: [][]byte{{0xff}}},
	},
	{
		name: "binary event polling", wire: `51-["bin",` + ph(0) + `]`,
		bins: [][]byte{{1, 2, 3}},
		want: parser.Packet{Type: parser.BinaryEvent, Nsp: "/", Data: raw(`["bin",` + ph(0) + `]`), Attachments: [][]byte{{1, 2, 3}}},
	},
	{
		name: "binary event nsp nested", wire: `52-/admin,7["x",{"a":[` + ph(1) + `]},` + ph(0) + `]`,
		bins: [][]byte{{9}, {}},
		want: parser.Packet{Type: parser.BinaryEvent, Nsp: "/admin", ID: 7, HasID: true, Data: raw(`["x",{"a":[` + ph(1) + `]},` + ph(0) + `]`), Attachments: [][]byte{{9}, {}}},
	},
	{name: "binary event no attachments", wire: `50-["x"]`, want: parser.Packet{Type: parser.BinaryEvent, Nsp: "/", Data: raw(`["x"]`)}},
	{name: "disconnect", wire: "1", want: parser.Packet{Type: parser.Disconnect, Nsp: "/"}},
	{name: "disconnect nsp", wire: "1/admin,", want: parser.Packet{Type: parser.Disconnect, Nsp: "/admin"}},
	{name: "csr event", wire: `2["foo","MzUPkW0"]`, want: parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(`["foo","MzUPkW0"]`)}},
	{name: "explicit root nsp", wire: `2/,["a"]`, want: parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(`["a"]`)}, canon: `2["a"]`},
	{name: "whitespace", wire: "2 [ \"a\" , 1 ]\n", want: parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(`[ "a" , 1 ]`)}, canon: `2[ "a" , 1 ]`},
	{name: "placeholder in plain event", wire: `2["a",` + ph(3) + `]`, want: parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(`["a",` + ph(3) + `]`)}},
	{name: "escaped reserved lookalike", wire: `2["connect "]`, want: parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(`["connect "]`)}},
	{name: "error event", wire: `2["error"]`, want: parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(`["error"]`)}},
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

func equalPacket(a, b *parser.Packet) bool {
	if a.Type != b.Type || a.Nsp != b.Nsp || a.HasID != b.HasID || (a.HasID && a.ID != b.ID) ||
		!bytes.Equal(a.Data, b.Data) || (a.Data == nil) != (b.Data == nil) || len(a.Attachments) != len(b.Attachments) {
		return false
	}
	for i := range a.Attachments {
		if !bytes.Equal(a.Attachments[i], b.Attachments[i]) {
			return false
		}
	}
	return true
}

func TestWireExamples(t *testing.T) {
	for _, tc := range wireExamples {
		t.Run(tc.name, func(t *testing.T) {
			d := parser.NewDecoder(parser.Limits{})
			p, err := d.Add([]byte(tc.wire), false)
			if err != nil {
				t.Fatalf("Add(%q): %v", tc.wire, err)
			}
			for i, b := range tc.bins {
				if p != nil {
					t.Fatalf("packet complete after %d of %d attachments", i, len(tc.bins))
				}
				if p, err = d.Add(b, true); err != nil {
					t.Fatalf("attachment %d: %v", i, err)
				}
			}
			if p == nil {
				t.Fatal("no packet")
			}
			if !equalPacket(p, &tc.want) {
				t.Fatalf("decoded %+v, want %+v", p, tc.want)
			}
			if d.Pending() {
				t.Fatal("decoder still pending")
			}

			// stateless decoding
			sp, err := parser.Decode([]byte(tc.wire))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(sp.Attachments) != len(tc.bins) {
				t.Fatalf("Decode: %d attachment slots, want %d", len(sp.Attachments), len(tc.bins))
			}

			// encoding
			out, err := tc.want.AppendText(nil)
			if err != nil {
				t.Fatalf("AppendText: %v", err)
			}
			canon := tc.canon
			if canon == "" {
				canon = tc.wire
			}
			if string(out) != canon {
				t.Fatalf("AppendText = %q, want %q", out, canon)
			}
			p2, err := parser.Decode(out)
			if err != nil {
				t.Fatalf("Decode(AppendText): %v", err)
			}
			p2.Attachments = p.Attachments
			if !equalPacket(p2, p) {
				t.Fatalf("round trip %+v, want %+v", p2, p)
			}
		})
	}
}

// rejections are decoded by a fresh Decoder; every one is an error.
var rejections = []struct {
	wire string
	want error
}{
	// robustness.md §2 "Parser rejections" (socket.io-parser test/parser.js)
	{`442["some","data"`, parser.ErrInvalidPayload},
	{`0/admin,"invalid"`, parser.ErrInvalidPayload},
	{`0[]`, parser.ErrInvalidPayload},
	{`1/admin,{}`, parser.ErrInvalidPayload},
	{`2/admin,"invalid`, parser.ErrInvalidPayload},
	{`2/admin,{}`, parser.ErrInvalidPayload},
	{`2[{"toString":"foo"}]`, parser.ErrInvalidPayload},
	{`2[true,"foo"]`, parser.ErrInvalidPayload},
	{`2[null,"bar"]`, parser.ErrInvalidPayload},
	{`2["connect"]`, parser.ErrInvalidPayload},
	{`2["disconnect","123"]`, parser.ErrInvalidPayload},
	{`5`, parser.ErrIllegalAttachments},
	{`51`, parser.ErrIllegalAttachments},
	{`5a-`, parser.ErrIllegalAttachments},
	{`51.23-`, parser.ErrIllegalAttachments},
	{`999`, parser.ErrUnknownType},
	// more of the same kind
	{``, parser.ErrInvalidPacket},
	{`7`, parser.ErrUnknownType},
	{`a`, parser.ErrUnknownType},
	{` 0{}`, parser.ErrUnknownType},
	{`2abc["x"]`, parser.ErrInvalidPayload},
	{`2{}`, parser.ErrInvalidPayload},
	{`2`, parser.ErrInvalidPayload},
	{`2[]`, parser.ErrInvalidPayload},
	{`2 `, parser.ErrInvalidPayload},
	{`2["a"]x`, parser.ErrInvalidPayload},
	{`2["a"][]`, parser.ErrInvalidPayload},
	{`2["connect_error"]`, parser.ErrInvalidPayload},
	{`2["disconnecting"]`, parser.ErrInvalidPayload},
	{`2["newListener"]`, parser.ErrInvalidPayload},
	{`2["removeListener"]`, parser.ErrInvalidPayload},
	{`2["\u0063onnect"]`, parser.ErrInvalidPayload},
	{`2[["a"]]`, parser.ErrInvalidPayload},
	{`2/admin["x"]`, parser.ErrInvalidPayload},
	{`0"s"`, parser.ErrInvalidPayload},
	{`0[1]`, parser.ErrInvalidPayload},
	{`0null`, parser.ErrInvalidPayload},
	{`0{`, parser.ErrInvalidPayload},
	{`1"x"`, parser.ErrInvalidPayload},
	{`1 `, parser.ErrInvalidPayload},
	{`4`, parser.ErrInvalidPayload},
	{`4[]`, parser.ErrInvalidPayload},
	{`4null`, parser.ErrInvalidPayload},
	{`3[]`, parser.ErrInvalidPacket},
	{`3/admin,["x"]`, parser.ErrInvalidPacket},
	{`31`, parser.ErrInvalidPayload},
	{`31{}`, parser.ErrInvalidPayload},
	{`3-1[]`, parser.ErrInvalidPayload},
	{`318446744073709551616[]`, parser.ErrInvalidPacket},
	{`399999999999999999999999[]`, parser.ErrInvalidPacket},
	{`2["a",01]`, parser.ErrInvalidPayload},
	{`2["a",1.]`, parser.ErrInvalidPayload},
	{`2["a",-]`, parser.ErrInvalidPayload},
	{`2["a\x"]`, parser.ErrInvalidPayload},
	{`2["a\u12"]`, parser.ErrInvalidPayload},
	{"2[\"a\x01\"]", parser.ErrInvalidPayload},
	{`2["a",tru]`, parser.ErrInvalidPayload},
	{`2["a",{"k"}]`, parser.ErrInvalidPayload},
	{`2["a",{"k":1,}]`, parser.ErrInvalidPayload},
	{`2["a",]`, parser.ErrInvalidPayload},
	// attachments
	{`5-["a"]`, parser.ErrIllegalAttachments},
	{`5+1-["a"]`, parser.ErrIllegalAttachments},
	{`5 1-["a"]`, parser.ErrIllegalAttachments},
	{`511-["a"]`, parser.ErrTooManyAttachments},
	{`51000000000-["a"]`, parser.ErrTooManyAttachments},
	{`599999999999999999999999999-["a"]`, parser.ErrTooManyAttachments},
	{`51-`, parser.ErrInvalidPayload},
	{`51-{}`, parser.ErrInvalidPayload},
	{`51-["connect",` + ph(0) + `]`, parser.ErrInvalidPayload},
	{`51-["a",` + ph(1) + `]`, parser.ErrIllegalAttachments},
	{`52-["a",` + ph(0) + `,` + ph(0) + `]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":-1}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":0.5}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":0.0}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":"0"}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":"__proto__"}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":"toString"}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":99999999999999999999}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"\u005fplaceholder":true,"num":3}]`, parser.ErrIllegalAttachments},
	{`51-["a",{"_placeholder":true,"num":0,"num":1}]`, parser.ErrIllegalAttachments},
	{`50-["a",` + ph(0) + `]`, parser.ErrIllegalAttachments},
	{`61-["a"]`, parser.ErrInvalidPacket},
}

func TestRejections(t *testing.T) {
	for _, tc := range rejections {
		p, err := parser.NewDecoder(parser.Limits{}).Add([]byte(tc.wire), false)
		if err == nil {
			t.Errorf("Add(%q) = %+v, want error", tc.wire, p)
			continue
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("Add(%q) error %v, want %v", tc.wire, err, tc.want)
		}
		if !strings.HasPrefix(err.Error(), "socketio: ") {
			t.Errorf("error %q lacks the socketio: prefix", err)
		}
		if _, err2 := parser.Decode([]byte(tc.wire)); err2 == nil {
			t.Errorf("Decode(%q) succeeded", tc.wire)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	for wire, msg := range map[string]string{
		"999":         "unknown packet type",
		"5a-":         "illegal attachments",
		"511-[\"a\"]": "too many attachments",
		"2{}":         "invalid payload",
	} {
		_, err := parser.Decode([]byte(wire))
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("Decode(%q) error %v, want it to contain %q", wire, err, msg)
		}
	}
}

func TestAcceptedOddities(t *testing.T) {
	// inputs the reference accepts and so do we
	for _, wire := range []string{
		`2["a",{"_placeholder":false,"num":"x"}]`,
		`51-["a",{"_placeholder":"true","num":9}]`, // not a placeholder: _placeholder is not true
		`51-["a",{"_placeholder":true,"num":9,"num":0}]`,
		`51-["a",{"_placeholder":false,"_placeholder":true,"num":0}]`,
		`51-["a",{"_placeholder":true,"num":0,"_placeholder":false},` + ph(0) + `]`,
		`52-["a",` + ph(1) + `]`, // an attachment may go unused
		`2[-1.5e3]`,
		`2["\u00e9v\u00e9nement"]`,
		`0/admin,{}`,
		`01{}`, // the reference accepts an id on any type
		`2/a/b c\u00e9,["x"]`,
		`2[1e400]`,
	} {
		if _, err := parser.Decode([]byte(wire)); err != nil {
			t.Errorf("Decode(%q): %v", wire, err)
		}
	}
}

func TestDeepNesting(t *testing.T) {
	ok := `2["a",` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `]`
	if _, err := parser.Decode([]byte(ok)); err != nil {
		t.Errorf("depth 10000: %v", err)
	}
	for _, n := range []int{10000, 100000} {
		deep := `2["a",` + strings.Repeat("[", n) + strings.Repeat("]", n) + `]`
		if _, err := parser.Decode([]byte(deep)); !errors.Is(err, parser.ErrInvalidPayload) {
			t.Errorf("depth %d: error %v, want invalid payload", n+1, err)
		}
		deepObj := `2["a",` + strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n) + `]`
		if _, err := parser.Decode([]byte(deepObj)); !errors.Is(err, parser.ErrInvalidPayload) {
			t.Errorf("object depth %d: error %v, want invalid payload", n+1, err)
		}
	}
	big := `2["a","` + strings.Repeat("x", 900_000) + `"]`
	if _, err := parser.Decode([]byte(big)); err != nil {
		t.Errorf("900 KB string: %v", err)
	}
}

func TestDecoderSequences(t *testing.T) {
	type step struct {
		data   string
		binary bool
		err    error // expected error
		done   bool  // expect a packet
	}
	tests := []struct {
		name   string
		limits parser.Limits
		steps  []step
	}{
		{"binary without pending", parser.Limits{}, []step{{"\x01", true, parser.ErrUnexpectedBinary, false}}},
		{"text while reconstructing", parser.Limits{}, []step{
			{`52-["a",` + ph(0) + `,` + ph(1) + `]`, false, nil, false},
			{"\x01", true, nil, false},
			{`2["b"]`, false, parser.ErrUnexpectedText, false},
			// reset after the error: the next text packet decodes
			{`2["b"]`, false, nil, true},
		}},
		{"extra binary after completion", parser.Limits{}, []step{
			{`51-["a",` + ph(0) + `]`, false, nil, false},
			{"\x01", true, nil, true},
			{"\x02", true, parser.ErrUnexpectedBinary, false},
		}},
		{"byte limit", parser.Limits{MaxAttachmentBytes: 5}, []step{
			{`52-["a",` + ph(0) + `,` + ph(1) + `]`, false, nil, false},
			{"abc", true, nil, false},
			{"def", true, parser.ErrAttachmentsTooLarge, false},
			{"x", true, parser.ErrUnexpectedBinary, false},
		}},
		{"byte limit exact", parser.Limits{MaxAttachmentBytes: 6}, []step{
			{`52-["a",` + ph(0) + `,` + ph(1) + `]`, false, nil, false},
			{"abc", true, nil, false},
			{"def", true, nil, true},
		}},
		{"custom max attachments", parser.Limits{MaxAttachments: 2}, []step{
			{`53-["hello",` + ph(0) + `,` + ph(1) + `,` + ph(2) + `]`, false, parser.ErrTooManyAttachments, false},
		}},
		{"raised max attachments", parser.Limits{MaxAttachments: 100}, []step{
			{`511-["hello"]`, false, nil, false},
		}},
		{"no attachments allowed", parser.Limits{MaxAttachments: -1}, []step{
			{`51-["hello",` + ph(0) + `]`, false, parser.ErrTooManyAttachments, false},
			{`50-["hello"]`, false, nil, true},
		}},
		{"huge count", parser.Limits{}, []step{{`51000000000-["a"]`, false, parser.ErrTooManyAttachments, false}}},
		{"pending then binary ack", parser.Limits{}, []step{
			{`61-3["a",` + ph(0) + `]`, false, nil, false},
			{"", true, nil, true},
			{`3/x,3[]`, false, nil, true},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := parser.NewDecoder(tc.limits)
			for i, s := range tc.steps {
				p, err := d.Add([]byte(s.data), s.binary)
				if !errors.Is(err, s.err) || (s.err != nil) != (err != nil) {
					t.Fatalf("step %d: error %v, want %v", i, err, s.err)
				}
				if (p != nil) != s.done {
					t.Fatalf("step %d: packet %+v, want done=%v", i, p, s.done)
				}
				if err != nil && d.Pending() {
					t.Fatalf("step %d: decoder still pending after an error", i)
				}
			}
		})
	}
}

func TestDecoderReset(t *testing.T) {
	d := parser.NewDecoder(parser.Limits{})
	if p, err := d.Add([]byte(`51-["hello",`+ph(0)+`]`), false); p != nil || err != nil {
		t.Fatal(p, err)
	}
	if !d.Pending() {
		t.Fatal("not pending")
	}
	d.Reset()
	p, err := d.Add([]byte(`2["hello"]`), false)
	if err != nil || p == nil || string(p.Data) != `["hello"]` {
		t.Fatal(p, err)
	}
}

func TestAppendTextErrors(t *testing.T) {
	for _, p := range []parser.Packet{
		{Type: 7},
		{Type: parser.Event, Data: raw(`["a"]`), Attachments: [][]byte{{1}}},
		{Type: parser.Ack, HasID: true, Data: raw(`[]`), Attachments: [][]byte{{1}}},
		{Type: parser.Event, Nsp: "admin", Data: raw(`["a"]`)},
		{Type: parser.Event, Nsp: "/a,b", Data: raw(`["a"]`)},
		{Type: parser.Event},
		{Type: parser.Event, Data: raw(`{}`)},
		{Type: parser.Event, Data: raw(`  `)},
		{Type: parser.Ack, Data: raw(`[]`)},
		{Type: parser.BinaryAck, Data: raw(`[]`)},
		{Type: parser.Disconnect, Data: raw(`{}`)},
		{Type: parser.Connect, Data: raw(`1`)},
		{Type: parser.ConnectError},
		{Type: parser.ConnectError, Data: raw(`[]`)},
	} {
		dst := []byte("x")
		out, err := p.AppendText(dst)
		if !errors.Is(err, parser.ErrInvalidPacket) {
			t.Errorf("AppendText(%+v) error %v, want ErrInvalidPacket", p, err)
		}
		if string(out) != "x" {
			t.Errorf("AppendText(%+v) changed dst to %q", p, out)
		}
	}
}

func TestAppendTextAppends(t *testing.T) {
	p := parser.Packet{Type: parser.BinaryEvent, Nsp: "/chat", ID: 3, HasID: true, Data: raw(`["f",` + ph(0) + `]`), Attachments: [][]byte{nil}}
	out, err := p.AppendText([]byte("4"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `451-/chat,3["f",` + ph(0) + `]`; string(out) != want {
		t.Fatalf("got %q, want %q", out, want)
	}
	p = parser.Packet{Type: parser.Disconnect}
	if out, _ = p.AppendText(nil); string(out) != "1" {
		t.Fatalf("got %q", out)
	}
}

func TestTypeString(t *testing.T) {
	if parser.BinaryAck.String() != "BINARY_ACK" || parser.Connect.String() != "CONNECT" || parser.Type(9).String() != "Type(9)" {
		t.Fatal(parser.BinaryAck.String(), parser.Connect.String(), parser.Type(9).String())
	}
}

func TestEncodeArgs(t *testing.T) {
	type point struct {
		X int    `json:"x"`
		B []byte `json:"b"`
	}
	args := []any{
		"ev",
		[]byte{0},
		map[string]any{
			"z": []byte{3},
			"a": []any{[]byte{1}, map[string]any{"k": []byte{2}}},
			"m": nil,
		},
		point{X: 1, B: []byte{9}},
		[]byte(nil),
		"<&>\u2028\xff",
		1.5,
		json.RawMessage(` { "r" : 1 } `),
		int64(-3),
		true,
	}
	data, att, err := parser.EncodeArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	want := `["ev",` + ph(0) + `,{"a":[` + ph(1) + `,{"k":` + ph(2) + `}],"m":null,"z":` + ph(3) + `},` +
		`{"x":1,"b":` + ph(4) + `},` + ph(5) + `,"<&>` + "\u2028\ufffd" + `",1.5,{"r":1},-3,true]`
	if string(data) != want {
		t.Fatalf("EncodeArgs =\n%s\nwant\n%s", data, want)
	}
	wantAtt := [][]byte{{0}, {1}, {2}, {3}, {9}, {}}
	if !reflect.DeepEqual(att, wantAtt) {
		t.Fatalf("attachments %v, want %v", att, wantAtt)
	}
	// the text is valid and decodes as a binary event with these attachments
	p := parser.Packet{Type: parser.BinaryEvent, Nsp: "/", Data: data, Attachments: att}
	text, err := p.AppendText(nil)
	if err != nil {
		t.Fatal(err)
	}
	d := parser.NewDecoder(parser.Limits{})
	got, err := d.Add(text, false)
	for i := 0; err == nil && i < len(att); i++ {
		got, err = d.Add(att[i], true)
	}
	if err != nil || got == nil || !equalPacket(got, &p) {
		t.Fatalf("decode of encoded args: %+v %v", got, err)
	}

	// strings decode to what encoding/json encodes (same value), and are
	// escaped as JSON.stringify does (no HTML escaping)
	for _, s := range []string{"", "plain", "q\"b\\s/", "\x00\x1f\b\f\n\r\t", "é\u2029", "bad\xc3", "<script>&"} {
		d, _, err := parser.EncodeArgs([]any{s})
		if err != nil {
			t.Fatal(err)
		}
		j, _ := json.Marshal([]any{s})
		var a, b []string
		if err := json.Unmarshal(d, &a); err != nil {
			t.Fatalf("EncodeArgs(%q) = %s: %v", s, d, err)
		}
		json.Unmarshal(j, &b)
		if a[0] != b[0] {
			t.Errorf("EncodeArgs(%q) = %s decodes to %q, encoding/json gives %q", s, d, a[0], b[0])
		}
	}
	if d, _, _ := parser.EncodeArgs([]any{"<script>&"}); string(d) != `["<script>&"]` {
		t.Errorf("HTML characters escaped: %s", d)
	}

	if d, att, err := parser.EncodeArgs(nil); err != nil || string(d) != "[]" || att != nil {
		t.Fatalf("EncodeArgs(nil) = %s %v %v", d, att, err)
	}
	cyc := []any{nil}
	cyc[0] = cyc
	if _, _, err := parser.EncodeArgs(cyc); err == nil {
		t.Fatal("cyclic value encoded")
	}
	if _, _, err := parser.EncodeArgs([]any{func() {}}); err == nil {
		t.Fatal("func encoded")
	}
}

func TestEventName(t *testing.T) {
	for data, want := range map[string]string{
		`["chat",1]`:             "chat",
		` [ "sp" ] `:             "sp",
		`["\u00e9t\u00e9"]`:      "été",
		`[1]`:                    "1",
		`[1.0]`:                  "1",
		`[-0]`:                   "0",
		`[1.5]`:                  "1.5",
		`[1e21]`:                 "1e+21",
		`[123456789012e9]`:       "123456789012000000000",
		`[1e-6]`:                 "0.000001",
		`[1.5e-7]`:               "1.5e-7",
		`[1e400]`:                "Infinity",
		`[-1e400]`:               "-Infinity",
		`[12345678901234567890]`: "12345678901234567000",
	} {
		got, err := parser.EventName(raw(data))
		if err != nil || got != want {
			t.Errorf("EventName(%s) = %q, %v; want %q", data, got, err, want)
		}
	}
	for _, data := range []string{``, `[]`, `{}`, `[null]`, `[["a"]]`, `["abc`, `[-]`} {
		if _, err := parser.EventName(raw(data)); !errors.Is(err, parser.ErrInvalidPayload) {
			t.Errorf("EventName(%s) error %v", data, err)
		}
	}
}

func TestSplitArray(t *testing.T) {
	got, err := parser.SplitArray(raw(` [ "a" , {"b":[1,2]} ,null,` + ph(0) + ` ] `))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{`"a"`, `{"b":[1,2]}`, `null`, ph(0)}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if string(got[i]) != want[i] {
			t.Fatalf("element %d = %s, want %s", i, got[i], want[i])
		}
	}
	if got, err := parser.SplitArray(raw(`[ ]`)); err != nil || len(got) != 0 {
		t.Fatal(got, err)
	}
	for _, bad := range []string{``, `{}`, `[`, `[1,]`, `[1 2]`, `[1]x`, `[1]]`, `[]x`, `"a"`, `[tru]`} {
		if _, err := parser.SplitArray(raw(bad)); !errors.Is(err, parser.ErrInvalidPayload) {
			t.Errorf("SplitArray(%s) error %v", bad, err)
		}
	}
}

func TestPlaceholder(t *testing.T) {
	for s, want := range map[string]int{
		ph(0):                                 0,
		` {"num":12, "_placeholder" : true} `: 12,
		`{"_placeholder":true,"num":3,"x":[{"_placeholder":true,"num":4}]}`: 3,
		`{"\u005fplaceholder":true,"num":1}`:                                1,
	} {
		if n, ok := parser.Placeholder(raw(s)); !ok || n != want {
			t.Errorf("Placeholder(%s) = %d, %v; want %d", s, n, ok, want)
		}
	}
	for _, s := range []string{``, `[]`, `{}`, `{"_placeholder":false,"num":0}`, `{"_placeholder":true}`,
		`{"_placeholder":true,"num":-1}`, `{"_placeholder":true,"num":1.5}`, `{"_placeholder":true,"num":"1"}`,
		`{"_placeholder":true,"num":0`, `{"_placeholder":true,"num":0}x`} {
		if n, ok := parser.Placeholder(raw(s)); ok {
			t.Errorf("Placeholder(%s) = %d, true", s, n)
		}
	}
}

func TestIsReservedEvent(t *testing.T) {
	for _, n := range []string{"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"} {
		if !parser.IsReservedEvent(n) {
			t.Errorf("%q not reserved", n)
		}
	}
	for _, n := range []string{"error", "Connect", "message", ""} {
		if parser.IsReservedEvent(n) {
			t.Errorf("%q reserved", n)
		}
	}
}
