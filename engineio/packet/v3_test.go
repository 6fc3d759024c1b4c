package packet

import (
	"bytes"
	"errors"
	"testing"
)

func collect(t *testing.T, dec func([]byte, func(Packet) error) error, in []byte) []Packet {
	t.Helper()
	var got []Packet
	if err := dec(in, func(p Packet) error { got = append(got, p); return nil }); err != nil {
		t.Fatalf("decode %q: %v", in, err)
	}
	return got
}

func samePackets(a, b []Packet) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type || a[i].Binary != b[i].Binary || !bytes.Equal(a[i].Data, b[i].Data) {
			return false
		}
	}
	return true
}

// The payloads of the official v3 test suite and of Node's engine.io
// parser-v3 (encodePayload, encodePayloadAsBinary).
func TestPayloadV3(t *testing.T) {
	tests := []struct {
		name string
		pkts []Packet
		text string
		bin  []byte // nil: same as for a client without binary
	}{
		{"one text", []Packet{{Type: Message, Data: []byte("hello")}}, "6:4hello", nil},
		{"several", []Packet{{Type: Message, Data: []byte("test1")}, {Type: Message, Data: []byte("test2")}, {Type: Message, Data: []byte("test3")}}, "6:4test16:4test26:4test3", nil},
		{"text and binary", []Packet{{Type: Message, Data: []byte("hello")}, {Type: Message, Data: []byte{1, 2, 3, 4}, Binary: true}},
			"6:4hello10:b4AQIDBA==", []byte{0, 6, 255, 52, 104, 101, 108, 108, 111, 1, 5, 255, 4, 1, 2, 3, 4}},
		{"pong", []Packet{{Type: Pong}}, "1:3", nil},
		{"noop", []Packet{{Type: Noop}}, "1:6", nil},
		// UTF-16 code units: é is one, € one, 😀 two (a surrogate pair).
		{"utf-16 lengths", []Packet{{Type: Message, Data: []byte("é€😀")}}, "5:4é€😀", nil},
		{"ten bytes of binary", []Packet{{Type: Message, Data: make([]byte, 10), Binary: true}},
			"18:b4AAAAAAAAAAAAAA==", append([]byte{1, 1, 1, 255, 4}, make([]byte, 10)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AppendPayloadV3(nil, tt.pkts); string(got) != tt.text {
				t.Errorf("AppendPayloadV3 = %q, want %q", got, tt.text)
			}
			if got := collect(t, DecodePayloadV3, []byte(tt.text)); !samePackets(got, tt.pkts) {
				t.Errorf("DecodePayloadV3(%q) = %+v", tt.text, got)
			}
			if tt.bin == nil {
				if HasBinary(tt.pkts) {
					t.Fatal("HasBinary")
				}
				return
			}
			if got := AppendBinaryPayloadV3(nil, tt.pkts); !bytes.Equal(got, tt.bin) {
				t.Errorf("AppendBinaryPayloadV3 = %v, want %v", got, tt.bin)
			}
			if got := collect(t, DecodeBinaryPayloadV3, tt.bin); !samePackets(got, tt.pkts) {
				t.Errorf("DecodeBinaryPayloadV3 = %+v", got)
			}
			if n := PayloadLenV3(tt.pkts); n < len(tt.text) || n < len(tt.bin) {
				t.Errorf("PayloadLenV3 %d < %d or %d", n, len(tt.text), len(tt.bin))
			}
		})
	}
	if got := AppendPayloadV3(nil, nil); string(got) != "0:" {
		t.Errorf("empty payload %q", got)
	}
}

func TestDecodePayloadV3Quirks(t *testing.T) {
	// Zero-length parts carry nothing, as in the reference; leading zeros
	// are a number like any other.
	if got := collect(t, DecodePayloadV3, []byte("0:")); len(got) != 0 {
		t.Fatalf("0: gave %+v", got)
	}
	if got := collect(t, DecodePayloadV3, []byte("0:06:4hello0:")); len(got) != 1 || string(got[0].Data) != "hello" {
		t.Fatalf("got %+v", got)
	}
	// A lone type digit: no data.
	if got := collect(t, DecodePayloadV3, []byte("1:2")); len(got) != 1 || got[0].Type != Ping || len(got[0].Data) != 0 {
		t.Fatalf("got %+v", got)
	}
	// The close packet stops a decode that the callback stops.
	stop := errors.New("stop")
	n := 0
	err := DecodePayloadV3([]byte("1:16:4hello"), func(p Packet) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("err %v after %d", err, n)
	}
	// An empty binary payload holds no packet.
	if got := collect(t, DecodeBinaryPayloadV3, nil); len(got) != 0 {
		t.Fatalf("got %+v", got)
	}
}

func TestDecodePayloadV3Rejects(t *testing.T) {
	for _, in := range []string{
		"", "abc", ":", "6", "6:", "6:4hell", "7:4hello", "6:4hello1", "x:4", "-1:4", " 6:4hello", "0x6:4hello",
		"1:9", "1:b", "4:b4==", "3:b2A", "5:b4!!!", "2:4😀", // half a surrogate pair
		"1234567890123:4",
	} {
		n := 0
		err := DecodePayloadV3([]byte(in), func(Packet) error { n++; return nil })
		if !errors.Is(err, ErrParse) {
			t.Errorf("DecodePayloadV3(%q) = %v after %d packets, want ErrParse", in, err, n)
		}
	}
	// The packets before a malformed part have been delivered.
	n := 0
	if err := DecodePayloadV3([]byte("6:4hello3:abc"), func(Packet) error { n++; return nil }); !errors.Is(err, ErrParse) || n != 1 {
		t.Errorf("err %v, %d packets", err, n)
	}
	for _, in := range [][]byte{
		{2, 1, 255, 4},         // unknown kind
		{0, 255},               // no digits
		{0, 1},                 // no 0xff
		{0, 10, 255, '4'},      // digit over 9
		{0, 6, 255, '4', 'h'},  // short
		{0, 0, 255},            // empty text part
		{1, 0, 255},            // empty binary part
		{1, 2, 255, 2, 0},      // binary ping
		{0, 2, 255, '4', 0xff}, // text part not UTF-8
		{0, 1, 255, '9'},       // unknown type
		append([]byte{0}, bytes.Repeat([]byte{1}, 13)...), // too many digits
	} {
		if err := DecodeBinaryPayloadV3(in, func(Packet) error { return nil }); !errors.Is(err, ErrParse) {
			t.Errorf("DecodeBinaryPayloadV3(%v) = %v, want ErrParse", in, err)
		}
	}
}

func TestFramesV3(t *testing.T) {
	p, err := DecodeBinaryV3([]byte{4, 1, 2, 3, 4})
	if err != nil || !p.Binary || p.Type != Message || !bytes.Equal(p.Data, []byte{1, 2, 3, 4}) {
		t.Fatalf("DecodeBinaryV3 = %+v, %v", p, err)
	}
	for _, in := range [][]byte{nil, {2}, {9, 1}, {'4', 1}} {
		if _, err := DecodeBinaryV3(in); !errors.Is(err, ErrParse) {
			t.Errorf("DecodeBinaryV3(%v) = %v", in, err)
		}
	}
	p, err = DecodeTextV3([]byte("b4AQIDBA=="))
	if err != nil || !p.Binary || !bytes.Equal(p.Data, []byte{1, 2, 3, 4}) {
		t.Fatalf("DecodeTextV3 = %+v, %v", p, err)
	}
	if got := p.AppendTextV3(nil); string(got) != "b4AQIDBA==" {
		t.Errorf("AppendTextV3 = %q", got)
	}
	// v4's form is not v3's, and the other way round.
	if _, err := DecodeTextV3([]byte("bAQIDBA==")); !errors.Is(err, ErrParse) {
		t.Errorf("v4 base64 accepted: %v", err)
	}
	for _, in := range []string{"2probe", "3", "4hello", "5", "6", "1"} {
		p, err := DecodeTextV3([]byte(in))
		if err != nil || string(p.AppendTextV3(nil)) != in {
			t.Errorf("%q: %+v %v", in, p, err)
		}
	}
}
