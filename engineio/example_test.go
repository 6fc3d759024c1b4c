package engineio_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gosio/socketio/engineio"
)

// echo sends every message back; it runs on the session's reader.
type echo struct{ s *engineio.Socket }

func (e echo) OnMessage(data []byte, binary bool) { e.s.Send(data, binary) }
func (e echo) OnClose(reason string, err error)   {}

// An Engine.IO echo server, driven here with raw long-polling requests.
func ExampleNewServer() {
	srv := engineio.NewServer(&engineio.Options{
		OnConnection: func(s *engineio.Socket) { s.SetHandler(echo{s}) },
	})
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()

	res, _ := http.Get(hs.URL + "/engine.io/?EIO=4&transport=polling")
	open, _ := io.ReadAll(res.Body)
	res.Body.Close()
	sid := string(open[9:29]) // 0{"sid":"<20 characters>",...
	url := hs.URL + "/engine.io/?EIO=4&transport=polling&sid=" + sid

	res, _ = http.Post(url, "text/plain", strings.NewReader("4hello"))
	res.Body.Close()
	res, _ = http.Get(url)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(string(body))
	// Output: 4hello
}
