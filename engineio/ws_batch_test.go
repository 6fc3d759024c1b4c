package engineio

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/gosio/socketio/engineio/packet"
)

// batchBytes returns what a gather write of pkts puts on the wire.
func batchBytes(pkts []packet.Packet, deflate int) ([]byte, int) {
	fb := getBatch()
	defer putBatch(fb)
	fb.add(pkts, deflate)
	var out bytes.Buffer
	bufs := fb.buffers()
	bufs.WriteTo(&out)
	return out.Bytes(), len(fb.refs)
}

func TestFrameBatchMatchesAppendFrames(t *testing.T) {
	big := bytes.Repeat([]byte("x"), gatherMin)
	huge := bytes.Repeat([]byte("y"), 70000) // 64-bit length header
	for _, tc := range []struct {
		name    string
		pkts    []packet.Packet
		deflate int
		refs    int
	}{
		{"small", benchPackets(), 0, 0},
		{"text-at-threshold", []packet.Packet{{Type: packet.Message, Data: big}}, 0, 1},
		{"binary-large", []packet.Packet{{Type: packet.Message, Data: huge, Binary: true}}, 0, 1},
		{"mixed", []packet.Packet{
			{Type: packet.Ping},
			{Type: packet.Message, Data: big},
			{Type: packet.Message, Data: []byte("small")},
			{Type: packet.Message, Data: huge, Binary: true},
			{Type: packet.Message, Data: big},
			{Type: packet.Noop},
		}, 0, 3},
		{"large-first-and-last", []packet.Packet{{Type: packet.Message, Data: huge}, {Type: packet.Message, Data: big, Binary: true}}, 0, 2},
		{"deflated", []packet.Packet{{Type: packet.Message, Data: huge}, {Type: packet.Message, Data: []byte("tiny")}}, 1024, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := appendFrames(nil, tc.pkts, tc.deflate)
			got, refs := batchBytes(tc.pkts, tc.deflate)
			if !bytes.Equal(got, want) {
				t.Fatalf("gather write differs from appendFrames: %d bytes, want %d", len(got), len(want))
			}
			if refs != tc.refs {
				t.Fatalf("%d payloads referenced, want %d", refs, tc.refs)
			}
		})
	}
}

func FuzzFrameBatch(f *testing.F) {
	f.Add([]byte("4hello"), uint16(0), uint16(3000), false)
	f.Add([]byte{}, uint16(5000), uint16(0), true)
	f.Fuzz(func(t *testing.T, small []byte, n1, n2 uint16, binary bool) {
		pkts := []packet.Packet{
			{Type: packet.Message, Data: small, Binary: binary},
			{Type: packet.Message, Data: bytes.Repeat([]byte{'a'}, int(n1)), Binary: !binary},
			{Type: packet.Pong},
			{Type: packet.Message, Data: bytes.Repeat([]byte{'b'}, int(n2))},
		}
		got, _ := batchBytes(pkts, 0)
		if want := appendFrames(nil, pkts, 0); !bytes.Equal(got, want) {
			t.Fatalf("gather write differs from appendFrames")
		}
	})
}

func TestFrameBatchPooledHoldsNoPayload(t *testing.T) {
	fb := getBatch()
	fb.add([]packet.Packet{{Type: packet.Message, Data: make([]byte, 3*gatherMin)}}, 0)
	fb.buffers()
	putBatch(fb)
	for i, r := range fb.refs[:cap(fb.refs)] {
		if r.data != nil {
			t.Fatalf("pooled batch still references payload %d", i)
		}
	}
	for i, b := range fb.bufs[:cap(fb.bufs)] {
		if b != nil {
			t.Fatalf("pooled batch still holds segment %d", i)
		}
	}
}

// TestWebSocketWriterGathers checks, over loopback TCP, that a batch with
// large payloads is written by the gather path and arrives intact.
func TestWebSocketWriterGathers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server := <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	defer server.Close()
	c := newWSConn(&Socket{cfg: newConfig(nil)}, server, nil, 0, binaryRaw)
	if !c.gather {
		t.Fatal("a TCP connection does not use the gather write")
	}
	pkts := []packet.Packet{
		{Type: packet.Message, Data: bytes.Repeat([]byte("z"), 300000)},
		{Type: packet.Message, Data: []byte("between")},
		{Type: packet.Message, Data: bytes.Repeat([]byte{7}, 5000), Binary: true},
	}
	want := appendFrames(nil, pkts, 0)
	got := make(chan []byte, 1)
	go func() {
		b, _ := io.ReadAll(io.LimitReader(client, int64(len(want))))
		got <- b
	}()
	fb := getBatch()
	fb.add(pkts, 0)
	if err := c.writeBatch(fb); err != nil {
		t.Fatal(err)
	}
	putBatch(fb)
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("received %d bytes differing from the frames (%d bytes)", len(b), len(want))
	}
}
