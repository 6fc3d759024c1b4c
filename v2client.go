package socketio

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"

	"github.com/gosio/socketio/engineio/packet"
	"github.com/gosio/socketio/parser"
)

// Socket.IO v2 clients. They speak Engine.IO v3, which the engine serves
// with Options.Engine.AllowEIO3, and an older Socket.IO protocol that the
// server meets as Node's socket.io 4 does for such a connection
// (conn.protocol === 3):
//
//   - the connection joins "/" by itself: the client sends no CONNECT
//     for it (connectImplicitRoot);
//   - a namespace CONNECT carries the namespace's query string,
//     "0/admin?token=abc,", which becomes handshake.auth
//     ({"token":"abc"}); the namespace of every packet is the path part
//     (normalizeV2Namespace);
//   - the CONNECT reply has no payload (connectReply);
//   - a refused CONNECT gets err.data, or else err.message, as the
//     CONNECT_ERROR payload, not {message, data} (v2ConnectError);
//   - a socket's id is the engine id on "/" and "<nsp>#<engine id>"
//     elsewhere (socketID).

// connectImplicitRoot connects a v2 client to "/" as if it had sent the
// CONNECT, on the connection's handler goroutine (Node: client.connect("/")
// when the engine connection opens).
func (c *client) connectImplicitRoot() {
	c.tasks.Push(func() { c.process(&parser.Packet{Type: parser.Connect, Nsp: "/"}, 0) })
}

// socketID returns the id of a new socket of the connection on nsp.
func (c *client) socketID(nsp string) string {
	switch {
	case !c.eio3:
		return c.srv.engine.NewID() // Node: the engine id is not to be shared
	case nsp == "/":
		return c.conn.ID()
	}
	return nsp + "#" + c.conn.ID()
}

// normalizeV2Namespace rewrites p as Node reads a v2 client's packet: the
// namespace is the path of the URL the name resolves to against
// https://socket.io, and a CONNECT's payload is the name's query string as
// an object of strings (the last value of a repeated name wins, as with
// Object.fromEntries). A CONNECT without a query gets the empty object.
func normalizeV2Namespace(p *parser.Packet) {
	if strings.ContainsAny(p.Nsp, "?#%\\.") || !printableASCII(p.Nsp) {
		name, query := v2NamespaceURL(p.Nsp)
		p.Nsp = name
		if p.Type == parser.Connect {
			p.Data = v2Auth(query)
			return
		}
	}
	if p.Type == parser.Connect {
		p.Data = nil // the auth is the query, and there is none
	}
}

// v2NamespaceURL splits a namespace name as new URL(name,
// "https://socket.io") does: the escaped path, and the raw query.
func v2NamespaceURL(name string) (path, rawQuery string) {
	name = strings.ReplaceAll(name, "\\", "/") // WHATWG reads "\" as "/" in http(s) URLs
	base := &url.URL{Scheme: "https", Host: "socket.io", Path: "/"}
	ref, err := url.Parse(name)
	if err != nil {
		// Not a URL Go parses (a bad escape): keep the path part as is.
		path, rawQuery, _ = strings.Cut(name, "?")
		path, _, _ = strings.Cut(path, "#")
		return path, rawQuery
	}
	u := base.ResolveReference(ref)
	path = u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return path, u.RawQuery
}

// v2Auth returns a query string as a JSON object of strings, decoded as
// URLSearchParams decodes it ("+" is a space; a bad escape stays as is).
func v2Auth(rawQuery string) json.RawMessage {
	auth := map[string]string{}
	for rawQuery != "" {
		var kv string
		kv, rawQuery, _ = strings.Cut(rawQuery, "&")
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		auth[formUnescape(k)] = formUnescape(v)
	}
	data, _ := json.Marshal(auth)
	return data
}

func formUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return strings.ReplaceAll(s, "+", " ")
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// v2ConnectError returns the CONNECT_ERROR a v2 client gets for a
// connection refused on nsp with err: the payload is err.data if it is
// truthy in JavaScript terms, else err.message (Node:
// socket._error(err.data || err.message)).
func v2ConnectError(nsp string, err error) []packet.Packet {
	var v any = err.Error()
	if ce, ok := err.(*ConnectError); ok && truthy(ce.Data) {
		v = ce.Data
	}
	data, merr := json.Marshal(v)
	if merr != nil {
		data, _ = json.Marshal(err.Error())
	}
	// Written by hand: the payload may be any JSON value (an array, a
	// number), which the v5 encoder refuses for CONNECT_ERROR.
	text := make([]byte, 0, 2+len(nsp)+len(data))
	text = append(text, '0'+byte(parser.ConnectError))
	if nsp != "/" {
		text = append(text, nsp...)
		text = append(text, ',')
	}
	text = append(text, data...)
	return []packet.Packet{{Type: packet.Message, Data: text}}
}

// truthy reports whether v would be true in a JavaScript condition: not
// null, false, 0 or "".
func truthy(v any) bool {
	if v == nil {
		return false
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Bool, reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return !r.IsZero()
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return !r.IsNil() // an empty object or array is truthy
	}
	return true
}
