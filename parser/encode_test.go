package parser_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gosio/socketio/parser"
)

// Types exercising what encoding/json does with structs: tags, options,
// embedding and its ambiguities, marshalers with value and pointer
// receivers, text marshalers, map keys of every kind.

type Inner struct {
	A int    `json:"a"`
	B string `json:"b,omitempty"`
}

type Embedded struct {
	E1 int
	E2 string `json:"e2"`
	X  int    // hidden by Outer.X
}

type embeddedLower struct {
	Promoted int `json:"promoted"`
	hidden   int
}

type Deep struct{ Deeper }

type Deeper struct {
	DeepField  string
	Ambiguous  int
	TaggedWins int `json:"tw"`
}

type Other struct {
	Ambiguous int
	TW        int // loses to the tagged tw of Deeper? no: different name
	Untagged  int `json:"tw2"`
}

type valMarshaler struct{ n int }

func (v valMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(` { "vm" : %d } `, v.n)), nil
}

type ptrMarshaler struct{ n int }

func (p *ptrMarshaler) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf(`[%d]`, p.n)), nil }

type textKey struct{ a, b int }

func (k textKey) MarshalText() ([]byte, error) { return []byte(fmt.Sprintf("%d-%d", k.a, k.b)), nil }

type ptrText struct{ s string }

func (p *ptrText) MarshalText() ([]byte, error) { return []byte("<" + p.s + ">"), nil }

type zeroer struct{ v int }

func (z zeroer) IsZero() bool { return z.v == 42 }

type Outer struct {
	Embedded
	*Inner         `json:"inner"`
	embeddedLower                    // unexported, its exported fields promoted
	Deep                             // DeepField promoted two levels down
	Other                            // Ambiguous collides with Deep's at a deeper level
	X              string            `json:"X"`
	Renamed        int               `json:"renamed"`
	Skip           int               `json:"-"`
	Dash           int               `json:"-,"`
	Empty          string            `json:",omitempty"`
	OmitPtr        *int              `json:"omitPtr,omitempty"`
	OmitZero       time.Time         `json:"omitZero,omitzero"`
	OmitZeroer     zeroer            `json:"omitZeroer,omitzero"`
	Quoted         int               `json:"quoted,string"`
	QuotedStr      string            `json:"quotedStr,string"`
	QuotedPtr      *float64          `json:"quotedPtr,string"`
	QuotedBool     bool              `json:",string"`
	Floats         []float64         `json:"floats"`
	F32            float32           `json:"f32"`
	Any            any               `json:"any"`
	Ptr            *Inner            `json:"ptr"`
	NilPtr         *Inner            `json:"nilPtr"`
	Slice          []Inner           `json:"slice"`
	NilSlice       []int             `json:"nilSlice"`
	Array          [3]int8           `json:"array"`
	ByteArray      [2]byte           `json:"byteArray"`
	IntMap         map[int]string    `json:"intMap"`
	UintMap        map[uint8]bool    `json:"uintMap"`
	TextMap        map[textKey]int   `json:"textMap"`
	NilMap         map[string]int    `json:"nilMap"`
	ValM           valMarshaler      `json:"valM"`
	PtrM           ptrMarshaler      `json:"ptrM"`
	PtrMPtr        *ptrMarshaler     `json:"ptrMPtr"`
	PtrText        ptrText           `json:"ptrText"`
	Text           textKey           `json:"text"`
	Raw            json.RawMessage   `json:"raw"`
	Number         json.Number       `json:"number"`
	Time           time.Time         `json:"time"`
	IP             net.IP            `json:"ip"`
	Dur            time.Duration     `json:"dur"`
	Iface          fmt.Stringer      `json:"iface"`
	MapOfSlices    map[string][]int  `json:"mapOfSlices"`
	Strs           map[string]string `json:"strs"`
	Unicode        string            `json:"ünï"`
	Punct          int               `json:"a-b.c d"`
	BadTag         int               `json:"a\"b"`
	unexported     int
	Interface      any `json:"interface"`
	PtrToInterface *any
}

func sampleOuter() Outer {
	one := 1
	f := 2.5
	var anyv any = map[string]any{"k": []any{1.0, "x"}}
	o := Outer{
		Embedded:       Embedded{E1: 1, E2: "two", X: 3},
		Inner:          &Inner{A: 4},
		embeddedLower:  embeddedLower{Promoted: 5, hidden: 6},
		Deep:           Deep{Deeper{DeepField: "deep", Ambiguous: 7, TaggedWins: 8}},
		Other:          Other{Ambiguous: 9, TW: 10, Untagged: 11},
		X:              "outer x",
		Renamed:        12,
		Skip:           13,
		Dash:           14,
		OmitPtr:        &one,
		OmitZeroer:     zeroer{42},
		Quoted:         15,
		QuotedStr:      `q"s`,
		QuotedPtr:      &f,
		QuotedBool:     true,
		Floats:         []float64{0, -0.0, 1, -1.5, 1e20, 1e21, 1e-6, 1e-7, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64},
		F32:            float32(1) / 3,
		Any:            []any{"s", 1.5, true, nil, map[string]any{"b": 1, "a": 2}},
		Ptr:            &Inner{A: 16, B: "b"},
		Slice:          []Inner{{A: 1}, {A: 2, B: "x"}},
		Array:          [3]int8{-1, 0, 1},
		ByteArray:      [2]byte{7, 8},
		IntMap:         map[int]string{10: "ten", -2: "minus two", 3: "three"},
		UintMap:        map[uint8]bool{200: true, 1: false},
		TextMap:        map[textKey]int{{1, 2}: 3, {0, 9}: 4},
		ValM:           valMarshaler{17},
		PtrM:           ptrMarshaler{18},
		PtrMPtr:        &ptrMarshaler{19},
		PtrText:        ptrText{"t"},
		Text:           textKey{5, 6},
		Raw:            json.RawMessage(` {"z": [1, 2] , "a":null} `),
		Number:         "12.5e3",
		Time:           time.Date(2024, 2, 3, 4, 5, 6, 7, time.UTC),
		IP:             net.IPv4(10, 0, 0, 1),
		Dur:            time.Second,
		Iface:          time.Duration(5),
		MapOfSlices:    map[string][]int{"b": {1}, "a": nil, "c": {}},
		Strs:           map[string]string{"é": "\x00\x1f\"\\/\b\f\n\r\t", "<": ">&"},
		Unicode:        "ünï",
		Punct:          20,
		BadTag:         21,
		unexported:     22,
		Interface:      &Inner{A: 23},
		PtrToInterface: &anyv,
	}
	return o
}

// jsonOf is encoding/json's text for v without HTML escaping (EncodeArgs
// escapes strings as JSON.stringify does).
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// encodeOne returns EncodeArgs' text for one argument (without the array).
func encodeOne(t *testing.T, v any) (string, [][]byte) {
	t.Helper()
	data, att, err := parser.EncodeArgs([]any{v})
	if err != nil {
		t.Fatalf("EncodeArgs(%T): %v", v, err)
	}
	return string(data[1 : len(data)-1]), att
}

// TestEncodeArgsLikeEncodingJSON: for values without byte slices,
// EncodeArgs writes exactly what encoding/json writes (without HTML
// escaping): the same members in the same order, the same numbers, the
// marshalers' output.
func TestEncodeArgsLikeEncodingJSON(t *testing.T) {
	o := sampleOuter()
	var zero Outer
	zero.OmitZeroer = zeroer{1}
	cyclicOK := &node{Name: "a", Next: &node{Name: "b"}}
	values := []any{
		o, &o, zero, []Outer{o}, map[string]Outer{"o": o}, [1]Outer{o},
		Inner{}, &Inner{A: 1}, (*Inner)(nil), cyclicOK,
		struct{}{}, struct{ A, b int }{1, 2},
		map[string]any{}, []any{}, []int(nil), map[string]int(nil),
		valMarshaler{1}, &valMarshaler{2}, ptrMarshaler{3}, &ptrMarshaler{4},
		ptrText{"x"}, &ptrText{"y"}, textKey{1, 2},
		json.RawMessage(`{"b":1,"a":2}`), json.Number("1"), json.Number(""),
		float32(0.1), float32(1e21), float32(1e-7), 3.0, -0.0, 1e-320,
		int8(-8), uint16(16), uintptr(7), "plain", true,
		map[int64]int{-1: 1, 5: 2},
		[][]int{{1}, nil, {}}, [0]int{},
		struct {
			P **int
			Q *string `json:",omitempty"`
		}{},
		time.Date(2000, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600)),
	}
	for _, v := range values {
		got, att := encodeOne(t, v)
		if att != nil {
			t.Errorf("%T: attachments %v", v, att)
		}
		if want := jsonOf(t, v); got != want {
			t.Errorf("EncodeArgs(%T) =\n%s\nencoding/json:\n%s", v, got, want)
		}
	}
	// twice: the second time from the cache
	if got, want := mustEncode(t, o), jsonOf(t, o); got != want {
		t.Errorf("cached encoder differs:\n%s\n%s", got, want)
	}
}

func mustEncode(t *testing.T, v any) string { s, _ := encodeOne(t, v); return s }

type node struct {
	Name string `json:"name"`
	Next *node  `json:"next,omitempty"`
}

// TestEncodeArgsEscaping: strings everywhere (values, keys, tag names,
// text marshalers) are escaped as JSON.stringify escapes them.
func TestEncodeArgsEscaping(t *testing.T) {
	type s struct {
		V string            `json:"<v>"`
		M map[string]string `json:"m"`
		Q string            `json:"q,string"`
	}
	got := mustEncode(t, s{V: "<&>\u2028\xff\x01", M: map[string]string{"\u2029&": "x"}, Q: "<"})
	want := `{"<v>":"<&>` + "\u2028\ufffd" + `\u0001","m":{"` + "\u2029" + `&":"x"},"q":"\"<\""}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestEncodeArgsErrors: what encoding/json rejects, EncodeArgs rejects.
func TestEncodeArgsErrors(t *testing.T) {
	type withChan struct{ C chan int }
	type badKey map[[2]int]int
	for _, v := range []any{
		math.NaN(), math.Inf(1), float32(math.Inf(-1)), withChan{C: make(chan int)}, complex(1, 2),
		badKey{}, json.Number("1x"), json.RawMessage(`{`), struct{ F func() }{func() {}},
		failing{}, map[string]any{"x": []any{math.NaN()}}, map[bool]int(nil),
	} {
		_, _, err := parser.EncodeArgs([]any{"ok", v})
		if err == nil {
			t.Errorf("EncodeArgs(%T) succeeded", v)
		}
		if _, jerr := json.Marshal(v); jerr == nil {
			t.Errorf("encoding/json accepts %T", v)
		}
	}
}

type failing struct{}

func (failing) MarshalJSON() ([]byte, error) { return nil, errors.New("no") }

// TestEncodeArgsDepth: one limit, MaxDepth, for both directions. A payload
// the decoder accepts encodes again; one level more is ErrTooDeep, and so
// is a cycle, through containers or through pointers alone.
func TestEncodeArgsDepth(t *testing.T) {
	nested := func(levels int) any { // levels arrays inside the payload's
		var v any = "x"
		for range levels {
			v = []any{v}
		}
		return v
	}
	// the payload array is level 1: MaxDepth-1 levels inside it fit
	data, _, err := parser.EncodeArgs([]any{nested(parser.MaxDepth - 1)})
	if err != nil {
		t.Fatalf("MaxDepth levels: %v", err)
	}
	p, err := parser.Decode(append([]byte("3"+"0"), data...)) // an ACK with id 0
	if err != nil {
		t.Fatalf("decoding what was encoded: %v", err)
	}
	args, err := parser.NewArgs(p.Data, nil)
	if err != nil {
		t.Fatal(err)
	}
	// the echo of what was received: generically and verbatim
	for _, echo := range [][]any{args.Values(), {args}} {
		back, _, err := parser.EncodeArgs(echo)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("echo of a MaxDepth payload: %v", err)
		}
	}
	if _, err := parser.Decode(append([]byte("30["), data...)); !errors.Is(err, parser.ErrInvalidPayload) ||
		!strings.Contains(err.Error(), "MaxDepth") {
		t.Fatalf("MaxDepth+1 decoded: %v", err)
	}
	if _, _, err := parser.EncodeArgs([]any{nested(parser.MaxDepth)}); !errors.Is(err, parser.ErrTooDeep) {
		t.Fatalf("MaxDepth+1 levels: %v", err)
	}
	// an Arg nested under more levels than it came with
	if _, _, err := parser.EncodeArgs([]any{[]any{args.Arg(0)}}); !errors.Is(err, parser.ErrTooDeep) {
		t.Fatalf("Arg pushed past MaxDepth: %v", err)
	}
	chain := func(n int) *node { // n nested objects
		var head *node
		for range n {
			head = &node{Name: "n", Next: head}
		}
		return head
	}
	if _, _, err := parser.EncodeArgs([]any{chain(parser.MaxDepth - 1)}); err != nil {
		t.Fatalf("MaxDepth levels of structs: %v", err)
	}
	if _, _, err := parser.EncodeArgs([]any{chain(parser.MaxDepth)}); !errors.Is(err, parser.ErrTooDeep) {
		t.Fatalf("MaxDepth+1 levels of structs: %v", err)
	}
	cyc := &node{Name: "c"}
	cyc.Next = cyc
	var self any
	self = &self
	type P *P
	var p2 P
	p2 = &p2
	m := map[string]any{}
	m["m"] = m
	for _, v := range []any{cyc, self, p2, m} {
		if _, _, err := parser.EncodeArgs([]any{v}); !errors.Is(err, parser.ErrTooDeep) {
			t.Errorf("cycle %T: %v", v, err)
		}
	}
}

func TestEncodeArgsDepthMarshaler(t *testing.T) {
	deep := json.RawMessage(strings.Repeat("[", parser.MaxDepth-1) + strings.Repeat("]", parser.MaxDepth-1))
	if _, _, err := parser.EncodeArgs([]any{deep}); err != nil {
		t.Fatalf("MaxDepth levels: %v", err)
	}
	if _, _, err := parser.EncodeArgs([]any{[]any{deep}}); !errors.Is(err, parser.ErrTooDeep) {
		t.Fatalf("MaxDepth+1 levels through MarshalJSON: %v", err)
	}
}

func TestEncodeArgsNoSharedState(t *testing.T) {
	// encoders are cached per type and used concurrently
	done := make(chan string, 8)
	for range 8 {
		go func() {
			o := sampleOuter()
			s, _, _ := parser.EncodeArgs([]any{o, reflect.ValueOf(0).Interface()})
			done <- string(s)
		}()
	}
	first := <-done
	for range 7 {
		if s := <-done; s != first {
			t.Fatal("concurrent encodings differ")
		}
	}
}

// Embedding cases of Go's rules as encoding/json applies them.

type A1 struct{ Same, OnlyA int }
type B1 struct{ Same, OnlyB int }
type TaggedSame struct {
	Same int `json:"Same"`
}
type Diamond struct {
	A1
	Left
	Right
}
type Left struct{ Shared }
type Right struct{ Shared }
type Shared struct{ S int }
type MyInt int
type myInt int
type inner2 struct{ Exported int }
type WithTaggedEmbed struct {
	A1 `json:"a1"`
	B1
}

func TestEncodeArgsEmbeddingLikeEncodingJSON(t *testing.T) {
	values := []any{
		struct {
			A1
			B1
		}{A1{1, 2}, B1{3, 4}}, // Same is ambiguous: dropped
		struct {
			A1
			TaggedSame
		}{A1{1, 2}, TaggedSame{5}}, // the tagged one wins
		Diamond{A1{1, 2}, Left{Shared{3}}, Right{Shared{4}}}, // S reached twice at one depth
		struct {
			*A1
			*B1
		}{&A1{1, 2}, nil}, // fields of a nil embedded pointer are left out
		struct {
			MyInt
			myInt
		}{1, 2}, // an exported non-struct is a field; an unexported one is not
		struct{ *inner2 }{&inner2{7}},
		struct{ *inner2 }{},
		WithTaggedEmbed{A1{1, 2}, B1{3, 4}},
		struct {
			fmt.Stringer
			Same int
		}{time.Duration(1), 9},
		struct {
			A1
			Same string // shallower: wins
		}{A1{1, 2}, "top"},
		struct {
			Deep
			Deeper // DeepField at depth 1 here, depth 2 through Deep
		}{Deep{Deeper{DeepField: "d2"}}, Deeper{DeepField: "d1"}},
	}
	for _, v := range values {
		if got, want := mustEncode(t, v), jsonOf(t, v); got != want {
			t.Errorf("EncodeArgs(%T) =\n%s\nencoding/json:\n%s", v, got, want)
		}
	}
}
