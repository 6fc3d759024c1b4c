package packet

import (
	"bytes"
	"errors"
	"testing"
)

func TestDecodeText(t *testing.T) {
	tests := []struct {
		in   string
		want Packet
	}{
		{"0{\"sid\":\"x\"}", Packet{Type: Open, Data: []byte(`{"sid":"x"}`)}},
		{"1", Packet{Type: Close, Data: []byte{}}},
		{"2", Packet{Type: Ping, Data: []byte{}}},
		{"2probe", Packet{Type: Ping, Data: []byte("probe")}},
		{"3probe", Packet{Type: Pong, Data: []byte("probe")}},
		{"4hello", Packet{Type: Message, Data: []byte("hello")}},
		{"4", Packet{Type: Message, Data: []byte{}}},
		{"4é€", Packet{Type: Message, Data: []byte("é€")}},
		{"5", Packet{Type: Upgrade, Data: []byte{}}},
		{"6", Packet{Type: Noop, Data: []byte{}}},
		{"bAQIDBA==", Packet{Type: Message, Data: []byte{1, 2, 3, 4}, Binary: true}},
		{"b", Packet{Type: Message, Data: []byte{}, Binary: true}},
	}
	for _, tt := range tests {
		got, err := DecodeText([]byte(tt.in))
		if err != nil {
			t.Fatalf("DecodeText(%q): %v", tt.in, err)
		}
		if got.Type != tt.want.Type || got.Binary != tt.want.Binary || !bytes.Equal(got.Data, tt.want.Data) {
			t.Errorf("DecodeText(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if enc := got.AppendText(nil); string(enc) != tt.in {
			t.Errorf("re-encode %q = %q", tt.in, enc)
		}
		if got.EncodedLen() != len(tt.in) {
			t.Errorf("EncodedLen(%q) = %d", tt.in, got.EncodedLen())
		}
	}
}

func TestDecodeTextRejects(t *testing.T) {
	for _, in := range []string{"", "7", "9", "abc", "/", "\x00", "bxyz!!", "bAQ=", "b====", "-1"} {
		if _, err := DecodeText([]byte(in)); !errors.Is(err, ErrParse) {
			t.Errorf("DecodeText(%q) err = %v, want ErrParse", in, err)
		}
	}
}

func TestPayload(t *testing.T) {
	pkts := []Packet{
		{Type: Message, Data: []byte("hello")},
		{Type: Message, Data: []byte{1, 2, 3, 4}, Binary: true},
		{Type: Ping},
	}
	enc := AppendPayload(nil, pkts)
	if want := "4hello\x1ebAQIDBA==\x1e2"; string(enc) != want {
		t.Fatalf("AppendPayload = %q, want %q", enc, want)
	}
	if PayloadLen(pkts) != len(enc) {
		t.Fatalf("PayloadLen = %d, want %d", PayloadLen(pkts), len(enc))
	}
	var got []Packet
	if err := DecodePayload(enc, func(p Packet) error { got = append(got, p); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || string(got[0].Data) != "hello" || !got[1].Binary || !bytes.Equal(got[1].Data, []byte{1, 2, 3, 4}) || got[2].Type != Ping {
		t.Fatalf("DecodePayload = %+v", got)
	}
}

func TestDecodePayloadRejects(t *testing.T) {
	for _, in := range []string{"", "\x1e", "\x1e\x1e", "4a\x1e", "4a\x1e9", "abc", "4a\x1ebxyz!!"} {
		n := 0
		err := DecodePayload([]byte(in), func(Packet) error { n++; return nil })
		if !errors.Is(err, ErrParse) {
			t.Errorf("DecodePayload(%q) err = %v after %d packets, want ErrParse", in, err, n)
		}
	}
}

func TestDecodePayloadStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := DecodePayload([]byte("4a\x1e4b\x1e4c"), func(Packet) error { n++; return stop })
	if err != stop || n != 1 {
		t.Fatalf("err=%v n=%d", err, n)
	}
}

func TestTypeString(t *testing.T) {
	if Message.String() != "message" || Type(9).String() != "unknown(9)" {
		t.Fatal(Message.String(), Type(9).String())
	}
}
