// The sockets of REMOTE_FETCH answers: a socket and its handshake as
// Node's socket.io lists them, both ways.

package wire

import (
	"encoding/json"
	"net/textproto"
	"strings"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/internal/notepack"
)

// Socket is a socket in a REMOTE_FETCH response, as the Node adapter
// writes it: {id, handshake, rooms, data}.
type Socket struct {
	ID        string          `json:"id"`
	Handshake *Handshake      `json:"handshake"`
	Rooms     StrList         `json:"rooms"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// Handshake is Node's socket.handshake.
type Handshake struct {
	Headers map[string]any `json:"headers"`
	Time    string         `json:"time"`
	Address string         `json:"address"`
	XDomain bool           `json:"xdomain"`
	Secure  bool           `json:"secure"`
	Issued  float64        `json:"issued"`
	URL     string         `json:"url"`
	Query   map[string]any `json:"query"`
	Auth    map[string]any `json:"auth"`
}

// emptyData is socket.data of a Node socket that never set it.
var emptyData = json.RawMessage("{}")

// SocketToWire converts a socket of this node into what Node lists for
// its own sockets: data {} when it was never set, the handshake as in
// NodeHandshake.
func SocketToWire(s adapter.SocketInfo) Socket {
	w := Socket{ID: s.ID, Rooms: NonNil(s.Rooms)}
	if s.Data == nil {
		w.Data = emptyData
	} else if b, err := json.Marshal(s.Data); err == nil {
		w.Data = b
	}
	if s.Handshake != nil {
		w.Handshake = NodeHandshake(s.Handshake)
	}
	return w
}

// NodeHandshake is h as socket.io 4.8 builds socket.handshake: headers
// as Node's http module lists them (NodeHeaders), time as Date.toString()
// prints it (a Node peer's text kept verbatim), query with one string per
// name (the last one, as engine.io's Object.fromEntries keeps), auth {}
// when there is none.
func NodeHandshake(h *adapter.Handshake) *Handshake {
	wh := &Handshake{
		Headers: NodeHeaders(h.Headers),
		Time:    h.TimeText,
		Address: h.Address,
		XDomain: h.XDomain,
		Secure:  h.Secure,
		Issued:  float64(h.Issued),
		URL:     h.URL,
		Query:   make(map[string]any, len(h.Query)),
		Auth:    h.Auth,
	}
	if wh.Time == "" {
		wh.Time = JSDateString(h.Time)
	}
	if h.Issued == 0 {
		wh.Issued = float64(h.Time.UnixMilli())
	}
	if wh.Auth == nil {
		wh.Auth = map[string]any{}
	}
	for k, vs := range h.Query {
		if len(vs) > 0 {
			wh.Query[k] = vs[len(vs)-1]
		}
	}
	return wh
}

// nodeSingleHeaders are the request headers of which Node's http module
// keeps the first value only (IncomingMessage.headers; checked against
// Node 20).
var nodeSingleHeaders = map[string]bool{
	"age": true, "authorization": true, "content-length": true, "content-type": true,
	"etag": true, "expires": true, "from": true, "host": true, "if-modified-since": true,
	"if-unmodified-since": true, "last-modified": true, "location": true,
	"max-forwards": true, "proxy-authorization": true, "referer": true,
	"retry-after": true, "server": true, "user-agent": true,
}

// NodeHeaders lists request headers as Node's http module does: lower-case
// names; set-cookie a list of strings; repeated cookie values joined with
// "; "; the first value of the nodeSingleHeaders; any other repeated
// header joined with ", ". Every value but set-cookie is a string.
func NodeHeaders(h map[string][]string) map[string]any {
	out := make(map[string]any, len(h))
	for k, vs := range h {
		if len(vs) == 0 {
			continue
		}
		k = strings.ToLower(k)
		// Two keys of h may differ only in case (a map built by hand):
		// their values follow each other, as Node sees repeated lines.
		if prev, ok := out[k]; ok {
			switch p := prev.(type) {
			case string:
				vs = append([]string{p}, vs...)
			case []string:
				vs = append(append([]string(nil), p...), vs...)
			}
		}
		switch {
		case k == "set-cookie":
			out[k] = append([]string(nil), vs...)
		case k == "cookie":
			out[k] = strings.Join(vs, "; ")
		case nodeSingleHeaders[k]:
			out[k] = vs[0]
		default:
			out[k] = strings.Join(vs, ", ")
		}
	}
	return out
}

// JSDateString is t as JavaScript's Date.prototype.toString prints it in
// UTC (Node with TZ=UTC): "Tue Dec 01 2026 09:00:00 GMT+0000 (Coordinated
// Universal Time)". V8 names other zones from ICU data Go does not have,
// so the time is always given in UTC; it is the same instant.
func JSDateString(t time.Time) string {
	return t.UTC().Format("Mon Jan 02 2006 15:04:05") + " GMT+0000 (Coordinated Universal Time)"
}

// ParseJSDate parses Date.prototype.toString output in any zone
// ("... GMT+0100 (Central European Standard Time)"); the zone name in
// parentheses is ignored, the offset is used.
func ParseJSDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	t, err := time.Parse("Mon Jan 02 2006 15:04:05 GMT-0700", s)
	return t, err == nil
}

// AnyStrings returns the strings of a decoded JSON string or list.
func AnyStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// info converts a socket of another node. The handshake keeps the
// node's time string in TimeText, verbatim; headers are keyed as net/http
// canonicalises them.
func (w Socket) Info() adapter.SocketInfo {
	in := adapter.SocketInfo{ID: w.ID, Rooms: w.Rooms}
	if len(w.Data) > 0 && string(w.Data) != "null" {
		var d any
		if json.Unmarshal(w.Data, &d) == nil {
			in.Data = d
		}
	}
	if h := w.Handshake; h != nil {
		hs := &adapter.Handshake{
			Headers:  make(map[string][]string, len(h.Headers)),
			TimeText: h.Time,
			Address:  h.Address,
			XDomain:  h.XDomain,
			Secure:   h.Secure,
			URL:      h.URL,
			Query:    make(map[string][]string, len(h.Query)),
			Auth:     h.Auth,
		}
		if h.Issued > 0 && h.Issued < 1<<53 {
			hs.Time = time.UnixMilli(int64(h.Issued))
		} else if t, ok := ParseJSDate(h.Time); ok {
			hs.Time = t
		}
		hs.Issued = hs.Time.UnixMilli()
		for k, v := range h.Headers {
			ck := textproto.CanonicalMIMEHeaderKey(k)
			hs.Headers[ck] = append(hs.Headers[ck], AnyStrings(v)...)
		}
		for k, v := range h.Query {
			hs.Query[k] = append(hs.Query[k], AnyStrings(v)...)
		}
		if hs.Auth == nil {
			hs.Auth = map[string]any{}
		}
		in.Handshake = hs
	}
	return in
}

// SocketValue is SocketToWire(s) as a notepack value, for the
// MessagePack-encoded fetchSockets answers of the ClusterAdapter wire.
func SocketValue(s adapter.SocketInfo) any {
	b, err := json.Marshal(SocketToWire(s))
	if err != nil {
		return notepack.Map{{Key: "id", Val: s.ID}}
	}
	v, err := notepack.FromJSON(b, nil)
	if err != nil {
		return notepack.Map{{Key: "id", Val: s.ID}}
	}
	return v
}

// SocketFromValue converts a socket of another node's fetchSockets answer,
// decoded from JSON or MessagePack; binary values in its data arrive as
// Node's Buffer.toJSON form. It reports false for a value that is not a
// socket.
func SocketFromValue(v any) (adapter.SocketInfo, bool) {
	if _, ok := v.(notepack.Map); !ok {
		return adapter.SocketInfo{}, false
	}
	b, err := notepack.AppendJSON(nil, v, nil)
	if err != nil {
		return adapter.SocketInfo{}, false
	}
	var w Socket
	if json.Unmarshal(b, &w) != nil || w.ID == "" {
		return adapter.SocketInfo{}, false
	}
	return w.Info(), true
}
