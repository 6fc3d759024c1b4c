package e2e

// Payload fidelity with the official npm packages: []byte at any depth of
// Go values travels as binary (issue 10 item 1), relayed arguments keep
// their JSON and their binary (item 2), and one nesting limit for both
// directions (issue 11 item 8).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	socketio "github.com/gosio/socketio"
	"github.com/gosio/socketio/parser"
)

type thumb struct {
	W    int    `json:"w"`
	Data []byte `json:"data"`
}

type signed struct {
	Sig []byte `json:"sig"`
}

type blob []byte

// upload has byte slices wherever a Go value can hold one.
type upload struct {
	signed
	Name   string            `json:"name"`
	Data   []byte            `json:"data"`
	Blob   blob              `json:"blob"`
	Thumb  *thumb            `json:"thumb"`
	Parts  []thumb           `json:"parts"`
	Chunks [2][]byte         `json:"chunks"`
	ByName map[string][]byte `json:"byName"`
	Any    any               `json:"any"`
	Omit   []byte            `json:"omit,omitempty"`
}

// TestSIOBinaryInGoValues: a Go value emitted with []byte inside reaches
// socket.io-client with a Buffer at each of those places, in the struct's
// field order (it used to get base64 strings); an object the client sends
// with Buffers, ArrayBuffers and Uint8Arrays inside decodes into the []byte
// fields, at any depth, and into an any field as []byte (it used to get a
// base64 string there).
func TestSIOBinaryInGoValues(t *testing.T) {
	t.Parallel()
	for _, mode := range sioModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			got := make(chan upload, 1)
			conns := make(chan *socketio.Socket, 1)
			ss := startSIO(t, nil, func(io *socketio.Server) {
				io.OnConnection(func(s *socketio.Socket) {
					s.On("put", func(u upload, ack func(upload)) {
						got <- u
						u.Name += "!"
						ack(u)
					})
					conns <- s
				})
			})
			c := startSIOClient(t, ss, sioClientOptions(mode))
			c.connect("a", "/", "", nil)
			s := recv(t, conns, "connection")
			if mode == modeUpgraded {
				c.expect(match{event: "upgrade"}, sioTimeout)
			}

			u := upload{
				signed: signed{Sig: []byte{0}},
				Name:   "a.png",
				Data:   []byte{1, 2, 3},
				Blob:   blob{4},
				Thumb:  &thumb{W: 8, Data: []byte{5}},
				Parts:  []thumb{{W: 1, Data: []byte{6}}, {W: 2, Data: []byte{}}},
				Chunks: [2][]byte{{7}, {8, 9}},
				ByName: map[string][]byte{"a": {11}},
				Any:    []byte{12},
			}
			if err := s.Emit("file", u, "after"); err != nil {
				t.Fatal(err)
			}
			b := func(v ...byte) string { return binOut(v, "Buffer") }
			want := `[{"sig":` + b(0) + `,"name":"a.png","data":` + b(1, 2, 3) + `,"blob":` + b(4) +
				`,"thumb":{"w":8,"data":` + b(5) + `},"parts":[{"w":1,"data":` + b(6) + `},{"w":2,"data":` + b() + `}]` +
				`,"chunks":[` + b(7) + `,` + b(8, 9) + `],"byName":{"a":` + b(11) + `},"any":` + b(12) + `},"after"]`
			ev := c.expect(match{event: "event", id: "a", name: "file"}, sioTimeout)
			if g := ev.argsJSON(); g != want {
				t.Errorf("client got\n%s\nwant\n%s", g, want)
			}

			// client to server, then the typed ack back
			c.emitAck("a", "put", "put", map[string]any{
				"sig": bin([]byte{20}, "uint8array"), "name": "up", "data": bin([]byte{21, 22}, "buffer"),
				"blob":   bin([]byte{23}, "arraybuffer"),
				"thumb":  map[string]any{"w": 3, "data": bin([]byte{24}, "arraybuffer")},
				"parts":  []any{map[string]any{"data": bin([]byte{25}, "buffer")}},
				"chunks": []any{bin([]byte{26}, "buffer"), bin([]byte{27}, "uint8array")},
				"byName": map[string]any{"k": bin([]byte{28}, "buffer")},
				"any":    bin([]byte{29}, "buffer"),
			})
			in := recv(t, got, "put")
			if !bytes.Equal(in.Sig, []byte{20}) || !bytes.Equal(in.Data, []byte{21, 22}) || !bytes.Equal(in.Blob, []byte{23}) ||
				in.Thumb == nil || in.Thumb.W != 3 || !bytes.Equal(in.Thumb.Data, []byte{24}) ||
				len(in.Parts) != 1 || !bytes.Equal(in.Parts[0].Data, []byte{25}) ||
				!bytes.Equal(in.Chunks[0], []byte{26}) || !bytes.Equal(in.Chunks[1], []byte{27}) ||
				!bytes.Equal(in.ByName["k"], []byte{28}) {
				t.Errorf("decoded %+v", in)
			}
			if a, ok := in.Any.([]byte); !ok || !bytes.Equal(a, []byte{29}) {
				t.Errorf("any field %#v, want []byte", in.Any)
			}
			wantAck := `[{"sig":` + b(20) + `,"name":"up!","data":` + b(21, 22) + `,"blob":` + b(23) +
				`,"thumb":{"w":3,"data":` + b(24) + `},"parts":[{"w":0,"data":` + b(25) + `}]` +
				`,"chunks":[` + b(26) + `,` + b(27) + `],"byName":{"k":` + b(28) + `},"any":` + b(29) + `}]`
			if g := c.ack("a", "put"); g != wantAck {
				t.Errorf("typed ack\n%s\nwant\n%s", g, wantAck)
			}
		})
	}
}

// relayArgs is what the relaying tests send: an object whose keys are not
// in sorted order (written as raw JSON: a Go map would sort them), with an
// integer-like key (which JavaScript puts first), binary at several depths
// and a character JSON.stringify leaves unescaped; then a string and a
// top-level Uint8Array.
func relayArgs() []any {
	return []any{
		json.RawMessage(`{"z":1.5,"data":{"$bin":"AQI=","as":"buffer"},"m":{"y":{"$bin":"Aw==","as":"arraybuffer"},"b":[true,null]},"10":"ten","a":"é\u2028"}`),
		"s",
		bin([]byte{4}, "uint8array"),
	}
}

// relayed runs the relay scenario against url: client a emits "relay"
// with relayArgs and an ack; the server broadcasts "relayed" with the same
// arguments to the others (client b, on another connection) and acks a
// with them. It returns what b received and what a got as its ack.
func relayed(t *testing.T, ss *sioServer, event string) (toOther, ack string) {
	t.Helper()
	c := startSIOClient(t, ss, nil)
	c.connect("a", "/", "c1", nil)
	c.connect("b", "/", "c2", nil)
	c.emitAck("a", "t", event, relayArgs()...)
	ev := c.expect(match{event: "event", id: "b", name: "relayed"}, sioTimeout)
	return ev.argsJSON(), c.ack("a", "t")
}

// TestSIORelayKeepsBytes: what a client sends and a handler passes on
// unchanged (e.Args to Emit and Ack, or a typed Arg) reaches the other
// client with the same JSON text, key order included, and the same binary,
// exactly as through the npm socket.io server; the ack too.
func TestSIORelayKeepsBytes(t *testing.T) {
	t.Parallel()
	node := startNodeTarget(t, targetOpts{pingInterval: sioOptions().Engine.PingInterval, pingTimeout: sioOptions().Engine.PingTimeout})
	nodeOther, nodeAck := relayed(t, &sioServer{url: node.url()}, "relay")

	b := func(v ...byte) string { return binOut(v, "Buffer") }
	want := `[{"10":"ten","z":1.5,"data":` + b(1, 2) + `,"m":{"y":` + b(3) + `,"b":[true,null]},"a":"é\u2028"},"s",` + b(4) + `]`
	if nodeOther != want || nodeAck != want {
		t.Fatalf("through the node server:\n%s\n%s\nexpected\n%s", nodeOther, nodeAck, want)
	}

	ss := startSIO(t, nil, func(io *socketio.Server) {
		io.OnConnection(func(s *socketio.Socket) {
			s.Join("all")
			// the obvious relaying code
			s.On("relay", func(e *socketio.Event) {
				s.Broadcast().Emit("relayed", e.Args)
				e.Ack(e.Args)
			})
			// a typed handler passing its arguments on
			s.On("relayTyped", func(obj socketio.Arg, str string, bin socketio.Arg, ack func(...any)) {
				s.To("all").Except(s.ID()).Emit("relayed", obj, str, bin)
				ack(obj, str, bin)
			})
		})
	})
	for _, event := range []string{"relay", "relayTyped"} {
		other, ack := relayed(t, ss, event)
		if other != nodeOther {
			t.Errorf("%s: the other client got\n%s\nthrough node\n%s", event, other, nodeOther)
		}
		if ack != nodeAck {
			t.Errorf("%s: the ack\n%s\nthrough node\n%s", event, ack, nodeAck)
		}
	}
}

// deepArray is levels nested arrays around 1.
func deepArray(levels int) any {
	var v any = 1.0
	for range levels {
		v = []any{v}
	}
	return v
}

// TestSIODeepEcho: arguments nested almost to parser.MaxDepth are echoed
// back (the encoder used to stop at 1000 levels and the ack was dropped
// silently), by each way of writing an echo; a Go value too deep to send
// is an error the handler gets from Ack, which can still answer.
func TestSIODeepEcho(t *testing.T) {
	t.Parallel()
	errs := make(chan error, 4)
	ss := startSIO(t, nil, func(io *socketio.Server) {
		io.OnConnection(func(s *socketio.Socket) {
			s.On("echoArgs", func(e *socketio.Event) { errs <- e.Ack(e.Args) })
			s.On("echoValues", func(e *socketio.Event) { errs <- e.Ack(e.Values()...) })
			s.On("echoTyped", func(v any, ack func(any) error) { errs <- ack(v) })
			s.On("tooDeep", func(e *socketio.Event) {
				err := e.Ack(deepArray(parser.MaxDepth))
				errs <- err
				e.Ack("not sent: " + err.Error())
			})
		})
	})
	c := startSIOClient(t, ss, map[string]any{"transports": []string{"websocket"}})
	c.connect("a", "/", "", nil)

	// socket.io-client (its recursive hasBinary) and the script overflow
	// the node stack before MaxDepth: the root package's tests go to
	// MaxDepth with a raw client
	const levels = 2000
	want := strings.Repeat("[", levels+1) + "1" + strings.Repeat("]", levels+1)
	for _, event := range []string{"echoArgs", "echoValues", "echoTyped"} {
		c.emitAck("a", event, event, deepArray(levels))
		if err := recv(t, errs, event); err != nil {
			t.Errorf("%s: Ack returned %v", event, err)
		}
		if got := c.ack("a", event); got != want {
			t.Errorf("%s: ack of %d bytes, want %d", event, len(got), len(want))
		}
	}
	c.emitAck("a", "tooDeep", "tooDeep")
	if err := recv(t, errs, "tooDeep"); !errors.Is(err, parser.ErrTooDeep) {
		t.Errorf("Ack of a value past MaxDepth returned %v", err)
	}
	if got, want := c.ack("a", "tooDeep"), fmt.Sprintf(`["not sent: %s"]`, parser.ErrTooDeep); got != want {
		t.Errorf("ack %s, want %s", got, want)
	}
}
