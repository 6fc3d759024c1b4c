package routers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gosio/socketio"
	"github.com/gosio/socketio/client"
)

func TestRouters(t *testing.T) {
	for name, mount := range map[string]func(*socketio.Server) http.Handler{
		"net/http": NetHTTP, "chi": Chi, "gin": Gin, "echo": Echo,
	} {
		for _, tr := range []string{"polling", "websocket", "upgrade"} {
			t.Run(name+"/"+tr, func(t *testing.T) {
				io := socketio.NewServer(nil)
				io.OnConnection(func(s *socketio.Socket) {
					s.On("echo", func(msg string, ack func(string)) { ack(msg) })
				})
				srv := httptest.NewServer(mount(io))
				defer srv.Close()
				defer io.Close()
				o := &client.Options{}
				if tr != "upgrade" {
					o.Transports = []string{tr}
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				s, err := client.Connect(ctx, srv.URL, o)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Disconnect()
				if tr == "upgrade" {
					for !s.Manager().Engine().Upgraded() {
						if ctx.Err() != nil {
							t.Fatal("no upgrade")
						}
						time.Sleep(5 * time.Millisecond)
					}
				}
				reply, err := s.EmitWithAck(ctx, "echo", "hi "+name)
				if err != nil {
					t.Fatal(err)
				}
				var got string
				reply.Decode(0, &got)
				if got != "hi "+name {
					t.Fatalf("ack %q", got)
				}
			})
		}
	}
}
