package parser_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/gosio/socketio/parser"
)

// FuzzDecode decodes arbitrary text packets. A packet that decodes must
// re-encode, and the encoding must decode to an equal packet.
func FuzzDecode(f *testing.F) {
	for _, tc := range wireExamples {
		f.Add([]byte(tc.wire))
	}
	for _, tc := range rejections {
		f.Add([]byte(tc.wire))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		p, err := parser.Decode(text)
		if err != nil {
			if p != nil {
				t.Fatal("packet returned with an error")
			}
			return
		}
		checkRoundTrip(t, p)
		if p.Data != nil && !json.Valid(p.Data) {
			t.Fatalf("accepted invalid JSON %q", p.Data)
		}
		if p.Type == parser.Event || p.Type == parser.BinaryEvent {
			name, err := parser.EventName(p.Data)
			if err != nil {
				t.Fatalf("EventName(%s): %v", p.Data, err)
			}
			if parser.IsReservedEvent(name) {
				t.Fatalf("reserved event name %q accepted", name)
			}
		}
		if p.Type != parser.Connect && p.Type != parser.ConnectError && p.Type != parser.Disconnect {
			elems, err := parser.SplitArray(p.Data)
			if err != nil {
				t.Fatalf("SplitArray(%s): %v", p.Data, err)
			}
			for _, e := range elems {
				if n, ok := parser.Placeholder(e); ok && p.Type.IsBinary() && n >= len(p.Attachments) {
					t.Fatalf("placeholder %d out of range %d", n, len(p.Attachments))
				}
			}
		}
	})
}

// checkRoundTrip encodes p and decodes the result (with its attachments)
// with a fresh Decoder, expecting an equal packet.
func checkRoundTrip(t *testing.T, p *parser.Packet) {
	t.Helper()
	text, err := p.AppendText(nil)
	if err != nil {
		t.Fatalf("AppendText(%+v): %v", p, err)
	}
	d := parser.NewDecoder(parser.Limits{MaxAttachments: len(p.Attachments)})
	if len(p.Attachments) == 0 {
		d = parser.NewDecoder(parser.Limits{})
	}
	q, err := d.Add(text, false)
	for i := 0; err == nil && q == nil && i < len(p.Attachments); i++ {
		q, err = d.Add(p.Attachments[i], true)
	}
	if err != nil {
		t.Fatalf("decoding %q: %v", text, err)
	}
	if q == nil {
		t.Fatalf("decoding %q: incomplete", text)
	}
	if len(q.Attachments) != len(p.Attachments) {
		t.Fatalf("re-decoded %d attachments, want %d", len(q.Attachments), len(p.Attachments))
	}
	q.Attachments = p.Attachments // Decode leaves nil slots
	if !equalPacket(p, q) {
		t.Fatalf("re-decoded %+v from %q, want %+v", q, text, p)
	}
}

// FuzzDecoder feeds a Decoder a sequence of messages separated by 0x1e; a
// message starting with 'b' is binary (the rest of it), any other is text.
func FuzzDecoder(f *testing.F) {
	for _, tc := range wireExamples {
		seq := []byte(tc.wire)
		for _, b := range tc.bins {
			seq = append(append(append(seq, 0x1e), 'b'), b...)
		}
		f.Add(seq)
	}
	for _, tc := range rejections {
		f.Add([]byte(tc.wire))
		f.Add([]byte(tc.wire + "\x1eb\x01\x1e2[\"x\"]"))
	}
	f.Add([]byte("b\x01\x1e2[\"a\"]"))
	f.Add([]byte(`52-["a",` + ph(0) + `,` + ph(1) + "]\x1eb\x01\x1e2[\"b\"]\x1e2[\"c\"]"))
	f.Add([]byte(`51-["a",` + ph(0) + "]\x1eb" + string(make([]byte, 40)) + "\x1eb\x02"))
	f.Fuzz(func(t *testing.T, seq []byte) {
		decoders := []*parser.Decoder{
			parser.NewDecoder(parser.Limits{}),
			parser.NewDecoder(parser.Limits{MaxAttachments: 2, MaxAttachmentBytes: 16}),
		}
		for _, msg := range bytes.Split(seq, []byte{0x1e}) {
			binary := len(msg) > 0 && msg[0] == 'b'
			if binary {
				msg = msg[1:]
			}
			for _, d := range decoders {
				p, err := d.Add(msg, binary)
				switch {
				case err != nil:
					if p != nil || d.Pending() {
						t.Fatal("error left a packet or a pending state")
					}
				case p != nil:
					if d.Pending() {
						t.Fatal("packet returned while pending")
					}
					if p.Type.IsBinary() {
						// every placeholder indexes an attachment
						checkPlaceholders(t, p)
					}
					checkRoundTrip(t, p)
				}
			}
		}
	})
}

func checkPlaceholders(t *testing.T, p *parser.Packet) {
	t.Helper()
	var walk func(raw json.RawMessage)
	walk = func(raw json.RawMessage) {
		if n, ok := parser.Placeholder(raw); ok {
			if n >= len(p.Attachments) {
				t.Fatalf("placeholder %d out of range in %s", n, p.Data)
			}
		}
		if elems, err := parser.SplitArray(raw); err == nil {
			for _, e := range elems {
				walk(e)
			}
			return
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) == nil {
			for _, v := range m {
				walk(v)
			}
		}
	}
	walk(p.Data)
}
