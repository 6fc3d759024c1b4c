// Package session is the vocabulary the Engine.IO server and client share:
// the Handler that receives a session's messages, the transport names and
// the close reasons. It has no code of its own, so the client can name
// these without linking the server.
package session
