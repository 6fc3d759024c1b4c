package parser_test

import (
	"testing"

	"github.com/gosio/socketio/parser"
)

var (
	benchEvent       = []byte(`2["chat",{"text":"hello"}]`)
	benchEventAck    = []byte(`2/chat,12["chat",{"text":"hello"}]`)
	benchBinaryEvent = []byte(`52-["file",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`)
	benchAtt0        = make([]byte, 1024)
	benchAtt1        = make([]byte, 64)
)

func BenchmarkDecodeEvent(b *testing.B) {
	d := parser.NewDecoder(parser.Limits{})
	b.ReportAllocs()
	b.SetBytes(int64(len(benchEvent)))
	for b.Loop() {
		if p, err := d.Add(benchEvent, false); err != nil || p == nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeEventAck(b *testing.B) {
	d := parser.NewDecoder(parser.Limits{})
	b.ReportAllocs()
	b.SetBytes(int64(len(benchEventAck)))
	for b.Loop() {
		if p, err := d.Add(benchEventAck, false); err != nil || !p.HasID {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBinaryEvent(b *testing.B) {
	d := parser.NewDecoder(parser.Limits{})
	b.ReportAllocs()
	b.SetBytes(int64(len(benchBinaryEvent) + len(benchAtt0) + len(benchAtt1)))
	for b.Loop() {
		d.Add(benchBinaryEvent, false)
		d.Add(benchAtt0, true)
		if p, err := d.Add(benchAtt1, true); err != nil || p == nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEventName(b *testing.B) {
	p, _ := parser.Decode(benchEvent)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parser.EventName(p.Data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSplitArray(b *testing.B) {
	p, _ := parser.Decode(benchEvent)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parser.SplitArray(p.Data); err != nil {
			b.Fatal(err)
		}
	}
}

// The encode benchmarks marshal the arguments and write the text part into a
// reused buffer, as a writer would.

func BenchmarkEncodeEvent(b *testing.B) {
	args := []any{"chat", map[string]any{"text": "hello"}}
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		data, _, err := parser.EncodeArgs(args)
		if err != nil {
			b.Fatal(err)
		}
		p := parser.Packet{Type: parser.Event, Nsp: "/", Data: data}
		if buf, err = p.AppendText(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeEventAck(b *testing.B) {
	args := []any{"chat", map[string]any{"text": "hello"}}
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		data, _, err := parser.EncodeArgs(args)
		if err != nil {
			b.Fatal(err)
		}
		p := parser.Packet{Type: parser.Event, Nsp: "/chat", ID: 12, HasID: true, Data: data}
		if buf, err = p.AppendText(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeBinaryEvent(b *testing.B) {
	args := []any{"file", benchAtt0, benchAtt1}
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		data, att, err := parser.EncodeArgs(args)
		if err != nil {
			b.Fatal(err)
		}
		p := parser.Packet{Type: parser.BinaryEvent, Nsp: "/", Data: data, Attachments: att}
		if buf, err = p.AppendText(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendText writes a ready packet (a broadcast encodes once).
func BenchmarkAppendText(b *testing.B) {
	p := parser.Packet{Type: parser.Event, Nsp: "/chat", ID: 12, HasID: true, Data: []byte(`["chat",{"text":"hello"}]`)}
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = p.AppendText(buf[:0])
	}
}
