package emitter

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/gosio/socketio/internal/notepack"
)

var redisAddr string

// TestMain starts a redis-server on a free loopback port. (The emitter is
// also tested against Go and Node.js nodes in the parent package's
// TestMixedCluster.)
func TestMain(m *testing.M) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "redis-server is required (apt-get install -y redis-server):", err)
		os.Exit(1)
	}
	redisAddr = "127.0.0.1:" + strconv.Itoa(port)
	for i := 0; i < 500; i++ {
		if c, err := net.Dial("tcp", redisAddr); err == nil {
			fmt.Fprint(c, "PING\r\n")
			l, _ := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if l == "+PONG\r\n" {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	code := m.Run()
	cmd.Process.Kill()
	cmd.Wait()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

func TestWireFormat(t *testing.T) {
	rdb := goredis.NewClient(&goredis.Options{Addr: redisAddr})
	defer rdb.Close()
	ctx := context.Background()
	ps := rdb.PSubscribe(ctx, "k#*", "k-request#*")
	defer ps.Close()
	if _, err := ps.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	ps.Receive(ctx)
	next := func() *goredis.Message {
		t.Helper()
		m, err := ps.ReceiveTimeout(ctx, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return m.(*goredis.Message)
	}
	e := New(rdb, &Options{Key: "k"})

	if err := e.To("r1").Except("r2").Volatile().Emit(ctx, "ev", []byte{1}, 2.5); err != nil {
		t.Fatal(err)
	}
	m := next()
	if m.Channel != "k#/#r1#" {
		t.Fatalf("channel %q", m.Channel)
	}
	v, err := notepack.Decode([]byte(m.Payload))
	if err != nil {
		t.Fatal(err)
	}
	var att [][]byte
	js, _ := notepack.AppendJSON(nil, v, &att)
	want := `["emitter",{"type":2,"data":["ev",{"_placeholder":true,"num":0},2.5],"nsp":"/"},{"rooms":["r1"],"flags":{"volatile":true},"except":["r2"]}]`
	if string(js) != want || len(att) != 1 {
		t.Fatalf("got %s", js)
	}

	e.Of("admin").Emit(ctx, "x")
	if m := next(); m.Channel != "k#/admin#" {
		t.Fatalf("channel %q", m.Channel)
	}
	e.In("a").SocketsJoin(ctx, "b")
	if m := next(); m.Channel != "k-request#/#" || m.Payload != `{"opts":{"rooms":["a"],"except":[]},"rooms":["b"],"type":2}` {
		t.Fatalf("join %s %s", m.Channel, m.Payload)
	}
	e.SocketsLeave(ctx, "b")
	if m := next(); m.Payload != `{"opts":{"rooms":[],"except":[]},"rooms":["b"],"type":3}` {
		t.Fatalf("leave %s", m.Payload)
	}
	e.Except("c").DisconnectSockets(ctx, true)
	if m := next(); m.Payload != `{"close":true,"opts":{"rooms":[],"except":["c"]},"type":4}` {
		t.Fatalf("disconnect %s", m.Payload)
	}
	e.ServerSideEmit(ctx, "hello", "w")
	if m := next(); m.Payload != `{"data":["hello","w"],"type":6,"uid":"emitter"}` {
		t.Fatalf("serverSideEmit %s", m.Payload)
	}
	for _, name := range []string{"connect", "disconnect", "newListener"} {
		if err := e.Emit(ctx, name); err != ErrReservedEvent {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
