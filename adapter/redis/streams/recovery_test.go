package streams

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gosio/socketio/adapter/redis/internal/redistest"
)

const recoveryWindow = 20 * time.Second

// server is a node of the recovery tests, Go or Node.js.
type server struct {
	hostport string
	emit     func(event, arg, room string)
	close    func()
}

func goServer(t *testing.T, key string) *server {
	n := newNode(t, nodeOpts{key: key, recovery: recoveryWindow})
	u, _ := url.Parse(n.url)
	return &server{hostport: u.Host, emit: func(e, a, r string) { n.srv.To(r).Emit(e, a) }, close: n.close}
}

func nodeServer(t *testing.T, key string) *server {
	p := startPeer(t, key, "RECOVERY="+strconv.Itoa(int(recoveryWindow.Milliseconds())))
	u, _ := url.Parse(p.URL)
	return &server{hostport: u.Host,
		emit:  func(e, a, r string) { p.Must("emit", map[string]any{"event": e, "arg": a, "rooms": []string{r}}) },
		close: func() { p.Must("closeServer", nil) }}
}

// TestRecoveryAcrossNodes: an official socket.io-client 4.8.4 behind a
// proxy (the load balancer) is connected to one node; that node shuts
// down (its sockets' sessions go to Redis); events are broadcast to the
// client's room meanwhile; the proxy then sends the client to another
// node, where it recovers: same id, same rooms, the missed events exactly
// once and in order, then live ones. Go to Go, Go to Node.js and Node.js
// to Go.
func TestRecoveryAcrossNodes(t *testing.T) {
	cases := []struct {
		name     string
		src, dst func(*testing.T, string) *server
	}{
		{"go to go", goServer, goServer},
		{"go to node", goServer, nodeServer},
		{"node to go", nodeServer, goServer},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			key := testKey()
			src, dst := c.src(t, key), c.dst(t, key)
			driver := redistest.StartPeer(t, nodeDir, "SERVE=0", "KEY="+key, "REDIS_PORT="+strconv.Itoa(shared.Port))
			proxy := redistest.NewProxy(t, src.hostport)
			id := driver.Must("connect", map[string]any{"name": "c", "url": "http://" + proxy.Addr, "query": map[string]any{"room": "r"}, "reconnection": true}).(string)
			rec := driver.Recorder("c")
			rec.Expect(t, "connect:false:"+id)
			src.emit("e0", "before", "r")
			rec.Expect(t, "e0:before")

			src.close() // the client is disconnected and retries, in vain: the proxy still points at src
			rec.Expect(t, "disconnect:transport close")
			dst.emit("e1", "missed-1", "r")
			dst.emit("e2", "missed-2", "r")
			dst.emit("x", "not-for-r", "other")
			time.Sleep(100 * time.Millisecond)
			proxy.SetTarget(dst.hostport)

			// the client emits the missed events, then "connect"
			rec.Expect(t, "e1:missed-1")
			rec.Expect(t, "e2:missed-2")
			rec.Expect(t, "connect:true:"+id)
			dst.emit("e3", "live", "r") // the room came back with the session
			rec.Expect(t, "e3:live")
			rec.None(t, 100*time.Millisecond)
			var got []string
			for _, e := range rec.Events() {
				if !strings.HasPrefix(e, "disconnect:") && !strings.HasPrefix(e, "connect:") {
					got = append(got, e)
				}
			}
			if want := []string{"e0:before", "e1:missed-1", "e2:missed-2", "e3:live"}; !slices.Equal(got, want) {
				t.Fatalf("events %q, want %q", got, want)
			}
		})
	}
}
