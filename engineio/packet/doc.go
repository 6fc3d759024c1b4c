// Package packet encodes and decodes Engine.IO protocol v4 packets and
// HTTP long-polling payloads, and those of protocol v3 (v3.go).
//
// The package is pure: it does no I/O and starts no goroutines. Decoding
// slices its input instead of copying it, so a decoded Packet's Data aliases
// the buffer it was decoded from; callers that reuse that buffer must copy.
//
// Wire format (https://github.com/socketio/engine.io-protocol, v4):
//
//	text packet     <type digit><data>          e.g. "4hello"
//	binary packet   raw bytes (WebSocket binary frame), or
//	                "b" + standard base64 of the bytes (polling payload)
//	payload         packets joined by the record separator 0x1e
package packet
