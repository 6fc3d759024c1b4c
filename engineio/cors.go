package engineio

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// CORSOptions mirrors the options of the npm "cors" module that the
// reference passes its cors option to.
type CORSOptions struct {
	// Origins lists allowed origins; "*" allows any origin. When
	// Credentials is set, "*" reflects the request's origin instead,
	// because browsers refuse "*" with credentials.
	Origins []string
	// AllowOrigin, if set, decides per request (it takes precedence over
	// Origins).
	AllowOrigin func(origin string, r *http.Request) bool
	// Methods answered to preflights, default "GET,HEAD,PUT,PATCH,POST,DELETE".
	Methods []string
	// AllowedHeaders answered to preflights; default: reflect
	// Access-Control-Request-Headers.
	AllowedHeaders []string
	ExposedHeaders []string
	Credentials    bool
	MaxAge         int // seconds; 0 means not sent
}

// allowedOrigin returns the Access-Control-Allow-Origin value for r, or ""
// when the origin is not allowed.
func (c *CORSOptions) allowedOrigin(r *http.Request) string {
	origin := r.Header.Get("Origin")
	if c.AllowOrigin != nil {
		if origin != "" && c.AllowOrigin(origin, r) {
			return origin
		}
		return ""
	}
	if slices.Contains(c.Origins, "*") {
		if c.Credentials {
			return origin
		}
		return "*"
	}
	if origin != "" && slices.Contains(c.Origins, origin) {
		return origin
	}
	return ""
}

// apply writes the CORS headers for r. It reports whether r was a preflight
// request, which it then answers completely (204).
func (c *CORSOptions) apply(w http.ResponseWriter, r *http.Request) (preflight bool) {
	h := w.Header()
	allow := c.allowedOrigin(r)
	if allow != "" {
		h.Set("Access-Control-Allow-Origin", allow)
		if allow != "*" {
			h.Add("Vary", "Origin")
		}
		if c.Credentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
	}
	if r.Method != http.MethodOptions {
		if allow != "" && len(c.ExposedHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposedHeaders, ","))
		}
		return false
	}
	if allow != "" {
		methods := "GET,HEAD,PUT,PATCH,POST,DELETE"
		if len(c.Methods) > 0 {
			methods = strings.Join(c.Methods, ",")
		}
		h.Set("Access-Control-Allow-Methods", methods)
		if len(c.AllowedHeaders) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.Join(c.AllowedHeaders, ","))
		} else if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Add("Vary", "Access-Control-Request-Headers")
			h.Set("Access-Control-Allow-Headers", req)
		}
		if c.MaxAge > 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
		}
	}
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusNoContent)
	return true
}
