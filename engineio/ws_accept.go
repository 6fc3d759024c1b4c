package engineio

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net"
	"net/http"
)

// acceptWebSocket validates the upgrade request, hijacks the connection and
// writes the 101 response with hdr, followed by first (frames to send at
// once, may be nil). On failure it answers with an HTTP error and returns
// nil. It returns the connection, the reader of what the client sends
// (conn itself unless bytes came with the request) and the deflate
// threshold.
func (srv *Server) acceptWebSocket(w http.ResponseWriter, r *http.Request, hdr http.Header, first []byte) (net.Conn, io.Reader, int) {
	if !headerHasToken(r.Header, "Connection", "upgrade") {
		srv.refuse(w, r, true, CodeBadRequest, map[string]string{"name": ContextTransportHandshakeError, "message": "Missing or invalid Connection header"})
		return nil, nil, 0
	}
	if r.Header.Get("Sec-WebSocket-Version") != "13" {
		w.Header().Set("Sec-WebSocket-Version", "13")
		http.Error(w, "Unsupported WebSocket version", http.StatusUpgradeRequired)
		return nil, nil, 0
	}
	key := r.Header.Get("Sec-WebSocket-Key")
	if raw, err := base64.StdEncoding.DecodeString(key); err != nil || len(raw) != 16 {
		srv.refuse(w, r, true, CodeBadRequest, map[string]string{"name": ContextTransportHandshakeError, "message": "Missing or invalid Sec-WebSocket-Key header"})
		return nil, nil, 0
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, errNotHijacker.Error(), http.StatusNotImplemented)
		return nil, nil, 0
	}
	deflate := 0
	if srv.cfg.PerMessageDeflate != nil && negotiateDeflate(r.Header) {
		deflate = srv.cfg.deflateMin
		hdr.Set("Sec-WebSocket-Extensions", deflateResponse)
	}
	var rd io.Reader = conn
	if n := brw.Reader.Buffered(); n > 0 {
		// The client sent frames right behind its request.
		early, _ := brw.Reader.Peek(n)
		rd = io.MultiReader(bytes.NewReader(bytes.Clone(early)), conn)
	}
	buf := getBuffer(256 + len(first))
	b := append(buf.b[:0], "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	b = appendAcceptKey(b, key)
	b = append(b, "\r\n"...)
	if len(hdr) > 0 {
		hw := &sliceWriter{b: b}
		hdr.Write(hw) // sanitizes CR/LF in values
		b = hw.b
	}
	b = append(b, "\r\n"...)
	b = append(b, first...)
	conn.SetWriteDeadline(timeNow().Add(srv.cfg.WriteTimeout))
	_, err = conn.Write(b)
	buf.b = b
	putBuffer(buf)
	if err != nil {
		conn.Close()
		return nil, nil, 0
	}
	return conn, rd, deflate
}

const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// appendAcceptKey appends the Sec-WebSocket-Accept value for key: the
// base64 of the SHA-1 of key and the WebSocket GUID.
func appendAcceptKey(b []byte, key string) []byte {
	var in [24 + len(websocketGUID)]byte // a valid key is 24 characters
	sum := sha1.Sum(append(append(in[:0], key...), websocketGUID...))
	return base64.StdEncoding.AppendEncode(b, sum[:])
}
