package msgpack_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/gosio/socketio/parser"
	"github.com/gosio/socketio/parser/msgpack"
)

// FuzzDecode decodes arbitrary messages. A packet that decodes is what
// the layers above expect of any parser (valid JSON of the type's shape,
// each attachment behind one placeholder, no reserved event name,
// arguments that decode without panicking), and it encodes back to a
// message that decodes to the same packet.
func FuzzDecode(f *testing.F) {
	for _, m := range npmMessages {
		f.Add(unhex(m.hex))
	}
	for _, r := range rejections {
		f.Add(unhex(r.hex))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		p, err := msgpack.NewDecoder(parser.Limits{MaxAttachments: 100}).Add(msg, true)
		if err != nil {
			if p != nil {
				t.Fatal("packet returned with an error")
			}
			return
		}
		if p.Data != nil && !json.Valid(p.Data) {
			t.Fatalf("invalid JSON %q from %x", p.Data, msg)
		}
		if len(p.Attachments) > 0 != p.Type.IsBinary() {
			t.Fatalf("type %v with %d attachments", p.Type, len(p.Attachments))
		}
		if n := bytes.Count(p.Data, []byte(`"_placeholder":true`)); n != len(p.Attachments) && p.Type.IsBinary() {
			t.Fatalf("%d placeholders, %d attachments: %s", n, len(p.Attachments), p.Data)
		}
		switch p.Type {
		case parser.Event, parser.BinaryEvent, parser.Ack, parser.BinaryAck:
			args, err := parser.NewArgs(p.Data, p.Attachments)
			if err != nil {
				t.Fatalf("NewArgs(%s): %v", p.Data, err)
			}
			args.Values()
			for i := range args.Len() {
				var b []byte
				args.Decode(i, &b)
			}
			if name, err := parser.EventName(p.Data); err == nil && !p.Type.IsBinary() && p.Type != parser.Ack && parser.IsReservedEvent(name) {
				t.Fatalf("reserved event %q", name)
			}
		}
		if (p.Type == parser.Ack || p.Type == parser.BinaryAck) && !p.HasID {
			return // accepted, as npm does, but never written
		}
		if _, err := p.AppendText(nil); err != nil && p.Nsp[0] == '/' && !bytes.ContainsRune([]byte(p.Nsp), ',') {
			t.Fatalf("the JSON parser cannot write %+v: %v", p, err)
		}
		_, bins, err := msgpack.Parser{}.Encode(p)
		if err != nil {
			t.Fatalf("Encode(%+v): %v", p, err)
		}
		q, err := msgpack.NewDecoder(parser.Limits{MaxAttachments: 100}).Add(bins[0], true)
		if err != nil || !equalPacket(p, q) {
			t.Fatalf("round trip of %x: %x gives %+v %v, want %+v", msg, bins[0], q, err, p)
		}
	})
}

// FuzzEncodeJSONPackets: every packet the JSON decoder accepts, the
// msgpack codec writes, and reads back with the same data.
func FuzzEncodeJSONPackets(f *testing.F) {
	for _, s := range []string{`0{"token":"123"}`, `4/random,{"message":"Invalid namespace"}`, `4"x"`, `2["a",1,{}]`, `212["foo"]`,
		`3/admin,13["bar"]`, `52-["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, `61-15["bar",{"_placeholder":true,"num":0}]`,
		`2["\u00e9\ud800",1e400,-0,1.0]`, `1/admin,`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		p, err := parser.Decode(text)
		if err != nil {
			return
		}
		for i := range p.Attachments {
			p.Attachments[i] = []byte{byte(i)}
		}
		_, bins, err := msgpack.Parser{}.Encode(p)
		if err != nil {
			t.Fatalf("Encode(%q): %v", text, err)
		}
		q, err := msgpack.Decode(bins[0])
		if err != nil {
			t.Fatalf("Decode(Encode(%q)) = %x: %v", text, bins[0], err)
		}
		if q.Nsp != p.Nsp && utf8.ValidString(p.Nsp) || q.HasID != p.HasID || q.ID != p.ID || (q.Data == nil) != (p.Data == nil) {
			t.Fatalf("%q: got %+v", text, q)
		}
	})
}
