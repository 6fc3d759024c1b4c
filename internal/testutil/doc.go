// Package testutil holds raw-protocol clients for the robustness tests of
// the Engine.IO and Socket.IO servers (docs/robustness.md, section 5).
//
// Real WebSocket and HTTP libraries refuse to emit malformed traffic, so the
// helpers here build it by hand on a plain net.Conn:
//
//   - Frame and AppendFrame build WebSocket frames with any FIN/RSV bits,
//     opcode, mask (or none) and declared length, including lengths that do
//     not match the payload; ReadFrame parses the server's frames.
//   - Conn is a raw TCP connection to the server with a buffered reader:
//     write hand-made HTTP requests (UpgradeRequest), read responses
//     (ReadResponse), and exchange frames (WriteFrame, ReadFrame,
//     ExpectClose). DialWebSocket performs a well-formed handshake and checks
//     the 101 and Sec-WebSocket-Accept.
//   - Polling is a small Engine.IO v4 long-polling client (handshake, GET,
//     POST, echo round trip) on a caller-supplied http.Client.
//   - HeapInuse and LogWatch support the memory and "no panic" gates.
//
// Everything dials 127.0.0.1 addresses given by the caller; nothing here
// starts goroutines that outlive the call that started them, except where a
// function documents it.
package testutil
