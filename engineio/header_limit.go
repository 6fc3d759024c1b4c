package engineio

import "net/http"

// headerBytesOver reports whether the head of r (its request line and
// header fields) is over max bytes, counted as on the wire: net/http has
// parsed them, so each line is measured back ("Name: value\r\n"), Host
// included. It stops counting once past max.
func headerBytesOver(r *http.Request, max int) bool {
	n := len(r.Method) + 1 + len(r.RequestURI) + 1 + len(r.Proto) + 2 // request line
	if r.Host != "" {
		n += len("Host: ") + len(r.Host) + 2
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + 2 + len(v) + 2
		}
		if n > max {
			return true
		}
	}
	return n+2 > max // the empty line ending the head
}

// writeHeaderTooLarge answers as Node's HTTP server answers a request
// whose headers are over its limit: 431, no body, connection closed.
func writeHeaderTooLarge(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusRequestHeaderFieldsTooLarge)
}
