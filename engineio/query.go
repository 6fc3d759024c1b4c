package engineio

import "net/url"

// query holds the Engine.IO query parameters of a request.
type query struct {
	eio, transport, sid string
	b64                 bool // the client takes no binary (b64=1)
}

// eio3 reports whether the request speaks Engine.IO v3: as in Node, any
// EIO value but "4", or none.
func (q *query) eio3() bool { return q.eio != "4" }

// parseQuery extracts the parameters the server needs without building a
// url.Values map (one per request otherwise). Later duplicates win, as in
// Node's URLSearchParams-based Object.fromEntries.
func parseQuery(raw string) query {
	var q query
	for raw != "" {
		var kv string
		kv, raw = cut(raw, '&')
		k, v := cut(kv, '=')
		switch k {
		case "EIO":
			q.eio = unescape(v)
		case "transport":
			q.transport = unescape(v)
		case "sid":
			q.sid = unescape(v)
		case "b64":
			// Node: supportsBinary = !req._query.b64, so any value but
			// the empty string asks for base64 ("b64=0" too).
			q.b64 = v != ""
		}
	}
	return q
}

func cut(s string, sep byte) (string, string) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func unescape(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] == '%' || v[i] == '+' {
			u, err := url.QueryUnescape(v)
			if err != nil {
				return v
			}
			return u
		}
	}
	return v
}
