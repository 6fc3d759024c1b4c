package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/gosio/socketio"
	"github.com/gosio/socketio/admin"
	sioprom "github.com/gosio/socketio/metrics/prometheus"
	otelsio "github.com/gosio/socketio/tracing/otel"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"golang.org/x/crypto/bcrypt"
)

// observeFlags turn on the admin UI, Prometheus metrics and OpenTelemetry
// traces (all off by default). README.md says how to look at each.
type observeFlags struct {
	admin         bool
	adminUser     string
	adminPassword string // plain text, hashed with bcrypt at start-up
	adminUI       string
	adminReadOnly bool
	adminMode     string
	metrics       bool
	otel          bool
	otelOut       io.Writer // where spans go (default stderr)
}

func (f *observeFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.admin, "admin", false, "serve the Socket.IO admin UI's protocol on /admin and the UI at http://ADDR/admin/")
	fs.StringVar(&f.adminUser, "admin-user", "admin", "admin UI user name")
	fs.StringVar(&f.adminPassword, "admin-password", "", "admin UI password (required with -admin; hashed with bcrypt at start-up)")
	fs.StringVar(&f.adminUI, "admin-ui", "", "directory of the admin UI build (default: node_modules/@socket.io/admin-ui/ui/dist)")
	fs.BoolVar(&f.adminReadOnly, "admin-readonly", false, "admin UI without actions (no emit, join, leave, disconnect)")
	fs.StringVar(&f.adminMode, "admin-mode", "development", "admin UI mode: development (every socket and event) or production (statistics only)")
	fs.BoolVar(&f.metrics, "metrics", false, "serve Prometheus metrics at /metrics")
	fs.BoolVar(&f.otel, "otel", false, "trace with OpenTelemetry; spans are printed to stderr as JSON")
}

// observe installs what the flags ask for on io and mux; the func it
// returns stops it all.
func observe(io *socketio.Server, mux *http.ServeMux, f observeFlags) (stop func(), err error) {
	var stops []func()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			for i := len(stops) - 1; i >= 0; i-- {
				stops[i]()
			}
		})
	}
	if f.admin {
		if f.adminPassword == "" {
			return stop, errors.New("-admin needs -admin-password")
		}
		hash, err := bcrypt.GenerateFromPassword([]byte(f.adminPassword), bcrypt.DefaultCost)
		if err != nil {
			return stop, err
		}
		adm, err := admin.Instrument(io, admin.Options{
			Auth:     &admin.BasicAuth{Username: f.adminUser, PasswordHash: string(hash)},
			ReadOnly: f.adminReadOnly,
			Mode:     admin.Mode(f.adminMode),
		})
		if err != nil {
			return stop, err
		}
		stops = append(stops, adm.Close)
		dir := f.adminUI
		if dir == "" {
			dir = firstDir("node_modules/@socket.io/admin-ui/ui/dist", "examples/chat/node_modules/@socket.io/admin-ui/ui/dist")
		}
		mux.Handle("/admin/", http.StripPrefix("/admin/", admin.UIHandler(dir)))
		log.Printf("admin UI: open /admin/ and connect to this server's URL as %q (namespace /admin)", f.adminUser)
	}
	if f.metrics {
		reg := prometheus.NewRegistry()
		reg.MustRegister(
			sioprom.New(io, sioprom.Options{Events: []string{"join", "say", "line", "system"}}),
			collectors.NewGoCollector(),
			collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		)
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		log.Printf("Prometheus metrics at /metrics")
	}
	if f.otel {
		out := f.otelOut
		if out == nil {
			out = os.Stderr
		}
		exp, err := stdouttrace.New(stdouttrace.WithWriter(out), stdouttrace.WithPrettyPrint())
		if err != nil {
			return stop, err
		}
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
		stops = append(stops, func() { tp.Shutdown(context.Background()) })
		otelsio.Instrument(io, otelsio.WithTracerProvider(tp), otelsio.WithHandshakeContext(), otelsio.WithoutNamespace("/admin"))
		log.Printf("OpenTelemetry spans go to stderr")
	}
	return stop, nil
}

// firstDir returns the first of dirs that exists (the demo runs from the
// repository root or from examples/chat), else the first.
func firstDir(dirs ...string) string {
	for _, d := range dirs {
		if st, err := os.Stat(filepath.Clean(d)); err == nil && st.IsDir() {
			return d
		}
	}
	return dirs[0]
}
