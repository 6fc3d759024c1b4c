package packet

import "testing"

func BenchmarkDecodePayload(b *testing.B) {
	in := []byte("4hello world\x1e4{\"a\":1}\x1ebAQIDBA==\x1e3")
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		_ = DecodePayload(in, func(Packet) error { return nil })
	}
}

func BenchmarkAppendPayload(b *testing.B) {
	pkts := []Packet{
		{Type: Message, Data: []byte(`2["chat",{"text":"hello world"}]`)},
		{Type: Message, Data: make([]byte, 64), Binary: true},
		{Type: Ping},
	}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendPayload(buf[:0], pkts)
	}
}

func BenchmarkDecodeText(b *testing.B) {
	in := []byte(`42["chat",{"text":"hello world"}]`)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = DecodeText(in)
	}
}
