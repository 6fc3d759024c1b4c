package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gosio/socketio"
)

// serializedSocket is a socket as the UI lists it (Node:
// SerializedSocket).
type serializedSocket struct {
	ID        string              `json:"id"`
	ClientID  string              `json:"clientId,omitempty"`
	Transport string              `json:"transport,omitempty"`
	Nsp       string              `json:"nsp"`
	Data      json.RawMessage     `json:"data"`
	Handshake serializedHandshake `json:"handshake"`
	Rooms     []string            `json:"rooms"`
}

type serializedHandshake struct {
	Address string            `json:"address"`
	Headers map[string]any    `json:"headers"`
	Query   map[string]string `json:"query"`
	Issued  int64             `json:"issued"`
	Secure  bool              `json:"secure"`
	Time    string            `json:"time"`
	URL     string            `json:"url"`
	XDomain bool              `json:"xdomain"`
}

// adminData is what a Node node keeps in socket.data._admin: the
// engine id (truncated) and the transport of its sockets, which is how
// a remote Node socket tells them.
type adminData struct {
	ClientID  string `json:"clientId"`
	Transport string `json:"transport"`
}

// serializeLocal describes a socket of this node.
func serializeLocal(s *socketio.Socket) serializedSocket {
	conn := s.Conn()
	id := conn.ID()
	if len(id) > 12 {
		id = id[:12] // as Node: the engine id is a credential of sorts
	}
	return serializedSocket{
		ID:        s.ID(),
		ClientID:  id,
		Transport: conn.TransportName(),
		Nsp:       s.Namespace().Name(),
		Data:      serializeData(s.Data()),
		Handshake: serializeHandshake(s.Handshake()),
		Rooms:     nonNil(s.Rooms()),
	}
}

// serializeRemote describes a socket FetchSockets found.
func serializeRemote(r *socketio.RemoteSocket, nsp string) serializedSocket {
	if s := r.Local(); s != nil {
		return serializeLocal(s)
	}
	out := serializedSocket{
		ID:        r.ID(),
		Nsp:       nsp,
		Data:      serializeData(r.Data()),
		Handshake: serializeHandshake(r.Handshake()),
		Rooms:     nonNil(r.Rooms()),
	}
	if m, ok := r.Data().(map[string]any); ok {
		if ad, ok := m["_admin"].(map[string]any); ok {
			out.ClientID, _ = ad["clientId"].(string)
			out.Transport, _ = ad["transport"].(string)
		}
	}
	return out
}

// serializeData encodes socket data for the UI: nil is {}, Node's
// internal _admin key is left out, and a value that cannot be encoded is
// {} rather than an error for the whole list.
func serializeData(v any) json.RawMessage {
	if m, ok := v.(map[string]any); ok {
		if _, has := m["_admin"]; has {
			c := make(map[string]any, len(m))
			for k, x := range m {
				if k != "_admin" {
					c[k] = x
				}
			}
			v = c
		}
	}
	if v == nil {
		return json.RawMessage("{}")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("{}")
	}
	return b
}

func serializeHandshake(h *socketio.Handshake) serializedHandshake {
	if h == nil {
		return serializedHandshake{Headers: map[string]any{}, Query: map[string]string{}}
	}
	out := serializedHandshake{
		Address: h.Address,
		Headers: nodeHeaders(h.Headers),
		Query:   map[string]string{},
		Issued:  h.Issued,
		Secure:  h.Secure,
		Time:    h.TimeText,
		URL:     h.URL,
		XDomain: h.XDomain,
	}
	if out.Time == "" && !h.Time.IsZero() {
		out.Time = nodeDateString(h.Time)
	}
	for k, vs := range h.Query {
		if len(vs) > 0 {
			out.Query[k] = vs[len(vs)-1]
		}
	}
	// As the npm package: the address a proxy reports first.
	for _, name := range []string{"cf-connecting-ip", "x-forwarded-for"} {
		if v, ok := out.Headers[name].(string); ok && v != "" {
			out.Address = v
			break
		}
	}
	return out
}

// nodeHeaders lists headers as Node's http module shows them: lower-case
// names, repeated values joined (cookie with "; "), set-cookie a list.
func nodeHeaders(h http.Header) map[string]any {
	out := make(map[string]any, len(h))
	for k, vs := range h {
		name := strings.ToLower(k)
		switch name {
		case "set-cookie":
			out[name] = vs
		case "cookie":
			out[name] = strings.Join(vs, "; ")
		default:
			out[name] = strings.Join(vs, ", ")
		}
	}
	return out
}

// nodeDateString formats t as JavaScript's Date.prototype.toString in
// UTC, as a Node server in UTC reports handshake.time.
func nodeDateString(t time.Time) string {
	return t.UTC().Format("Mon Jan 02 2006 15:04:05 GMT+0000 (Coordinated Universal Time)")
}

// isoDate formats t as JSON.stringify(new Date()) does.
func isoDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// allSockets returns every socket of every namespace, across the cluster
// (what a node did not answer in time is left out).
func (a *Admin) allSockets() []serializedSocket {
	ctx, cancel := context.WithTimeout(context.Background(), a.opts.FetchTimeout)
	defer cancel()
	out := []serializedSocket{}
	for _, n := range a.srv.Namespaces() {
		sockets, err := n.FetchSockets(ctx)
		if err != nil {
			a.log.Warn("admin: fetching sockets", "nsp", n.Name(), "err", err)
		}
		for _, r := range sockets {
			out = append(out, serializeRemote(r, n.Name()))
		}
	}
	a.fillFromPeers(out)
	return out
}
