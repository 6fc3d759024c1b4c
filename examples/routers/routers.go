// Package routers shows how to mount a gosio server under the common Go
// routers. It is its own module so the core carries none of their
// dependencies; its test proves each mounting works with polling,
// WebSocket and the upgrade.
package routers

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/labstack/echo/v4"

	"github.com/gosio/socketio"
)

// NetHTTP mounts io on a standard library mux.
func NetHTTP(io *socketio.Server) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	return mux
}

// Chi mounts io on a chi router: chi passes the full path.
func Chi(io *socketio.Server) http.Handler {
	r := chi.NewRouter()
	r.Handle("/socket.io/*", io)
	return r
}

// Gin mounts io on gin: register every method (GET polls and upgrades,
// POST sends, OPTIONS for CORS preflights).
func Gin(io *socketio.Server) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Any("/socket.io/*any", gin.WrapH(io))
	return r
}

// Echo mounts io on echo.
func Echo(io *socketio.Server) http.Handler {
	e := echo.New()
	e.HideBanner = true
	e.Any("/socket.io/*", echo.WrapHandler(io))
	return e
}
