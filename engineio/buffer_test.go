package engineio

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestReadFullGrowingFollowsArrivingBytes(t *testing.T) {
	const declared = 999000
	for _, got := range []int{0, 1, 100, 512, 513, 10000, 300000} {
		src := io.MultiReader(bytes.NewReader(bytes.Repeat([]byte{1}, got)), iotest.ErrReader(io.ErrUnexpectedEOF))
		b, err := readFullGrowing(iotest.HalfReader(src), nil, declared)
		if err == nil || len(b) != got {
			t.Fatalf("%d bytes of %d: read %d, %v", got, declared, len(b), err)
		}
		// Doubling from minGrow: at most twice what arrived.
		if limit := max(2*got, minGrow); cap(b) > limit+limit/4 { // size-class rounding
			t.Fatalf("%d bytes arrived, buffer of %d (bound %d)", got, cap(b), limit)
		}
	}
}

func TestReadFullGrowingErrors(t *testing.T) {
	// As io.ReadFull: EOF when nothing came, unexpected EOF part way.
	if _, err := readFullGrowing(bytes.NewReader(nil), nil, 10); err != io.EOF {
		t.Fatalf("empty stream: %v, want io.EOF", err)
	}
	if _, err := readFullGrowing(bytes.NewReader([]byte("abc")), nil, 10); err != io.ErrUnexpectedEOF {
		t.Fatalf("short stream: %v, want io.ErrUnexpectedEOF", err)
	}
	// Appending to a fragment already read: exact, whole, and the bytes
	// after the payload are left in the reader.
	r := bytes.NewReader([]byte("defghij"))
	b, err := readFullGrowing(iotest.OneByteReader(r), []byte("abc"), 4)
	if err != nil || string(b) != "abcdefg" || r.Len() != 3 {
		t.Fatalf("got %q, %v, %d left", b, err, r.Len())
	}
	boom := errors.New("boom")
	if _, err := readFullGrowing(iotest.ErrReader(boom), nil, 5); !errors.Is(err, boom) {
		t.Fatalf("reader error: %v", err)
	}
	if b, err := readFullGrowing(bytes.NewReader(nil), nil, 0); err != nil || len(b) != 0 {
		t.Fatalf("zero length: %q %v", b, err)
	}
}

func TestGrowHonoursWant(t *testing.T) {
	b := grow(nil, 10)
	if cap(b) < 1 || cap(b) > 16 {
		t.Fatalf("grow(nil, 10): cap %d", cap(b))
	}
	b = grow(make([]byte, 4096), 1<<20)
	if cap(b) < 8192 || cap(b) > 10240 {
		t.Fatalf("grow of a full 4096: cap %d, want a doubling", cap(b))
	}
	b = grow(make([]byte, 4096), 5)
	if cap(b) < 4101 || cap(b) >= 8192 { // no doubling past what is wanted
		t.Fatalf("grow of a full 4096 wanting 5: cap %d", cap(b))
	}
}
