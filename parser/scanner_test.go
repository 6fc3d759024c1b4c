package parser

import (
	"encoding/json"
	"testing"
)

var jsonSeeds = []string{
	`[]`, `{}`, `""`, `0`, `-0`, `1.5e+3`, `-1E-2`, `true`, `false`, `null`,
	`["a",1,{"b":[null,true]}]`, `{"a":"\u00e9\n\"\\\/"}`, ` [ 1 , 2 ] `,
	`01`, `1.`, `.5`, `-`, `+1`, `1e`, `[1,]`, `{"a":1,}`, `{"a"}`, `{1:2}`, `"\x"`, `"\u12g4"`,
	"\"\x01\"", "\"\xff\"", `[`, `]`, `nul`, `truee`, `[1 2]`, `{"a":1 "b":2}`,
}

// FuzzScanner checks the validating scanner against encoding/json.
func FuzzScanner(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := trimSpace(data)
		s := scanner{data: d}
		got := len(d) > 0 && s.validate()
		if want := json.Valid(data); got != want {
			t.Fatalf("scanner %v, json.Valid %v for %q", got, want, data)
		}
	})
}

func TestScannerSeeds(t *testing.T) {
	for _, in := range jsonSeeds {
		d := trimSpace([]byte(in))
		s := scanner{data: d}
		got := len(d) > 0 && s.validate()
		if want := json.Valid([]byte(in)); got != want {
			t.Errorf("scanner %v, json.Valid %v for %q", got, want, in)
		}
	}
}

func TestManyAttachmentsBitmap(t *testing.T) {
	// more than 64 attachments uses the lazily allocated bitmap
	s := scanner{check: true, n: 100}
	s.data = []byte(`[{"_placeholder":true,"num":99},{"_placeholder":true,"num":70},{"_placeholder":true,"num":99}]`)
	if s.validate() || s.err == nil {
		t.Fatal("duplicate placeholder 99 accepted")
	}
	s = scanner{check: true, n: 100, data: []byte(`[{"_placeholder":true,"num":99},{"_placeholder":true,"num":0}]`)}
	if !s.validate() {
		t.Fatal(s.err)
	}
}
