package testutil

import (
	"bufio"
	"bytes"
	"testing"
)

func TestFrameRoundTrip(t *testing.T) {
	for _, f := range []Frame{
		Text("4hello"),
		Binary(bytes.Repeat([]byte{7}, 300)),
		{Fin: true, Op: OpBinary, Unmasked: true, Payload: bytes.Repeat([]byte{1}, 70000)},
		{Rsv: RSV1 | RSV3, Op: OpContinuation, Mask: [4]byte{0xff, 0, 0xff, 0}, Payload: []byte("x")},
		CloseFrame(1002, "bye"),
	} {
		b := AppendFrame(nil, f)
		got, err := ReadFrame(bufio.NewReader(bytes.NewReader(b)))
		if err != nil {
			t.Fatal(err)
		}
		if got.Fin != f.Fin || got.Rsv != f.Rsv || got.Op != f.Op || got.Unmasked != f.Unmasked || !bytes.Equal(got.Payload, f.Payload) {
			t.Fatalf("round trip of %v gave %v", f, got)
		}
	}
	if code, reason := CloseFrame(1002, "bye").CloseCode(); code != 1002 || reason != "bye" {
		t.Fatalf("CloseCode %d %q", code, reason)
	}
}

func TestDeclaredLength(t *testing.T) {
	b := AppendFrame(nil, Frame{Fin: true, Op: OpText, Unmasked: true, OverrideLen: true, DeclaredLen: 1<<63 - 1})
	want := []byte{0x81, 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	if !bytes.Equal(b, want) {
		t.Fatalf("% x, want % x", b, want)
	}
	if _, err := ReadFrame(bufio.NewReader(bytes.NewReader(b))); err == nil {
		t.Fatal("ReadFrame accepted a 2^63-1 length")
	}
}

func TestOpenSID(t *testing.T) {
	sid, err := OpenSID(`0{"sid":"abc","upgrades":[]}`)
	if err != nil || sid != "abc" {
		t.Fatalf("%q %v", sid, err)
	}
	if _, err := OpenSID("4x"); err == nil {
		t.Fatal("accepted a message packet")
	}
}
