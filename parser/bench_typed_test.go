package parser_test

import (
	"testing"

	"github.com/gosio/socketio/parser"
)

// Benchmarks of typed Go values both ways: what a handler emits and what a
// typed handler receives. The binary ones compare the attachment paths with
// the base64 round trip they replace, on the same wire.

type benchThumb struct {
	W    int    `json:"w"`
	H    int    `json:"h"`
	Data []byte `json:"data"`
}

type benchUpload struct {
	Name  string      `json:"name"`
	Size  int         `json:"size"`
	Tags  []string    `json:"tags,omitempty"`
	Data  []byte      `json:"data"`
	Thumb *benchThumb `json:"thumb"`
}

type benchMessage struct {
	Room string            `json:"room"`
	Text string            `json:"text"`
	At   int64             `json:"at"`
	Tags []string          `json:"tags"`
	Meta map[string]string `json:"meta,omitempty"`
}

var (
	benchUploadValue = benchUpload{Name: "a.png", Size: 1024, Tags: []string{"x", "y"}, Data: make([]byte, 1024),
		Thumb: &benchThumb{W: 8, H: 8, Data: make([]byte, 64)}}
	benchMessageValue = benchMessage{Room: "lobby", Text: "hello, world", At: 1700000000000, Tags: []string{"a", "b"},
		Meta: map[string]string{"lang": "en", "client": "web"}}
	// benchUploadWire is benchUploadValue as a Node peer sends it.
	benchUploadWire = `["file",{"name":"a.png","size":1024,"tags":["x","y"],"data":{"_placeholder":true,"num":0},` +
		`"thumb":{"w":8,"h":8,"data":{"_placeholder":true,"num":1}}}]`
	benchMessageWire = `["chat",{"room":"lobby","text":"hello, world","at":1700000000000,"tags":["a","b"],"meta":{"client":"web","lang":"en"}}]`
)

func BenchmarkEncodeStructBinary(b *testing.B) {
	args := []any{"file", benchUploadValue}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := parser.EncodeArgs(args); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeStructText(b *testing.B) {
	args := []any{"chat", benchMessageValue}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := parser.EncodeArgs(args); err != nil {
			b.Fatal(err)
		}
	}
}

func benchArgs(b *testing.B, wire string, att [][]byte) parser.Args {
	a, err := parser.NewArgs([]byte(wire), att)
	if err != nil {
		b.Fatal(err)
	}
	return a.From(1)
}

func BenchmarkDecodeStructBinary(b *testing.B) {
	a := benchArgs(b, benchUploadWire, [][]byte{make([]byte, 1024), make([]byte, 64)})
	b.ReportAllocs()
	for b.Loop() {
		var u benchUpload
		if err := a.Decode(0, &u); err != nil || len(u.Data) != 1024 || len(u.Thumb.Data) != 64 {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeGenericBinary(b *testing.B) {
	a := benchArgs(b, benchUploadWire, [][]byte{make([]byte, 1024), make([]byte, 64)})
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := a.Decode(0, &v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeStructText(b *testing.B) {
	a := benchArgs(b, benchMessageWire, nil)
	b.ReportAllocs()
	for b.Loop() {
		var m benchMessage
		if err := a.Decode(0, &m); err != nil || m.Room != "lobby" {
			b.Fatal(err)
		}
	}
}

// Relaying received arguments: as received (the Args) or through their
// generic values (what relaying had to do before).

func BenchmarkRelayArgs(b *testing.B) {
	a := benchArgs(b, benchUploadWire, [][]byte{make([]byte, 1024), make([]byte, 64)})
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := parser.EncodeArgs([]any{"file", a}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRelayValues(b *testing.B) {
	a := benchArgs(b, benchUploadWire, [][]byte{make([]byte, 1024), make([]byte, 64)})
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := parser.EncodeArgs(append([]any{"file"}, a.Values()...)); err != nil {
			b.Fatal(err)
		}
	}
}
