package admin

import (
	"net/http"
	"os"
	"path/filepath"
)

// UIHandler serves the admin UI's static build from dir: the ui/dist
// folder of the npm package @socket.io/admin-ui 0.5.1, installed by the
// user (npm install @socket.io/admin-ui), never part of this module.
// Mount it under a prefix, e.g.
//
//	mux.Handle("/admin/", http.StripPrefix("/admin/", admin.UIHandler(dir)))
//
// then open http://host/admin/ and connect to http://host. A dir without
// index.html answers 503 with a message saying what to install.
func UIHandler(dir string) http.Handler {
	files := http.FileServer(http.Dir(filepath.Clean(dir)))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
			http.Error(w, "admin UI not installed: run `npm install @socket.io/admin-ui@0.5.1` and give the path of its ui/dist folder", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}
