package packet

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

var seeds = []string{
	"0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}",
	"1", "2", "2probe", "3", "3probe", "4hello", "5", "6",
	"4hello\x1ebAQIDBA==", "4test1\x1e4test2\x1e4test3",
	"abc", "", "\x1e\x1e", "4a\x1e", "9", "bxyz!!", "4444444444",
}

// FuzzDecodePayload checks that decoding never panics and that whatever
// decodes re-encodes to a payload that decodes to the same packets.
func FuzzDecodePayload(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var pkts []Packet
		if err := DecodePayload(in, func(p Packet) error { pkts = append(pkts, p); return nil }); err != nil {
			return
		}
		enc := AppendPayload(nil, pkts)
		if PayloadLen(pkts) != len(enc) {
			t.Fatalf("PayloadLen %d != %d", PayloadLen(pkts), len(enc))
		}
		i := 0
		err := DecodePayload(enc, func(p Packet) error {
			q := pkts[i]
			i++
			if p.Type != q.Type || p.Binary != q.Binary || !bytes.Equal(p.Data, q.Data) {
				t.Fatalf("round trip: %+v != %+v", p, q)
			}
			return nil
		})
		if err != nil || i != len(pkts) {
			t.Fatalf("re-decode of %q: %v (%d/%d)", enc, err, i, len(pkts))
		}
	})
}

// FuzzDecodeText checks single packets the way a WebSocket text frame
// carries them.
func FuzzDecodeText(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := DecodeText(in)
		if err != nil {
			return
		}
		q, err := DecodeText(p.AppendText(nil))
		if err != nil || q.Type != p.Type || !bytes.Equal(q.Data, p.Data) {
			t.Fatalf("round trip of %q: %+v %v", in, q, err)
		}
	})
}

var seedsV3 = []string{
	"6:4hello", "6:4test16:4test26:4test3", "6:4hello10:b4AQIDBA==", "1:2", "1:1", "1:3", "2:2probe",
	"0:", "0:0:", "5:4é€😀", "2:4😀", "abc", "", ":", "6:", "7:4hello", "1234567890123:4", "4:b4==",
	"97:0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,\"pingTimeout\":20000}",
}

// FuzzDecodePayloadV3 checks that the v3 text payload decoder never panics
// and that whatever decodes re-encodes, as text and as a binary payload, to
// payloads that decode to the same packets.
func FuzzDecodePayloadV3(f *testing.F) {
	for _, s := range seedsV3 {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var pkts []Packet
		if err := DecodePayloadV3(in, func(p Packet) error { pkts = append(pkts, p); return nil }); err != nil {
			return
		}
		checkRoundTripV3(t, pkts, AppendPayloadV3(nil, pkts), DecodePayloadV3)
		if utf8Packets(pkts) {
			checkRoundTripV3(t, pkts, AppendBinaryPayloadV3(nil, pkts), DecodeBinaryPayloadV3)
		}
	})
}

// FuzzDecodeBinaryPayloadV3 is FuzzDecodePayloadV3 for the binary payload
// form of a POST with Content-Type application/octet-stream.
func FuzzDecodeBinaryPayloadV3(f *testing.F) {
	f.Add([]byte{0, 6, 255, 52, 104, 101, 108, 108, 111, 1, 5, 255, 4, 1, 2, 3, 4})
	f.Add([]byte{0, 1, 255, '2'})
	f.Add([]byte{1, 1, 255, 4})
	f.Add([]byte{0, 10, 255})
	f.Add([]byte{1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 255, 4})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, in []byte) {
		var pkts []Packet
		if err := DecodeBinaryPayloadV3(in, func(p Packet) error { pkts = append(pkts, p); return nil }); err != nil {
			return
		}
		if len(pkts) > 0 {
			checkRoundTripV3(t, pkts, AppendPayloadV3(nil, pkts), DecodePayloadV3)
		}
		checkRoundTripV3(t, pkts, AppendBinaryPayloadV3(nil, pkts), DecodeBinaryPayloadV3)
	})
}

// FuzzDecodeFrameV3 checks single v3 packets the way WebSocket frames
// carry them, text and binary.
func FuzzDecodeFrameV3(f *testing.F) {
	for _, s := range append(seeds, "b4AQIDBA==", "b4", "\x04\x01\x02") {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if p, err := DecodeTextV3(in); err == nil {
			q, err := DecodeTextV3(p.AppendTextV3(nil))
			if err != nil || q.Type != p.Type || q.Binary != p.Binary || !bytes.Equal(q.Data, p.Data) {
				t.Fatalf("text round trip of %q: %+v %v", in, q, err)
			}
		}
		if p, err := DecodeBinaryV3(in); err == nil && (!p.Binary || !bytes.Equal(p.Data, in[1:])) {
			t.Fatalf("binary %q: %+v", in, p)
		}
	})
}

// utf8Packets reports whether every text packet is UTF-8, as a text part
// of a binary payload must be.
func utf8Packets(pkts []Packet) bool {
	for _, p := range pkts {
		if !p.Binary && !utf8.Valid(p.Data) {
			return false
		}
	}
	return true
}

func checkRoundTripV3(t *testing.T, pkts []Packet, enc []byte, dec func([]byte, func(Packet) error) error) {
	t.Helper()
	if n := PayloadLenV3(pkts); n < len(enc) {
		t.Fatalf("PayloadLenV3 %d < %d", n, len(enc))
	}
	var got []Packet
	if err := dec(enc, func(p Packet) error { got = append(got, p); return nil }); err != nil {
		t.Fatalf("re-decode of %q: %v", enc, err)
	}
	if !samePackets(got, pkts) {
		t.Fatalf("round trip via %q: %+v != %+v", enc, got, pkts)
	}
}
