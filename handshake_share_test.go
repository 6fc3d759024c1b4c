package socketio

// Issue 11 item 6: the handshake (query string, headers) was parsed and
// copied again for every namespace socket of a connection: 16 KB per
// socket with a 12 KB query string (Node: 3.7 KB). The engine now keeps
// one compact copy of the handshake request per connection, and a
// socket's Handshake is built from it when asked (issue 17: idle memory).

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestHandshakeSharedPerConnection: a connection with a 12 KB query
// string joins 100 namespaces; each socket costs at most 4 KB of heap (a
// third of the query string; before: 16 KB), and each socket's Handshake
// has the whole query. An honest client's echoes are answered meanwhile; the
// heap comes back within 512 KB once the connection leaves.
func TestHandshakeSharedPerConnection(t *testing.T) {
	const nsps = 100
	names := make([]string, nsps)
	for i := range names {
		names[i] = fmt.Sprintf("/n%d", i)
	}
	e := newEnv(t, nil, func(io *Server) {
		for _, name := range names {
			io.Of(name)
		}
	})
	base := e.idle()
	h := startHonest(t, e, nil)
	h.waitRoundTrips(t, 3)
	heapStart := heapInuse()

	// 300 parameters of 40 bytes: 12 KB.
	var q strings.Builder
	q.WriteString("EIO=4&transport=websocket")
	for i := 0; q.Len() < 12<<10; i++ {
		fmt.Fprintf(&q, "&p%03d=%s", i, strings.Repeat("v", 34))
	}
	c, err := e.dialRaw(q.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if msg, _, err := c.readRaw(honestWait); err != nil || !strings.HasPrefix(msg, "0{") {
		t.Fatalf("open: %q %v", msg, err)
	}
	c.send(t, "40")
	c.expectPrefix(t, "40{")
	c.expect(t, `42["auth",{}]`)
	heapConn := heapInuse() // the connection and its one copy of the handshake

	attackStart := time.Now()
	if accepted, _ := connectMany(t, c, names); accepted != nsps {
		t.Fatalf("%d namespaces joined, want %d", accepted, nsps)
	}
	attackEnd := time.Now()
	heapSockets := heapInuse()
	perSocket := (int64(heapSockets) - int64(heapConn)) / nsps

	// Every socket's handshake has the connection's query and headers.
	for _, name := range append([]string{"/"}, names...) {
		socks := e.io.Of(name).Sockets()
		if len(socks) != 1 && name != "/" {
			t.Fatalf("%s: %d sockets", name, len(socks))
		}
		for _, s := range socks {
			hs := s.Handshake()
			if len(hs.Query) < 300 && name == "/" {
				continue // the honest client's socket on "/"
			}
			if len(hs.Query) < 300 || hs.Query.Get("p000") != strings.Repeat("v", 34) || hs.Headers.Get("Host") == "" {
				t.Fatalf("%s: the handshake lost the query or headers: %d parameters", name, len(hs.Query))
			}
		}
	}
	c.close()
	h.finish(t,
		honestWindow{"before", time.Time{}, attackStart},
		honestWindow{"while one connection joins 100 namespaces", attackStart, attackEnd})
	e.waitState(t, base)
	heapEnd := heapInuse()
	t.Logf("query %d B; heap: connection %+d KB, %d B per namespace socket, after leaving %+d KB",
		q.Len(), (int64(heapConn)-int64(heapStart))>>10, perSocket, (int64(heapEnd)-int64(heapStart))>>10)
	if perSocket > 4<<10 {
		t.Errorf("%d bytes per namespace socket with a %d-byte query, want at most 4096", perSocket, q.Len())
	}
	if d := int64(heapEnd) - int64(heapStart); d > 512<<10 {
		t.Errorf("heap after leaving: %+d KB, want at most 512", d>>10)
	}
	e.finish(t, base)
}
