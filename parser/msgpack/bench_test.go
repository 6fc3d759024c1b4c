package msgpack_test

import (
	"encoding/json"
	"testing"

	"github.com/gosio/socketio/parser"
	"github.com/gosio/socketio/parser/msgpack"
)

// Compare the formats with: benchstat -col /format
//
// The packets of parser's benchmarks (bench_test.go there), through each
// format's seam: Encode, then the decoder of one connection.
var benchPackets = []struct {
	name string
	p    parser.Packet
}{
	{"event", parser.Packet{Type: parser.Event, Nsp: "/", Data: json.RawMessage(`["chat",{"text":"hello"}]`)}},
	{"event-ack", parser.Packet{Type: parser.Event, Nsp: "/chat", ID: 12, HasID: true, Data: json.RawMessage(`["chat",{"text":"hello"}]`)}},
	{"binary", parser.Packet{Type: parser.BinaryEvent, Nsp: "/", Data: json.RawMessage(`["file",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`),
		Attachments: [][]byte{make([]byte, 1024), make([]byte, 64)}}},
	{"message", parser.Packet{Type: parser.Event, Nsp: "/", Data: json.RawMessage(
		`["msg",{"id":123456,"user":{"name":"someone","roles":["admin","dev"],"active":true},"text":"hello everyone, this is a longer message","ts":1700000000123,"score":0.75,"tags":[]}]`)}},
}

var benchFormats = []struct {
	name string
	f    parser.Parser
}{{"json", parser.JSON{}}, {"msgpack", msgpack.Parser{}}}

func BenchmarkEncode(b *testing.B) {
	for _, fm := range benchFormats {
		for _, bp := range benchPackets {
			b.Run("packet="+bp.name+"/format="+fm.name, func(b *testing.B) {
				b.ReportAllocs()
				size := 0
				for b.Loop() {
					text, bins, err := fm.f.Encode(&bp.p)
					if err != nil {
						b.Fatal(err)
					}
					size = len(text)
					for _, m := range bins {
						size += len(m)
					}
				}
				b.ReportMetric(float64(size), "wire-B")
			})
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, fm := range benchFormats {
		for _, bp := range benchPackets {
			text, bins, err := fm.f.Encode(&bp.p)
			if err != nil {
				b.Fatal(err)
			}
			b.Run("packet="+bp.name+"/format="+fm.name, func(b *testing.B) {
				d := fm.f.NewDecoder(parser.Limits{})
				b.ReportAllocs()
				for b.Loop() {
					var p *parser.Packet
					var err error
					if text != nil {
						p, err = d.Add(text, false)
					}
					for _, m := range bins {
						p, err = d.Add(m, true)
					}
					if err != nil || p == nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
