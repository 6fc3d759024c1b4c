// Command chat is the gosio demo: a chat room in the browser using the
// official socket.io-client, served by a Go Socket.IO server on the
// in-memory adapter. Rooms, acknowledgements and broadcasts are shown.
//
//	make demo          # or: npm ci --prefix examples/chat && cd examples/chat && go run .
//	open http://127.0.0.1:8080
//
// -admin, -metrics and -otel turn on the admin UI, Prometheus metrics and
// OpenTelemetry traces; README.md says how to look at each.
package main

import (
	"context"
	"embed"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gosio/socketio"
)

//go:embed static
var static embed.FS

// Message is a chat line.
type Message struct {
	Room string `json:"room"`
	Text string `json:"text"`
}

// Line is what everyone in the room receives.
type Line struct {
	From string    `json:"from"`
	Room string    `json:"room"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	clientDir := flag.String("client", firstDir("node_modules/socket.io-client/dist", "examples/chat/node_modules/socket.io-client/dist"), "directory of the npm socket.io-client build")
	var obs observeFlags
	obs.register(flag.CommandLine)
	flag.Parse()

	io := newChat()
	mux := newMux(io, *clientDir)
	stopObserving, err := observe(io, mux, obs)
	if err != nil {
		log.Fatal(err)
	}
	defer stopObserving()

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		io.Shutdown(shut)
		srv.Shutdown(shut)
		stopObserving()
	}()
	if _, err := os.Stat(filepath.Join(*clientDir, "socket.io.min.js")); err != nil {
		log.Printf("warning: %v; run `npm ci --prefix examples/chat` first", err)
	}
	log.Printf("chat demo on http://%s", *addr)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// newChat returns the chat's Socket.IO server: a name is required to
// connect, everyone starts in lobby, "join" moves a socket to one room and
// "say" broadcasts a line to a room.
func newChat() *socketio.Server {
	io := socketio.NewServer(nil)
	io.Use(func(s *socketio.Socket) error {
		name, _ := s.Handshake().Auth["name"].(string)
		name = strings.TrimSpace(name)
		if name == "" || len(name) > 32 {
			return &socketio.ConnectError{Message: "a name of 1 to 32 characters is required", Data: map[string]any{"field": "name"}}
		}
		s.SetData(name)
		return nil
	})
	io.OnConnection(func(s *socketio.Socket) {
		name := s.Data().(string)
		s.Join("lobby")
		io.To("lobby").Emit("system", name+" joined lobby")

		// join: leave the current rooms, enter one; the ack says which.
		s.On("join", func(room string, ack func(string)) {
			room = strings.TrimSpace(room)
			if room == "" || len(room) > 32 {
				ack("")
				return
			}
			for _, r := range s.Rooms() {
				if r != s.ID() {
					s.Leave(r)
					io.To(r).Emit("system", name+" left "+r)
				}
			}
			s.Join(room)
			s.To(room).Emit("system", name+" joined "+room)
			ack(room)
		})
		// say: broadcast to the room; the ack tells the sender how many
		// sockets were in the room when it was sent.
		s.On("say", func(m Message, ack func(int)) {
			if len(m.Text) == 0 || len(m.Text) > 500 || !slices.Contains(s.Rooms(), m.Room) {
				ack(0) // only members may speak in a room
				return
			}
			members, _ := io.In(m.Room).FetchSockets(context.Background())
			io.To(m.Room).Emit("line", Line{From: name, Room: m.Room, Text: m.Text, At: time.Now()})
			ack(len(members))
		})
		s.OnDisconnect(func(r socketio.Reason, _ error) {
			io.Emit("system", name+" left ("+string(r)+")")
		})
	})
	return io
}

// newMux serves the page at /, the npm socket.io-client build from
// clientDir at /vendor/, and io at /socket.io/.
func newMux(io *socketio.Server, clientDir string) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/socket.io/", io)
	mux.Handle("/vendor/", http.StripPrefix("/vendor/", http.FileServer(http.Dir(filepath.Clean(clientDir)))))
	mux.Handle("/", http.FileServerFS(mustSub(static, "static")))
	return mux
}
