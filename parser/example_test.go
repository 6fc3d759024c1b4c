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
