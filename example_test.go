package socketio_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gosio/socketio/engineio"

	"github.com/gosio/socketio"
)

// serve runs io on 127.0.0.1 and returns its URL and a stop function.
func serve(io *socketio.Server) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	hs := &http.Server{Handler: io}
	go hs.Serve(ln)
	return "http://" + ln.Addr().String() + "/socket.io/", func() {
		io.Close()
		hs.Close()
	}
}

// rawClient speaks Engine.IO v4 long-polling by hand, to show the wire.
type rawClient struct {
	url     string
	hc      *http.Client
	pending []string // packets received but not yet returned
}

func dial(url string) *rawClient {
	c := &rawClient{hc: &http.Client{Transport: &http.Transport{}, Timeout: 5 * time.Second}}
	open := c.do("GET", url+"?EIO=4&transport=polling", "")
	sid := open[strings.Index(open, `"sid":"`)+7:]
	c.url = url + "?EIO=4&transport=polling&sid=" + sid[:strings.IndexByte(sid, '"')]
	return c
}

func (c *rawClient) do(method, url, body string) string {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	res, err := c.hc.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// send posts one Socket.IO packet (an Engine.IO "4" message).
func (c *rawClient) send(pkt string) { c.do("POST", c.url, "4"+pkt) }

// recv polls until a Socket.IO packet starting with prefix arrives and
// returns it without the Engine.IO "4".
func (c *rawClient) recv(prefix string) string {
	for {
		for len(c.pending) > 0 {
			p := c.pending[0]
			c.pending = c.pending[1:]
			if p == "2" {
				c.do("POST", c.url, "3") // pong
			} else if strings.HasPrefix(p, "4"+prefix) {
				return p[1:]
			}
		}
		c.pending = strings.Split(c.do("GET", c.url, ""), "\x1e")
	}
}

func (c *rawClient) close() {
	c.do("POST", c.url, "1")
	c.hc.CloseIdleConnections()
}

func ExampleNewServer() {
	io := socketio.NewServer(&socketio.Options{Engine: engineio.Options{PingInterval: 10 * time.Second}})
	io.OnConnection(func(s *socketio.Socket) {
		s.Emit("hello", "world", map[string]int{"answer": 42})
	})
	// http.Handle("/socket.io/", io); http.ListenAndServe(":3000", nil)
	url, stop := serve(io)
	defer stop()

	c := dial(url)
	defer c.close()
	c.send("0") // CONNECT to "/"
	fmt.Println(strings.HasPrefix(c.recv("0"), `0{"sid":`))
	fmt.Println(c.recv("2"))
	// Output:
	// true
	// 2["hello","world",{"answer":42}]
}

func ExampleSocket_On() {
	io := socketio.NewServer(nil)
	io.OnConnection(func(s *socketio.Socket) {
		// Arguments are decoded into the parameter types; a last func
		// parameter is the client's acknowledgement callback.
		s.On("add", func(a, b int, ack func(sum int)) {
			ack(a + b)
		})
		// A raw handler gets the event and decodes lazily.
		s.On("greet", func(e *socketio.Event) {
			var who struct{ Name string }
			e.Decode(0, &who)
			e.Ack("hello " + who.Name)
		})
	})
	url, stop := serve(io)
	defer stop()

	c := dial(url)
	defer c.close()
	c.send("0")
	c.recv("0")
	c.send(`21["add",2,3]`) // EVENT with ack id 1
	fmt.Println(c.recv("3"))
	c.send(`22["greet",{"name":"Ada"}]`)
	fmt.Println(c.recv("3"))
	// Output:
	// 31[5]
	// 32["hello Ada"]
}

func ExampleBroadcastOperator_EmitWithAck() {
	io := socketio.NewServer(&socketio.Options{Engine: engineio.Options{PingInterval: 10 * time.Second}})
	io.OnConnection(func(s *socketio.Socket) { s.Join("voters") })
	url, stop := serve(io)
	defer stop()

	done := make(chan []string)
	voters := map[string]string{"alice": `"yes"`, "bob": `"no"`}
	connected := make(chan struct{})
	var clients sync.WaitGroup
	defer clients.Wait()
	for _, vote := range voters {
		clients.Add(1)
		go func() {
			defer clients.Done()
			c := dial(url)
			defer c.close()
			c.send("0")
			c.recv("0")
			connected <- struct{}{}
			ev := c.recv("2") // e.g. 20["vote","lunch?"]
			id := ev[1:strings.IndexByte(ev, '[')]
			c.send("3" + id + "[" + vote + "]") // ACK with the same id
		}()
	}
	<-connected
	<-connected
	go func() {
		replies, err := io.To("voters").Timeout(5*time.Second).EmitWithAck(context.Background(), "vote", "lunch?")
		if err != nil {
			fmt.Println(err)
		}
		var got []string
		for _, r := range replies {
			var v string
			r.Decode(0, &v)
			got = append(got, v)
		}
		slices.Sort(got)
		done <- got
	}()
	fmt.Println(<-done)
	// Output: [no yes]
}

func ExampleNamespace_Use() {
	io := socketio.NewServer(nil)
	admin := io.Of("/admin")
	admin.Use(func(s *socketio.Socket) error {
		if s.Handshake().Auth["token"] != "secret" {
			return &socketio.ConnectError{Message: "not authorized", Data: map[string]any{"hint": "send a token"}}
		}
		return nil
	})
	admin.OnConnection(func(s *socketio.Socket) { s.Emit("welcome") })
	url, stop := serve(io)
	defer stop()

	c := dial(url)
	defer c.close()
	c.send(`0/admin,{"token":"guess"}`)
	fmt.Println(c.recv("4/admin"))
	c.send(`0/admin,{"token":"secret"}`)
	c.recv("0/admin")
	fmt.Println(c.recv("2/admin"))
	// Output:
	// 4/admin,{"message":"not authorized","data":{"hint":"send a token"}}
	// 2/admin,["welcome"]
}
