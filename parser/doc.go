// Package parser implements the Socket.IO protocol v5 packet codec, the
// default format of socket.io-parser 4.2.x used by socket.io 4.x.
//
// A packet is written as one Engine.IO text message
//
//	<type>[<attachments>-][<nsp>,][<id>][<JSON payload>]
//
// followed, for BinaryEvent and BinaryAck, by one Engine.IO binary message per
// attachment. Binary values inside the payload are replaced by placeholder
// objects {"_placeholder":true,"num":i}, where i indexes the attachments.
//
// The package is pure: it does no I/O, starts no goroutines and keeps no
// package-level mutable state besides caches (the encoder and the fields
// of each Go type, as encoding/json keeps). Payloads stay raw JSON
// ([encoding/json.RawMessage]). [EncodeArgs] writes Go values as a payload,
// byte slices at any depth as attachments; [Args] decodes one lazily, the
// attachments going back into byte slices at any depth, and re-encodes as
// received ([Arg]) for relaying. [MaxDepth] bounds the nesting both ways.
//
// Every decoding error is final for the connection that produced it: the
// reference server closes the whole Engine.IO connection ("forced close"), and
// the reference client closes with "parse error".
package parser
