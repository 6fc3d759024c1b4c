package engineio

import (
	"bytes"
	"compress/flate"
	"io"
	"net/http"
	"sync"

	"github.com/gobwas/httphead"
)

// permessage-deflate (RFC 7692) without context takeover in either
// direction: every message is compressed on its own, so a connection keeps
// no compressor or decompressor state between messages (memory stays
// flat), and pooled flate objects are shared by all connections.

const deflateResponse = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"

// negotiateDeflate reports whether the client offers permessage-deflate
// with parameters we can honour. Only the first offer is considered; an
// offer asking for a server window under 2^15 is declined (Go's
// compress/flate always uses 32 KiB).
func negotiateDeflate(h http.Header) bool {
	for _, v := range h.Values("Sec-WebSocket-Extensions") {
		opts, ok := httphead.ParseOptions([]byte(v), nil)
		if !ok {
			return false
		}
		for _, o := range opts {
			if string(o.Name) != "permessage-deflate" {
				continue
			}
			ok := true
			o.Parameters.ForEach(func(k, val []byte) bool {
				switch string(k) {
				case "server_max_window_bits":
					ok = string(val) == "15"
				case "client_max_window_bits", "server_no_context_takeover", "client_no_context_takeover":
				default:
					ok = false // unknown parameter: decline the offer
				}
				return ok
			})
			return ok
		}
	}
	return false
}

var (
	flateWriters = sync.Pool{New: func() any { w, _ := flate.NewWriter(nil, flate.DefaultCompression); return w }}
	flateReaders = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}
)

// deflateTail ends every compressed message; it is stripped on the wire.
var deflateTail = []byte{0, 0, 0xff, 0xff}

// appendDeflated appends the compressed form of p (without the tail).
func appendDeflated(dst, p []byte) []byte {
	sw := &sliceWriter{b: dst}
	zw := flateWriters.Get().(*flate.Writer)
	zw.Reset(sw)
	zw.Write(p)
	zw.Flush()
	flateWriters.Put(zw)
	out := sw.b
	if bytes.HasSuffix(out, deflateTail) {
		out = out[:len(out)-4]
	}
	return out
}

// inflate decompresses a message, failing with ErrPayloadTooLarge past
// max bytes of output: the limit applies to the decompressed size, so a
// small frame cannot expand into a large allocation.
func inflate(p []byte, max int64) ([]byte, error) {
	zr := flateReaders.Get().(io.ReadCloser)
	defer flateReaders.Put(zr)
	src := io.MultiReader(bytes.NewReader(p), bytes.NewReader(deflateTail))
	if err := zr.(flate.Resetter).Reset(src, nil); err != nil {
		return nil, err
	}
	out := make([]byte, 0, min(int64(len(p))*3+64, max+1))
	for {
		if len(out) == cap(out) {
			out = append(out, 0)[:len(out)]
		}
		n, err := zr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if int64(len(out)) > max {
			return nil, ErrPayloadTooLarge
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			// The tail is a sync flush, not a final block: the reader
			// reports unexpected EOF once the input is consumed.
			return out, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
