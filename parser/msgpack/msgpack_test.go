package msgpack_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/gosio/socketio/parser"
	"github.com/gosio/socketio/parser/msgpack"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

func ph(n int) string { return `{"_placeholder":true,"num":` + string(rune('0'+n)) + `}` }

// Messages written by the npm Encoder of socket.io-msgpack-parser 3.0.2,
// for the packets socket.io-client 4.8 and socket.io 4.8 send, and what
// they decode to.
var npmMessages = []struct {
	name string
	hex  string
	want parser.Packet
}{
	{"client emit (options key)", "84a47479706502a46461746193a568656c6c6fa5776f726c6401a76f7074696f6e7381a8636f6d7072657373c3a36e7370a12f",
		parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(`["hello","world",1]`)}},
	{"client emit with ack and a Buffer", "85a47479706502a46461746192a568656c6c6fc4020102a76f7074696f6e7381a8636f6d7072657373c3a2696407a36e7370a52f63686174",
		parser.Packet{Type: parser.BinaryEvent, Nsp: "/chat", ID: 7, HasID: true, Data: raw(`["hello",` + ph(0) + `]`), Attachments: [][]byte{{1, 2}}}},
	{"client connect with auth", "83a47479706500a46461746181a5746f6b656ea3616263a36e7370a62f61646d696e",
		parser.Packet{Type: parser.Connect, Nsp: "/admin", Data: raw(`{"token":"abc"}`)}},
	{"client connect", "82a47479706500a36e7370a12f", parser.Packet{Type: parser.Connect, Nsp: "/"}},
	{"server connect (pid undefined)", "83a47479706500a46461746182a3736964a3616263a3706964d40000a36e7370a12f",
		parser.Packet{Type: parser.Connect, Nsp: "/", Data: raw(`{"sid":"abc"}`)}},
	{"middleware error with data", "83a47479706504a46461746182a76d657373616765ae6e6f7420617574686f72697a6564a46461746181a7636f6e74656e74ab7265747279206c61746572a36e7370a32f6d77",
		parser.Packet{Type: parser.ConnectError, Nsp: "/mw", Data: raw(`{"message":"not authorized","data":{"content":"retry later"}}`)}},
	{"connect error, data undefined", "83a47479706504a46461746182a76d657373616765b1496e76616c6964206e616d657370616365a464617461d40000a36e7370a22f78",
		parser.Packet{Type: parser.ConnectError, Nsp: "/x", Data: raw(`{"message":"Invalid namespace"}`)}},
	{"server ack, binary at depth", "84a2696403a47479706503a4646174619282a66e6573746564c4020405a16e0192c40106a178a36e7370a12f",
		parser.Packet{Type: parser.BinaryAck, Nsp: "/", ID: 3, HasID: true, Data: raw(`[{"nested":` + ph(0) + `,"n":1},[` + ph(1) + `,"x"]]`), Attachments: [][]byte{{4, 5}, {6}}}},
	{"disconnect", "82a47479706501a36e7370a62f61646d696e", parser.Packet{Type: parser.Disconnect, Nsp: "/admin"}},
	{"ArrayBuffer and Date", "83a47479706502a46461746193a26162c70300010203d7000000000000000000a36e7370a12f",
		parser.Packet{Type: parser.BinaryEvent, Nsp: "/", Data: raw(`["ab",` + ph(0) + `,"1970-01-01T00:00:00.000Z"]`), Attachments: [][]byte{{1, 2, 3}}}},
	// accepted by the npm decoder too
	{"type as float 2.0", "83a474797065cb4000000000000000a46461746191a178a36e7370a12f", parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(`["x"]`)}},
	{"disconnect, data undefined", "83a47479706501a464617461d40000a36e7370a12f", parser.Packet{Type: parser.Disconnect, Nsp: "/"}},
	{"event without arguments", "83a47479706502a46461746190a36e7370a12f", parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(`[]`)}},
	{"connect error string", "83a47479706504a464617461a178a36e7370a12f", parser.Packet{Type: parser.ConnectError, Nsp: "/", Data: raw(`"x"`)}},
	{"id as float 2.0", "84a47479706502a46461746191a178a36e7370a12fa26964cb4000000000000000", parser.Packet{Type: parser.Event, Nsp: "/", ID: 2, HasID: true, Data: raw(`["x"]`)}},
	{"ext as data: [type, Buffer]", "83a47479706502a464617461d5050102a36e7370a12f", parser.Packet{Type: parser.BinaryEvent, Nsp: "/", Data: raw(`[5,` + ph(0) + `]`), Attachments: [][]byte{{1, 2}}}},
	{"key as str 8", "83d9047479706502a46461746191a178a36e7370a12f", parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(`["x"]`)}},
	{"repeated key: the last", "84a47479706500a47479706502a46461746191a178a36e7370a12f", parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(`["x"]`)}},
	{"ack without id", "83a47479706503a46461746190a36e7370a12f", parser.Packet{Type: parser.Ack, Nsp: "/", Data: raw(`[]`)}},
	{"empty namespace", "82a47479706501a36e7370a0", parser.Packet{Type: parser.Disconnect, Nsp: "/"}},
	{"binary in auth: Buffer.toJSON", "83a47479706500a46461746181a162c40107a36e7370a12f", parser.Packet{Type: parser.Connect, Nsp: "/", Data: raw(`{"b":{"type":"Buffer","data":[7]}}`)}},
}

func equalPacket(a, b *parser.Packet) bool {
	if a.Type != b.Type || a.Nsp != b.Nsp || a.HasID != b.HasID || a.ID != b.ID || !bytes.Equal(a.Data, b.Data) || len(a.Attachments) != len(b.Attachments) {
		return false
	}
	for i := range a.Attachments {
		if !bytes.Equal(a.Attachments[i], b.Attachments[i]) {
			return false
		}
	}
	return true
}

func TestDecodeNpmMessages(t *testing.T) {
	for _, m := range npmMessages {
		p, err := msgpack.NewDecoder(parser.Limits{}).Add(unhex(m.hex), true)
		if err != nil || !equalPacket(p, &m.want) {
			t.Errorf("%s: %+v %v\nwant %+v", m.name, p, err, m.want)
			continue
		}
		if p.Type == parser.Ack && !p.HasID {
			continue // accepted as npm does, but not written
		}
		// and back: our encoding decodes to the same packet
		_, bins, err := msgpack.Parser{}.Encode(p)
		if err != nil || len(bins) != 1 {
			t.Errorf("%s: encode: %v %d messages", m.name, err, len(bins))
			continue
		}
		if q, err := msgpack.Decode(bins[0]); err != nil || !equalPacket(p, q) {
			t.Errorf("%s: round trip %x: %+v %v", m.name, bins[0], q, err)
		}
	}
}

// Messages the npm decoder rejects (its error in the comment), and those
// it accepts but a Go packet cannot carry.
var rejections = []struct {
	name, hex string
	err       error
}{
	{"empty map", "80", parser.ErrUnknownType},                                                 // invalid packet type
	{"type 5", "82a47479706505a36e7370a12f", parser.ErrUnknownType},                            // invalid packet type
	{"type -1", "82a474797065ffa36e7370a12f", parser.ErrUnknownType},                           // invalid packet type
	{"type 2.5", "82a474797065cb4004000000000000a36e7370a12f", parser.ErrUnknownType},          // invalid packet type
	{"type as string", "82a474797065a132a36e7370a12f", parser.ErrUnknownType},                  // invalid packet type
	{"an array", "9100", parser.ErrUnknownType},                                                // invalid packet type
	{"no namespace", "81a47479706500", parser.ErrInvalidPacket},                                // invalid namespace
	{"namespace not a string", "82a47479706500a36e737001", parser.ErrInvalidPacket},            // invalid namespace
	{"connect data null", "83a47479706500a464617461c0a36e7370a12f", parser.ErrInvalidPayload},  // invalid payload
	{"connect data array", "83a47479706500a46461746190a36e7370a12f", parser.ErrInvalidPayload}, // invalid payload
	{"connect data Buffer", "83a47479706500a464617461c403010203a36e7370a12f", parser.ErrInvalidPayload},
	{"disconnect with data", "83a47479706501a46461746180a36e7370a12f", parser.ErrInvalidPayload}, // invalid payload
	{"event data object", "83a47479706502a46461746180a36e7370a12f", parser.ErrInvalidPayload},    // invalid payload
	{"event data string", "83a47479706502a464617461a178a36e7370a12f", parser.ErrInvalidPayload},  // invalid payload
	{"event without data", "82a47479706502a36e7370a12f", parser.ErrInvalidPayload},               // invalid payload
	{"connect error number", "83a47479706504a46461746101a36e7370a12f", parser.ErrInvalidPayload}, // invalid payload
	{"id null", "84a47479706502a46461746191a178a36e7370a12fa26964c0", parser.ErrInvalidPacket},   // invalid packet id
	{"id 1.5", "84a47479706502a46461746191a178a36e7370a12fa26964cb3ff8000000000000", parser.ErrInvalidPacket},
	{"trailing byte", "82a47479706501a36e7370a12f00", parser.ErrInvalidPacket}, // 1 trailing bytes
	{"truncated", "82a47479706501a36e7370a1", parser.ErrInvalidPacket},
	{"reserved byte", "c1", parser.ErrInvalidPacket},
	{"empty", "", parser.ErrInvalidPacket},
	// accepted by npm, refused here
	{"negative id", "84a47479706502a46461746191a178a36e7370a12fa26964ff", parser.ErrInvalidPacket},
	{"id past 2^64", "84a47479706502a46461746191a178a36e7370a12fa26964cb43f0000000000000", parser.ErrInvalidPacket},
	{"reserved event name", "83a47479706502a46461746191aa646973636f6e6e656374a36e7370a12f", parser.ErrInvalidPayload},
	{"placeholder lookalike beside a binary", "83a47479706502a4646174619282ac5f706c616365686f6c646572c3a36e756d00c401ffa36e7370a12f", parser.ErrIllegalAttachments},
	{"map key that is a map", "83a47479706502a46461746191818001a36e7370a12f", parser.ErrInvalidPayload},
}

func TestDecodeRejects(t *testing.T) {
	for _, r := range rejections {
		p, err := msgpack.Decode(unhex(r.hex))
		if !errors.Is(err, r.err) || p != nil {
			t.Errorf("%s: %+v %v, want %v", r.name, p, err, r.err)
		}
	}
	// a placeholder lookalike without binaries is an ordinary object
	p, err := msgpack.Decode(unhex("83a47479706502a4646174619182ac5f706c616365686f6c646572c3a36e756d00a36e7370a12f"))
	if err != nil || p.Type != parser.Event || string(p.Data) != `[`+ph(0)+`]` {
		t.Errorf("lookalike alone: %+v %v", p, err)
	}
	// text messages are not packets of this format
	if _, err := msgpack.NewDecoder(parser.Limits{}).Add([]byte(`2["x"]`), false); !errors.Is(err, parser.ErrInvalidPacket) {
		t.Errorf("text message: %v", err)
	}
}

func TestDecodeLimits(t *testing.T) {
	// 11 binaries, the default limit is 10, as for the JSON parser
	var b []byte
	b = append(b, unhex("83a47479706502a464617461dc000c")...)
	b = append(b, 0xa1, 'x')
	for range 11 {
		b = append(b, 0xc4, 1, 0xaa)
	}
	b = append(b, unhex("a36e7370a12f")...)
	if _, err := msgpack.Decode(b); !errors.Is(err, parser.ErrTooManyAttachments) {
		t.Errorf("11 binaries: %v", err)
	}
	if p, err := msgpack.NewDecoder(parser.Limits{MaxAttachments: 11}).Add(b, true); err != nil || len(p.Attachments) != 11 {
		t.Errorf("11 binaries, 11 allowed: %v", err)
	}
	if _, err := msgpack.NewDecoder(parser.Limits{MaxAttachments: 20, MaxAttachmentBytes: 10}).Add(b, true); !errors.Is(err, parser.ErrAttachmentsTooLarge) {
		t.Errorf("11 bytes, 10 allowed: %v", err)
	}
	if _, err := msgpack.NewDecoder(parser.Limits{MaxAttachments: -1}).Add(b, true); !errors.Is(err, parser.ErrTooManyAttachments) {
		t.Errorf("no binaries allowed: %v", err)
	}
	// nesting: 10000 levels as the JSON decoder, not more
	nest := func(n int) []byte {
		m := unhex("84a47479706503a26964" + "01" + "a464617461")
		m = append(m, bytes.Repeat([]byte{0x91}, n-1)...)
		m = append(m, 0x90)
		return append(m, unhex("a36e7370a12f")...)
	}
	if _, err := msgpack.Decode(nest(10000)); err != nil {
		t.Errorf("10000 levels: %v", err)
	}
	if _, err := msgpack.Decode(nest(10001)); !errors.Is(err, parser.ErrInvalidPacket) {
		t.Errorf("10001 levels: %v", err)
	}
}

// What the npm decoder makes of our encodings is checked by the e2e
// tests; here, the bytes: those npm writes for the same packet, keys in
// our order (type, data, nsp, id).
func TestEncode(t *testing.T) {
	cases := []struct {
		p   parser.Packet
		hex string
	}{
		{parser.Packet{Type: parser.Connect, Nsp: "/", Data: raw(`{"sid":"abc"}`)}, "83a47479706500a46461746181a3736964a3616263a36e7370a12f"},
		{parser.Packet{Type: parser.Disconnect, Nsp: "/admin"}, "82a47479706501a36e7370a62f61646d696e"},
		{parser.Packet{Type: parser.Disconnect}, "82a47479706501a36e7370a12f"}, // "" is "/"
		{parser.Packet{Type: parser.BinaryAck, Nsp: "/", ID: 3, HasID: true, Data: raw(`[{"nested":` + ph(0) + `,"n":1},[` + ph(1) + `,"x"]]`), Attachments: [][]byte{{4, 5}, {6}}},
			"84a47479706503a4646174619282a66e6573746564c4020405a16e0192c40106a178a36e7370a12fa2696403"},
		{parser.Packet{Type: parser.ConnectError, Nsp: "/mw", Data: raw(`{"message":"not authorized","data":{"content":"retry later"}}`)},
			"83a47479706504a46461746182a76d657373616765ae6e6f7420617574686f72697a6564a46461746181a7636f6e74656e74ab7265747279206c61746572a36e7370a32f6d77"},
		{parser.Packet{Type: parser.Event, Nsp: "/", Data: raw(` ["x", 1.0, 2.5] `)}, "83a47479706502a46461746193a17801cb4004000000000000a36e7370a12f"},
	}
	for _, c := range cases {
		text, bins, err := msgpack.Parser{}.Encode(&c.p)
		if err != nil || text != nil || len(bins) != 1 || hex.EncodeToString(bins[0]) != c.hex {
			t.Errorf("%+v: %q %x %v\nwant %s", c.p, text, bins, err, c.hex)
		}
	}
	bad := []parser.Packet{
		{Type: 7, Nsp: "/"},
		{Type: parser.Event, Nsp: "/", Data: raw(`["x"]`), Attachments: [][]byte{{1}}},
		{Type: parser.Ack, Nsp: "/", Data: raw(`[]`)},
		{Type: parser.Connect, Nsp: "/", Data: raw(`[]`)},
		{Type: parser.Disconnect, Nsp: "/", Data: raw(`{}`)},
		{Type: parser.Event, Nsp: "/", Data: raw(`{}`)},
		{Type: parser.Event, Nsp: "/"},
		{Type: parser.ConnectError, Nsp: "/", Data: raw(`1`)},
		{Type: parser.Event, Nsp: "/", Data: raw(`["x",]`)},
		{Type: parser.Event, Nsp: "/", Data: raw("  ")},
		{Type: parser.Event, Nsp: "/", Data: raw(strings.Repeat("[", 10001) + strings.Repeat("]", 10001))},
	}
	for _, p := range bad {
		if _, _, err := (msgpack.Parser{}).Encode(&p); !errors.Is(err, parser.ErrInvalidPacket) {
			t.Errorf("%+v: %v, want ErrInvalidPacket", p, err)
		}
	}
}

// The JSON form carries every packet of the JSON parser's examples: what
// the JSON decoder accepts, the msgpack codec writes and reads back
// unchanged (Data compared as values: whitespace goes).
func TestRoundTripThroughJSONForm(t *testing.T) {
	texts := []string{`0`, `0/admin,{"token":"123"}`, `4/random,{"message":"Invalid namespace"}`, `4"Unauthorized"`,
		`2["hey","Jude"]`, `212["foo"]`, `3/admin,13["bar"]`, `318446744073709551615[]`, `1/admin,`,
		`2[1,"a",{"b":[true,false,null,-1.5e-7,123456789012]}]`, `2["\u00e9\ud83d\ude00\n"]`}
	for _, text := range texts {
		p, err := parser.Decode([]byte(text))
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		_, bins, err := msgpack.Parser{}.Encode(p)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		q, err := msgpack.Decode(bins[0])
		if err != nil {
			t.Fatalf("%s: decode %x: %v", text, bins[0], err)
		}
		back, _ := q.AppendText(nil)
		if want, _ := p.AppendText(nil); compact(t, back) != compact(t, want) {
			t.Errorf("%s: back as %s", text, back)
		}
	}
	// binary packets: attachments where the placeholders were
	p := &parser.Packet{Type: parser.BinaryEvent, Nsp: "/admin", ID: 7, HasID: true,
		Data: raw(`["x",{"a":[` + ph(1) + `]},` + ph(0) + `]`), Attachments: [][]byte{{9}, {}}}
	_, bins, _ := msgpack.Parser{}.Encode(p)
	q, err := msgpack.Decode(bins[0])
	if err != nil || q.Type != parser.BinaryEvent || string(q.Data) != `["x",{"a":[`+ph(0)+`]},`+ph(1)+`]` ||
		len(q.Attachments) != 2 || len(q.Attachments[0]) != 0 || q.Attachments[1][0] != 9 {
		t.Errorf("binary: %+v %v", q, err)
	}
}

func compact(t *testing.T, text []byte) string {
	t.Helper()
	i := bytes.IndexAny(text, "[{\"")
	if i < 0 {
		return string(text)
	}
	var v any
	if err := json.Unmarshal(text[i:], &v); err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	b, _ := json.Marshal(v)
	return string(text[:i]) + string(b)
}

func TestParserSeam(t *testing.T) {
	var f parser.Parser = msgpack.Parser{}
	d := f.NewDecoder(parser.Limits{})
	p, err := d.Add(unhex(npmMessages[0].hex), true)
	if err != nil || p == nil || d.Pending() {
		t.Fatalf("%v %v", p, err)
	}
	d.Reset()
}
