package parser_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/gosio/socketio/parser"
)

// Byte slices at any depth of Go values travel as attachments, and come
// back into the same places.

type Blob []byte

type Part struct {
	Name string `json:"name"`
	Data []byte `json:"data"`
}

type BinEmbedded struct {
	Sig []byte `json:"sig"`
}

type Upload struct {
	BinEmbedded
	Name     string            `json:"name"`
	Data     []byte            `json:"data"`
	Blob     Blob              `json:"blob"`
	Thumb    *Part             `json:"thumb"`
	Parts    []Part            `json:"parts"`
	PtrParts []*Part           `json:"ptrParts"`
	Chunks   [][]byte          `json:"chunks"`
	Fixed    [2][]byte         `json:"fixed"`
	ByName   map[string][]byte `json:"byName"`
	ByID     map[int]Part      `json:"byId"`
	PtrBytes *[]byte           `json:"ptrBytes"`
	Any      any               `json:"any"`
	Omit     []byte            `json:"omit,omitempty"`
	Skip     []byte            `json:"-"`
	Raw      json.RawMessage   `json:"raw"`
	Str      string            `json:"str,string"`
}

func sampleUpload() Upload {
	pb := []byte{20}
	return Upload{
		BinEmbedded: BinEmbedded{Sig: []byte{0}},
		Name:        "a.png",
		Data:        []byte{1, 2, 3},
		Blob:        Blob{4},
		Thumb:       &Part{Name: "t", Data: []byte{5}},
		Parts:       []Part{{Name: "p0", Data: []byte{6}}, {Name: "p1", Data: []byte{}}},
		PtrParts:    []*Part{nil, {Name: "pp", Data: []byte{7}}},
		Chunks:      [][]byte{{8}, {9, 10}},
		Fixed:       [2][]byte{{11}, {12}},
		ByName:      map[string][]byte{"z": {13}, "a": {14}},
		ByID:        map[int]Part{2: {Name: "two", Data: []byte{15}}, 10: {Name: "ten", Data: []byte{16}}},
		PtrBytes:    &pb,
		Any:         []byte{17},
		Skip:        []byte{99},
		Raw:         json.RawMessage(`{"r":1}`),
		Str:         "s",
	}
}

// wire encodes args as an event and decodes it as a peer would.
func wire(t *testing.T, args ...any) (*parser.Packet, parser.Args) {
	t.Helper()
	p, err := parser.NewEvent("/", "ev", args)
	if err != nil {
		t.Fatal(err)
	}
	text, err := p.AppendText(nil)
	if err != nil {
		t.Fatal(err)
	}
	d := parser.NewDecoder(parser.Limits{MaxAttachments: 100})
	q, err := d.Add(text, false)
	for i := 0; err == nil && q == nil && i < len(p.Attachments); i++ {
		q, err = d.Add(p.Attachments[i], true)
	}
	if err != nil || q == nil {
		t.Fatalf("decoding %q: %v", text, err)
	}
	a, err := parser.NewArgs(q.Data, q.Attachments)
	if err != nil {
		t.Fatal(err)
	}
	return q, a.From(1)
}

func TestBinaryInValues(t *testing.T) {
	u := sampleUpload()
	p, args := wire(t, u)
	want := `["ev",{"sig":` + ph(0) + `,"name":"a.png","data":` + ph(1) + `,"blob":` + ph(2) +
		`,"thumb":{"name":"t","data":` + ph(3) + `},"parts":[{"name":"p0","data":` + ph(4) + `},{"name":"p1","data":` + ph(5) + `}]` +
		`,"ptrParts":[null,{"name":"pp","data":` + ph(6) + `}],"chunks":[` + ph(7) + `,` + ph(8) + `]` +
		`,"fixed":[` + ph(9) + `,` + ph(10) + `],"byName":{"a":` + ph(11) + `,"z":` + ph(12) + `}` +
		`,"byId":{"10":{"name":"ten","data":` + ph(13) + `},"2":{"name":"two","data":` + ph(14) + `}}` +
		`,"ptrBytes":` + ph(15) + `,"any":` + ph(16) + `,"raw":{"r":1},"str":"\"s\""}]`
	if string(p.Data) != want {
		t.Fatalf("payload\n%s\nwant\n%s", p.Data, want)
	}
	if p.Type != parser.BinaryEvent {
		t.Fatalf("type %v", p.Type)
	}
	wantAtt := [][]byte{{0}, {1, 2, 3}, {4}, {5}, {6}, {}, {7}, {8}, {9, 10}, {11}, {12}, {14}, {13}, {16}, {15}, {20}, {17}}
	if !reflect.DeepEqual(p.Attachments, wantAtt) {
		t.Fatalf("attachments %v\nwant %v", p.Attachments, wantAtt)
	}

	// back into the same type: every []byte in its place, the very
	// attachment (no copy)
	var got Upload
	if err := args.Decode(0, &got); err != nil {
		t.Fatal(err)
	}
	u.Skip = nil
	if !reflect.DeepEqual(got, u) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", got, u)
	}
	if &got.Data[0] != &p.Attachments[1][0] {
		t.Error("the attachment was copied")
	}

	// generically: []byte at the same places
	var g any
	if err := args.Decode(0, &g); err != nil {
		t.Fatal(err)
	}
	m := g.(map[string]any)
	if b, _ := m["thumb"].(map[string]any)["data"].([]byte); !bytes.Equal(b, []byte{5}) {
		t.Errorf("generic thumb.data %#v", m["thumb"])
	}
	if b, _ := m["chunks"].([]any)[1].([]byte); !bytes.Equal(b, []byte{9, 10}) {
		t.Errorf("generic chunks %#v", m["chunks"])
	}
}

// TestBinaryDecodeDestinations: where a placeholder lands decides what it
// becomes; nothing panics on a mismatch.
func TestBinaryDecodeDestinations(t *testing.T) {
	_, args := wire(t, map[string]any{"a": []byte{1}, "n": 1.0, "l": []any{[]byte{2}, map[string]any{"d": []byte{3}}}})
	var s struct {
		A string `json:"a"` // a string gets the base64, as before
		L []any  `json:"l"`
	}
	if err := args.Decode(0, &s); err != nil {
		t.Fatal(err)
	}
	if s.A != "AQ==" || !bytes.Equal(s.L[0].([]byte), []byte{2}) || !bytes.Equal(s.L[1].(map[string]any)["d"].([]byte), []byte{3}) {
		t.Errorf("decoded %#v", s)
	}
	var ifaces struct {
		A any            `json:"a"`
		L []any          `json:"l"`
		M map[string]any `json:"missing"`
	}
	if err := args.Decode(0, &ifaces); err != nil || !bytes.Equal(ifaces.A.([]byte), []byte{1}) {
		t.Errorf("decoded %#v, %v", ifaces, err)
	}
	var byCase struct {
		A []byte // matches "a" ignoring case, as encoding/json matches
	}
	if err := args.Decode(0, &byCase); err != nil || !bytes.Equal(byCase.A, []byte{1}) {
		t.Errorf("decoded %#v, %v", byCase, err)
	}
	type withEmbedded struct {
		*Part        // allocated to hold its promoted field
		A     []byte `json:"a"`
	}
	_, args2 := wire(t, map[string]any{"name": "n", "data": []byte{5}, "a": []byte{6}})
	var we withEmbedded
	if err := args2.Decode(0, &we); err != nil || we.Part == nil || !bytes.Equal(we.Data, []byte{5}) || !bytes.Equal(we.A, []byte{6}) {
		t.Errorf("embedded pointer: %+v, %v", we, err)
	}
	var m map[string]Blob
	if err := args.Decode(0, &m); err == nil {
		t.Errorf("a number into a Blob: %v", m)
	}
	var wrong struct {
		A int      `json:"a"`
		L struct{} `json:"l"`
	}
	if err := args.Decode(0, &wrong); err == nil {
		t.Error("type mismatch accepted")
	}
	var arr [1][]byte
	if err := args.Decode(0, &arr); err == nil {
		t.Error("object into an array accepted")
	}
	if err := args.Decode(0, nil); err == nil {
		t.Error("nil target accepted")
	}
	var notPtr struct{}
	if err := args.Decode(0, notPtr); err == nil {
		t.Error("non-pointer target accepted")
	}
}

// TestArgRelay: received arguments written back exactly as they came,
// placeholders renumbered among the new packet's attachments.
func TestArgRelay(t *testing.T) {
	// as a Node client sends it: keys not sorted, attachments in text order
	in := `["relay",{"z":1,"data":` + ph(0) + `,"a":{"y":` + ph(1) + `,"b":2.50}},"s",` + ph(2) + `]`
	att := [][]byte{{1, 2}, {3}, {4}}
	all, err := parser.NewArgs([]byte(in), att)
	if err != nil {
		t.Fatal(err)
	}
	args := all.From(1)

	// spliced alone: the same text
	data, out, err := parser.EncodeArgs([]any{"relay", args})
	if err != nil || string(data) != in || !reflect.DeepEqual(out, att) {
		t.Fatalf("relayed %s %v %v", data, out, err)
	}
	// among other arguments: renumbered
	data, out, err = parser.EncodeArgs([]any{[]byte{9}, args, args.Arg(2), map[string]any{"k": args.Arg(0)}, args})
	if err != nil {
		t.Fatal(err)
	}
	want := `[` + ph(0) + `,{"z":1,"data":` + ph(1) + `,"a":{"y":` + ph(2) + `,"b":2.50}},"s",` + ph(3) + `,` + ph(4) +
		`,{"k":{"z":1,"data":` + ph(5) + `,"a":{"y":` + ph(6) + `,"b":2.50}}},{"z":1,"data":` + ph(7) +
		`,"a":{"y":` + ph(8) + `,"b":2.50}},"s",` + ph(9) + `]`
	if string(data) != want {
		t.Fatalf("relayed\n%s\nwant\n%s", data, want)
	}
	wantAtt := [][]byte{{9}, {1, 2}, {3}, {4}, {4}, {1, 2}, {3}, {1, 2}, {3}, {4}}
	if !reflect.DeepEqual(out, wantAtt) {
		t.Fatalf("attachments %v", out)
	}
	// nested, an Args is an array
	data, _, err = parser.EncodeArgs([]any{[]any{args}})
	if want := `[[[{"z":1,"data":` + ph(0) + `,"a":{"y":` + ph(1) + `,"b":2.50}},"s",` + ph(2) + `]]]`; err != nil || string(data) != want {
		t.Fatalf("nested Args %s %v", data, err)
	}

	// nums out of order, a placeholder inside a placeholder: each keeps
	// its own attachment
	odd, err := parser.NewArgs([]byte(`[{"b":`+ph(2)+`,"a":{"_placeholder":true,"x":`+ph(0)+`,"num":1}}]`), [][]byte{{0}, {1}, {2}})
	if err != nil {
		t.Fatal(err)
	}
	data, out, err = parser.EncodeArgs([]any{"x", odd})
	if err != nil {
		t.Fatal(err)
	}
	if want := `["x",{"b":` + ph(0) + `,"a":{"_placeholder":true,"x":` + ph(2) + `,"num":1}}]`; string(data) != want {
		t.Fatalf("renumbered %s\nwant %s", data, want)
	}
	if !reflect.DeepEqual(out, [][]byte{{2}, {1}, {0}}) {
		t.Fatalf("attachments %v", out)
	}

	// a placeholder without its attachment is an error, not a panic
	bad, _ := parser.NewArgs([]byte(`[`+ph(3)+`]`), [][]byte{{0}})
	if _, _, err := parser.EncodeArgs([]any{bad}); err == nil {
		t.Fatal("placeholder out of range encoded")
	}

	// the zero values
	if data, out, err := parser.EncodeArgs([]any{parser.Args{}, parser.Arg{}, (*parser.Args)(nil), &args}); err != nil ||
		string(data) != `[null,null,`+in[len(`["relay",`):] || len(out) != 3 {
		t.Fatalf("zero values: %s %v %v", data, out, err)
	}
}

// TestArgDecode: an Arg parameter or field receives the text as it came,
// with the attachments, and relays it unchanged.
func TestArgDecode(t *testing.T) {
	in := `["relay","room1",{"z":` + ph(1) + `,"a":[` + ph(0) + `]},{"keep":{"y":` + ph(2) + `,"b":1},"data":` + ph(3) + `}]`
	all, err := parser.NewArgs([]byte(in), [][]byte{{0}, {1}, {2}, {3}})
	if err != nil {
		t.Fatal(err)
	}
	args := all.From(1)
	var room string
	var msg parser.Arg
	var wrapped struct {
		Keep *parser.Arg `json:"keep"`
		Data []byte      `json:"data"`
	}
	if err := args.Decode(0, &room); err != nil {
		t.Fatal(err)
	}
	if err := args.Decode(1, &msg); err != nil {
		t.Fatal(err)
	}
	if err := args.Decode(2, &wrapped); err != nil {
		t.Fatal(err)
	}
	if string(msg.Raw()) != `{"z":`+ph(1)+`,"a":[`+ph(0)+`]}` || !bytes.Equal(wrapped.Data, []byte{3}) || wrapped.Keep == nil {
		t.Fatalf("decoded %s %+v", msg.Raw(), wrapped)
	}
	data, att, err := parser.EncodeArgs([]any{room, msg, wrapped})
	if err != nil {
		t.Fatal(err)
	}
	want := `["room1",{"z":` + ph(0) + `,"a":[` + ph(1) + `]},{"keep":{"y":` + ph(2) + `,"b":1},"data":` + ph(3) + `}]`
	if string(data) != want || !reflect.DeepEqual(att, [][]byte{{1}, {0}, {2}, {3}}) {
		t.Fatalf("relayed %s %v", data, att)
	}
	// as JSON (for logs): attachments in base64
	j, err := json.Marshal(wrapped)
	if err != nil || string(j) != `{"keep":{"y":"Ag==","b":1},"data":"Aw=="}` {
		t.Fatalf("json.Marshal: %s %v", j, err)
	}
	var viaArg []byte
	if err := args.Arg(2).Decode(&wrapped); err != nil || msg.Decode(&viaArg) == nil {
		t.Fatalf("Arg.Decode: %v", err)
	}
	var fromJSON parser.Arg
	if err := json.Unmarshal([]byte(` {"x": [1, 2]} `), &fromJSON); err != nil || string(fromJSON.Raw()) != `{"x": [1, 2]}` {
		t.Fatalf("Unmarshal into Arg: %s %v", fromJSON.Raw(), err)
	}
	if err := fromJSON.UnmarshalJSON([]byte(`{"x"`)); err == nil {
		t.Fatal("invalid JSON kept")
	}
	if err := args.Decode(7, &msg); !errors.Is(err, parser.ErrNoArgument) {
		t.Fatal(err)
	}
	if z := args.Arg(7); z.Raw() != nil {
		t.Fatal("Arg past the end")
	}
}
