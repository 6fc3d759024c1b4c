package packet

import (
	"bytes"
	"testing"
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
