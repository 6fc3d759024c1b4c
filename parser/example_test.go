package parser_test

import (
	"fmt"

	"github.com/gosio/socketio/parser"
)

func Example() {
	// Encode an event with one binary argument: the text part, then one
	// binary message per attachment.
	data, attachments, err := parser.EncodeArgs([]any{"upload", "a.bin", []byte{1, 2, 3}})
	if err != nil {
		panic(err)
	}
	p := parser.Packet{Type: parser.BinaryEvent, Nsp: "/files", ID: 7, HasID: true, Data: data, Attachments: attachments}
	text, err := p.AppendText(nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s + %d binary message(s)\n", text, len(attachments))

	// Decode the same messages as they arrive on a connection.
	d := parser.NewDecoder(parser.Limits{})
	got, err := d.Add(text, false)
	fmt.Println(got, err) // nil <nil>: an attachment is awaited
	got, err = d.Add(attachments[0], true)
	if err != nil {
		panic(err) // a real server closes the connection here
	}
	name, _ := parser.EventName(got.Data)
	args, _ := parser.SplitArray(got.Data)
	num, _ := parser.Placeholder(args[2])
	fmt.Println(got.Type, got.Nsp, got.ID, name, got.Attachments[num])

	// Malformed input is an error.
	_, err = parser.Decode([]byte(`2["connect"]`))
	fmt.Println(err)
	// Output:
	// 51-/files,7["upload","a.bin",{"_placeholder":true,"num":0}] + 1 binary message(s)
	// <nil> <nil>
	// BINARY_EVENT /files 7 upload [1 2 3]
	// socketio: invalid payload: event name must be a number or a non-reserved string
}

func ExampleEncodeArgs_binaryInStructs() {
	type Thumb struct {
		Data []byte `json:"data"`
	}
	type Upload struct {
		Name  string `json:"name"`
		Data  []byte `json:"data"`
		Thumb *Thumb `json:"thumb"`
	}
	data, attachments, _ := parser.EncodeArgs([]any{"file", Upload{Name: "a.png", Data: []byte{1, 2, 3}, Thumb: &Thumb{Data: []byte{4}}}})
	fmt.Printf("%s %v\n", data, attachments)

	// and back, each attachment in its place
	args, _ := parser.NewArgs(data, attachments)
	var u Upload
	args.Decode(1, &u)
	fmt.Println(u.Name, u.Data, u.Thumb.Data)
	// Output:
	// ["file",{"name":"a.png","data":{"_placeholder":true,"num":0},"thumb":{"data":{"_placeholder":true,"num":1}}}] [[1 2 3] [4]]
	// a.png [1 2 3] [4]
}

func ExampleArgs_relay() {
	// What a JavaScript client sent: keys in its own order, binary inside.
	received, _ := parser.NewArgs([]byte(`["msg",{"to":"b","body":{"_placeholder":true,"num":0},"at":1.50}]`), [][]byte{{7}})
	args := received.From(1)

	// Relayed after an argument of our own, with binary too: the same
	// text, the placeholder renumbered.
	data, attachments, _ := parser.EncodeArgs([]any{"relayed", []byte{1}, args})
	fmt.Printf("%s %v\n", data, attachments)
	// Output:
	// ["relayed",{"_placeholder":true,"num":0},{"to":"b","body":{"_placeholder":true,"num":1},"at":1.50}] [[1] [7]]
}
