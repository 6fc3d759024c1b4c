package e2e

// A client's last emit before it leaves reaches the handler, as with Node:
// socket.io-client's emit("bye") then disconnect() puts the EVENT, the
// DISCONNECT and the engine close on the wire back to back, and the
// server must handle the event before it closes the connection.

import (
	"testing"
	"time"

	socketio "github.com/gosio/socketio"
)

func TestSIOLastEmitBeforeLeaving(t *testing.T) {
	for _, mode := range []string{modeWebSocket, modePolling} {
		t.Run(mode, func(t *testing.T) {
			byes := make(chan string, 64)
			reasons := make(chan socketio.Reason, 64)
			ss := startSIO(t, nil, func(io *socketio.Server) {
				io.OnConnection(func(s *socketio.Socket) {
					s.On("bye", func(v string) { byes <- v })
					s.OnDisconnect(func(r socketio.Reason, _ error) { reasons <- r })
				})
			})
			c := startSIOClient(t, ss, sioClientOptions(mode))
			const n = 10
			for i := 0; i < n; i++ {
				id := string(rune('a' + i))
				c.connect(id, "/", id, nil) // each on its own connection
				c.emit(id, "bye", id)
				c.do(map[string]any{"cmd": "disconnect", "id": id})
				if got := recv(t, byes, "bye "+id); got != id {
					t.Fatalf("bye %q, want %q", got, id)
				}
				if r := recv(t, reasons, "disconnect"); r != socketio.ReasonClientNamespaceDisconnect {
					t.Fatalf("reason %q", r)
				}
			}
			noRecv(t, byes, 50*time.Millisecond, "bye")
		})
	}
}
