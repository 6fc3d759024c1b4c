package e2e

// Issue 10 item 5: a polling POST over maxHttpBufferSize. Node's server
// answers 413 and keeps the session; socket.io-client treats the failed
// POST as a transport error, closes the engine (sending POST "1"), and the
// server then records "transport close". The same scenario runs against
// Node's socket.io server and against ours, and both must give the client
// and the server the same reasons.

import (
	"strings"
	"testing"
)

func TestSIOOversizedPollingPost(t *testing.T) {
	for _, kind := range []string{"node", "go"} {
		t.Run(kind, func(t *testing.T) {
			// maxHttpBufferSize is 1e6 on both servers (the default).
			srv := startTarget(t, kind, targetOpts{transports: []string{"polling"}})
			c := startSIOClient(t, &sioServer{url: srv.url()}, map[string]any{"transports": []string{"polling"}, "upgrade": false})
			ev := c.connect("a", "/", "", nil)
			srv.log().expect("connection", sioTimeout, isConnection("/"))

			// One event whose POST body is over 1e6 bytes.
			c.emit("a", "big", strings.Repeat("x", 1_100_000))

			d := c.expect(match{event: "disconnect", id: "a"}, sioTimeout)
			if d.Reason != "transport error" {
				t.Fatalf("client disconnect reason %q (%s), want \"transport error\"", d.Reason, d.raw)
			}
			if d.Description != "xhr post error" {
				t.Fatalf("client disconnect description %q, want \"xhr post error\"", d.Description)
			}
			cl := c.expect(match{event: "close", id: "main"}, sioTimeout)
			if cl.Reason != "transport error" {
				t.Fatalf("client engine close reason %q, want \"transport error\"", cl.Reason)
			}
			sd := srv.log().expect("disconnect", sioTimeout, func(e srvEvent) bool { return e.Event == "disconnect" && e.ID == ev.SID })
			if sd.Reason != "transport close" {
				t.Fatalf("server disconnect reason %q, want \"transport close\" (the client's close after the 413)", sd.Reason)
			}
			// The oversized event never reached a handler.
			srv.log().expectNone("event big", 0, isEvent("/", "big"))
		})
	}
}
