package msgpack_test

import (
	"fmt"

	"github.com/gosio/socketio/parser"
	"github.com/gosio/socketio/parser/msgpack"
)

// A server and a client choose the format in their options:
//
//	io := socketio.NewServer(&socketio.Options{Parser: msgpack.Parser{}})
//	m := client.NewManager(url, &client.Options{Parser: msgpack.Parser{}})
//
// Underneath, a packet with binary data becomes one MessagePack message and
// comes back as the packet the rest of gosio works on.
func ExampleParser() {
	p, _ := parser.NewEvent("/", "file", []any{"a.bin", []byte{1, 2, 3}})
	text, bins, _ := msgpack.Parser{}.Encode(p)
	fmt.Printf("text message: %v, binary messages: %d, %d bytes\n", text != nil, len(bins), len(bins[0]))

	q, _ := msgpack.Decode(bins[0])
	fmt.Println(q.Type, string(q.Data), q.Attachments)
	// Output:
	// text message: false, binary messages: 1, 35 bytes
	// BINARY_EVENT ["file","a.bin",{"_placeholder":true,"num":0}] [[1 2 3]]
}
