package handler

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/gosio/socketio/parser"
)

// call is a Call over real parser.Args whose Ack encodes its arguments
// with parser.EncodeArgs, as the server and the client do.
type call struct {
	parser.Args
	acked [][]byte
}

func (c *call) EventName() string { return "ev" }

func (c *call) Ack(args ...any) error {
	data, _, err := parser.EncodeArgs(args)
	if err != nil {
		return err
	}
	c.acked = append(c.acked, data)
	return nil
}

func newCall(t *testing.T, payload string, att ...[]byte) *call {
	t.Helper()
	a, err := parser.NewArgs([]byte(payload), att)
	if err != nil {
		t.Fatal(err)
	}
	return &call{Args: a}
}

func deep(levels int) any {
	var v any = 1
	for range levels {
		v = []any{v}
	}
	return v
}

// TestAckErrorsReachTheHandler: an ack that cannot be encoded is an error
// the handler sees, returned by an ack returning error, or returned to the
// handler's caller (the socket's OnError) by one returning nothing.
func TestAckErrorsReachTheHandler(t *testing.T) {
	var seen error
	withErr := Compile[*call](func(n int, ack func(any) error) {
		seen = ack(deep(parser.MaxDepth))
	})
	c := newCall(t, `[1]`)
	if err := withErr(c); err != nil {
		t.Fatalf("handler error %v: the ack's error went to the handler", err)
	}
	if !errors.Is(seen, parser.ErrTooDeep) || len(c.acked) != 0 {
		t.Fatalf("ack error %v, acked %q", seen, c.acked)
	}

	for name, fn := range map[string]any{
		"typed":    func(n int, ack func(any)) { ack(deep(parser.MaxDepth)) },
		"variadic": func(ack func(...any)) { ack(func() {}) },
		"multi":    func(ack func(string, any)) { ack("a", func() {}) },
	} {
		err := Compile[*call](fn)(newCall(t, `[1]`))
		if err == nil || !strings.Contains(err.Error(), `event "ev" acknowledgement`) {
			t.Errorf("%s: caller got %v", name, err)
		}
	}
	// the handler's own error comes first
	own := errors.New("own")
	err := Compile[*call](func(ack func(any)) error { ack(func() {}); return own })(newCall(t, `[]`))
	if err != own {
		t.Errorf("handler error %v", err)
	}
	// an ack that encodes is sent and is no error
	c = newCall(t, `[2]`)
	if err := Compile[*call](func(n int, ack func(int)) { ack(n * 2) })(c); err != nil || string(c.acked[0]) != "[4]" {
		t.Errorf("ack %q, %v", c.acked, err)
	}
	c = newCall(t, `[2]`)
	if err := Compile[*call](func(ack func(...any) error) { ack("x", 1) })(c); err != nil || string(c.acked[0]) != `["x",1]` {
		t.Errorf("ack %q, %v", c.acked, err)
	}
}

func TestAckSignatures(t *testing.T) {
	for _, fn := range []any{
		func(ack func(int) (int, error)) {},
		func(ack func(int) int) {},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "must return nothing or error") {
					t.Errorf("%T: panic %v", fn, r)
				}
			}()
			Compile[*call](fn)
		}()
	}
}

type upload struct {
	Name  string `json:"name"`
	Data  []byte `json:"data"`
	Thumb *struct {
		Data []byte `json:"data"`
	} `json:"thumb"`
	Parts map[string][]byte `json:"parts"`
}

// TestTypedBinary: attachments at any depth of a typed parameter, and an
// Arg parameter relayed as received.
func TestTypedBinary(t *testing.T) {
	ph := func(n string) string { return `{"_placeholder":true,"num":` + n + `}` }
	c := newCall(t, `[{"name":"a","data":`+ph("0")+`,"thumb":{"data":`+ph("1")+`},"parts":{"z":`+ph("2")+`}},{"b":`+ph("3")+`,"a":1}]`,
		[]byte{1}, []byte{2}, []byte{3}, []byte{4})
	var got upload
	var raw parser.Arg
	h := Compile[*call](func(u upload, relay parser.Arg, ack func(parser.Arg, upload) error) error {
		got, raw = u, relay
		return ack(relay, u)
	})
	if err := h(c); err != nil {
		t.Fatal(err)
	}
	if got.Name != "a" || !bytes.Equal(got.Data, []byte{1}) || !bytes.Equal(got.Thumb.Data, []byte{2}) || !bytes.Equal(got.Parts["z"], []byte{3}) {
		t.Fatalf("decoded %+v", got)
	}
	want := `[{"b":` + ph("0") + `,"a":1},{"name":"a","data":` + ph("1") + `,"thumb":{"data":` + ph("2") + `},"parts":{"z":` + ph("3") + `}}]`
	if string(c.acked[0]) != want || string(raw.Raw()) != `{"b":`+ph("3")+`,"a":1}` {
		t.Fatalf("acked %s", c.acked[0])
	}
}
