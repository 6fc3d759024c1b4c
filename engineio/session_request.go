package engineio

import (
	"crypto/tls"
	"net/http"
	"net/url"
	"strings"
)

// sessionRequest is what a session keeps of its handshake request: the
// request line's target, the protocol, the host, the remote address, the
// header fields and the TLS state, in one string about as long as the
// bytes the client sent. The body, the context (which would hold the
// request and its connection's state), the parsed URL and header map are
// not kept: Request builds them again when asked, so an idle session holds
// a few hundred bytes for its handshake instead of a map of slices.
type sessionRequest struct {
	// text is the request target, then the host, then the remote
	// address, each followed by '\n', then one "Name:value\n" line per
	// header value, names canonical (net/http refuses control characters
	// in names and values, so '\n' cannot occur in them).
	text  string
	proto string
	tls   *tls.ConnectionState
}

func newSessionRequest(r *http.Request) sessionRequest {
	n := len(r.RequestURI) + len(r.Host) + len(r.RemoteAddr) + 3
	for k, vs := range r.Header {
		n += (len(k) + 2) * len(vs)
		for _, v := range vs {
			n += len(v)
		}
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(r.RequestURI)
	b.WriteByte('\n')
	b.WriteString(r.Host)
	b.WriteByte('\n')
	b.WriteString(r.RemoteAddr)
	b.WriteByte('\n')
	for k, vs := range r.Header {
		for _, v := range vs {
			b.WriteString(k)
			b.WriteByte(':')
			b.WriteString(v)
			b.WriteByte('\n')
		}
	}
	// A constant, not r.Proto: a substring would keep the whole request
	// line of net/http alive.
	var proto string
	switch r.Proto {
	case "HTTP/1.1":
		proto = "HTTP/1.1"
	case "HTTP/1.0":
		proto = "HTTP/1.0"
	case "HTTP/2.0":
		proto = "HTTP/2.0"
	default:
		proto = strings.Clone(r.Proto)
	}
	return sessionRequest{text: b.String(), proto: proto, tls: r.TLS}
}

// field returns the i-th of the first three lines of the text.
func (sr *sessionRequest) field(i int) string {
	t := sr.text
	for range i {
		t = t[strings.IndexByte(t, '\n')+1:]
	}
	return t[:strings.IndexByte(t, '\n')]
}

func (sr *sessionRequest) remoteAddr() string { return sr.field(2) }

// header returns a new map of the header fields; its strings share the
// session's text.
func (sr *sessionRequest) header() http.Header {
	t := sr.text
	for range 3 {
		t = t[strings.IndexByte(t, '\n')+1:]
	}
	h := make(http.Header, strings.Count(t, "\n"))
	for t != "" {
		line := t[:strings.IndexByte(t, '\n')]
		t = t[len(line)+1:]
		k, v, _ := strings.Cut(line, ":")
		h[k] = append(h[k], v)
	}
	return h
}

// request builds the handshake request again: method GET (every
// handshake is), URL, protocol, headers, host, remote address and TLS
// state; no body, no context.
func (sr *sessionRequest) request() *http.Request {
	uri := sr.field(0)
	u, err := url.ParseRequestURI(uri)
	if err != nil { // net/http parsed it the same way before
		u = &url.URL{Path: uri}
	}
	major, minor, _ := http.ParseHTTPVersion(sr.proto)
	return &http.Request{
		Method:     http.MethodGet,
		URL:        u,
		Proto:      sr.proto,
		ProtoMajor: major,
		ProtoMinor: minor,
		Header:     sr.header(),
		Host:       sr.field(1),
		RemoteAddr: sr.field(2),
		RequestURI: uri,
		TLS:        sr.tls,
	}
}
