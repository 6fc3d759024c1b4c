package redis

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gosio/socketio/adapter"
)

// wireSocket is a socket in a REMOTE_FETCH response, as the Node adapter
// writes it: {id, handshake, rooms, data}.
type wireSocket struct {
	ID        string          `json:"id"`
	Handshake *wireHandshake  `json:"handshake"`
	Rooms     jsonStrList     `json:"rooms"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// wireHandshake is Node's socket.handshake.
type wireHandshake struct {
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

// jsTimeLayout is JavaScript's Date#toString.
const jsTimeLayout = "Mon Jan 02 2006 15:04:05 GMT-0700 (MST)"

func socketToWire(s adapter.SocketInfo) wireSocket {
	w := wireSocket{ID: s.ID, Rooms: nonNil(s.Rooms)}
	if s.Data != nil {
		if b, err := json.Marshal(s.Data); err == nil {
			w.Data = b
		}
	}
	if h := s.Handshake; h != nil {
		wh := &wireHandshake{
			Headers: map[string]any{},
			Time:    h.TimeText,
			Address: h.Address,
			XDomain: h.XDomain,
			Secure:  h.Secure,
			Issued:  float64(h.Time.UnixMilli()),
			URL:     h.URL,
			Query:   map[string]any{},
			Auth:    h.Auth,
		}
		if wh.Time == "" {
			wh.Time = h.Time.Format(jsTimeLayout)
		}
		if wh.Auth == nil {
			wh.Auth = map[string]any{}
		}
		for k, vs := range h.Headers {
			k = strings.ToLower(k)
			switch {
			case k == "set-cookie":
				wh.Headers[k] = vs
			case k == "cookie":
				wh.Headers[k] = strings.Join(vs, "; ")
			default:
				wh.Headers[k] = strings.Join(vs, ", ")
			}
		}
		for k, vs := range h.Query {
			if len(vs) == 1 {
				wh.Query[k] = vs[0]
			} else {
				wh.Query[k] = vs
			}
		}
		w.Handshake = wh
	}
	return w
}

func anyStrings(v any) []string {
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

// info converts a socket of another node.
func (w wireSocket) info() adapter.SocketInfo {
	in := adapter.SocketInfo{ID: w.ID, Rooms: w.Rooms}
	if len(w.Data) > 0 && string(w.Data) != "null" {
		var d any
		if json.Unmarshal(w.Data, &d) == nil {
			in.Data = d
		}
	}
	if h := w.Handshake; h != nil {
		hs := &adapter.Handshake{
			Headers:  http.Header{},
			TimeText: h.Time,
			Address:  h.Address,
			XDomain:  h.XDomain,
			Secure:   h.Secure,
			URL:      h.URL,
			Query:    url.Values{},
			Auth:     h.Auth,
		}
		if h.Issued > 0 {
			hs.Time = time.UnixMilli(int64(h.Issued))
		} else if t, err := time.Parse(jsTimeLayout, strings.TrimSpace(h.Time)); err == nil {
			hs.Time = t
		}
		hs.Issued = hs.Time.UnixMilli()
		for k, v := range h.Headers {
			for _, s := range anyStrings(v) {
				http.Header(hs.Headers).Add(k, s)
			}
		}
		for k, v := range h.Query {
			for _, s := range anyStrings(v) {
				url.Values(hs.Query).Add(k, s)
			}
		}
		if hs.Auth == nil {
			hs.Auth = map[string]any{}
		}
		in.Handshake = hs
	}
	return in
}
