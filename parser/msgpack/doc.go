// Package msgpack is the Socket.IO wire format of the npm package
// socket.io-msgpack-parser 3.0.2 (protocol 5), for servers and clients
// whose peers use it on both ends:
//
//	io := socketio.NewServer(&socketio.Options{Parser: msgpack.Parser{}})
//	m := client.NewManager(url, &client.Options{Parser: msgpack.Parser{}})
//
// Each packet is one MessagePack map {type, nsp, data, id} (notepack.io
// 2.2.0 conventions) sent as one binary Engine.IO message: a WebSocket
// binary frame, or a base64 "b" part of a polling payload. There are no
// attachments: binary values are MessagePack bin (or ext 0, an
// ArrayBuffer) where they stand, at any depth, and the types are only
// CONNECT, DISCONNECT, EVENT, ACK and CONNECT_ERROR.
//
// The codec maps that form to and from the Packet the rest of gosio works
// on (see parser.Parser): decoding writes data as JSON, a bin becoming a
// placeholder {"_placeholder":true,"num":i} and Attachments[i], and an
// EVENT or ACK with binaries becoming BinaryEvent or BinaryAck; encoding
// writes placeholders back as bin and the binary types as EVENT and ACK.
// Numbers keep their value both ways for everything JavaScript can hold:
// integers are written in their smallest integer form and other numbers
// as float64, as notepack.io does; decoded integers are written in full,
// floats in their shortest form. NaN and infinities, which JSON cannot
// hold, become null, as JSON.stringify makes them.
//
// The package is pure: no I/O, no goroutines, no package state. The core
// packages do not import it: an application that does not use it links
// none of it.
package msgpack
