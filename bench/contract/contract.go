package contract

import (
	"os"
	"strconv"
	"time"

	"github.com/gosio/socketio"
)

// Options returns opts (a new value if nil) with the ping interval of
// PING_INTERVAL_MS, when it is set to a positive number of milliseconds.
func Options(opts *socketio.Options) *socketio.Options {
	if opts == nil {
		opts = &socketio.Options{}
	}
	if ms, err := strconv.Atoi(os.Getenv("PING_INTERVAL_MS")); err == nil && ms > 0 {
		opts.Engine.PingInterval = time.Duration(ms) * time.Millisecond
	}
	return opts
}

// Install registers the contract's handlers on every socket of io. They
// decode the arguments generically and encode them again, as a JavaScript
// handler does.
func Install(io *socketio.Server) {
	io.OnConnection(func(s *socketio.Socket) {
		s.On("echo", func(e *socketio.Event) {
			if e.HasAck() {
				e.Ack(e.Values()...)
				return
			}
			s.Emit("echo", e.Values()...)
		})
		s.On("broadcast", func(e *socketio.Event) {
			io.Emit("msg", e.Values()...)
		})
	})
}
