package engineio

import (
	"compress/flate"
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

var (
	gzipPool  = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}
	flatePool = sync.Pool{New: func() any { w, _ := flate.NewWriter(nil, flate.DefaultCompression); return w }}
)

// acceptedEncoding picks gzip or deflate from Accept-Encoding, preferring
// gzip as the reference does; "" means neither is accepted.
func acceptedEncoding(r *http.Request) string {
	var gz, df bool
	for _, v := range r.Header.Values("Accept-Encoding") {
		for v != "" {
			var t string
			t, v, _ = strings.Cut(v, ",")
			name, params, _ := strings.Cut(strings.TrimSpace(t), ";")
			if q := strings.TrimSpace(params); strings.HasPrefix(q, "q=") {
				if f, err := strconv.ParseFloat(q[2:], 64); err == nil && f == 0 {
					continue
				}
			}
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "gzip":
				gz = true
			case "deflate":
				df = true
			}
		}
	}
	switch {
	case gz:
		return "gzip"
	case df:
		return "deflate"
	}
	return ""
}

// writeCompressed writes body compressed with enc as a 200 response.
func writeCompressed(w http.ResponseWriter, enc string, body []byte) {
	out := getBuffer(len(body)/2 + 64)
	bw := &sliceWriter{b: out.b[:0]}
	if enc == "gzip" {
		zw := gzipPool.Get().(*gzip.Writer)
		zw.Reset(bw)
		zw.Write(body)
		zw.Close()
		gzipPool.Put(zw)
	} else {
		zw := flatePool.Get().(*flate.Writer)
		zw.Reset(bw)
		zw.Write(body)
		zw.Close()
		flatePool.Put(zw)
	}
	h := w.Header()
	h.Set("Content-Encoding", enc)
	h.Set("Content-Length", strconv.Itoa(len(bw.b)))
	w.WriteHeader(http.StatusOK)
	w.Write(bw.b)
	out.b = bw.b
	putBuffer(out)
}

type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
