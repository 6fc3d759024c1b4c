package socketio

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gosio/socketio/parser"
)

// TestDeepEcho (issue 11 item 8): one nesting limit for what is received
// and what is sent. Arguments nested to parser.MaxDepth, the most the
// decoder accepts, are echoed back by every way of writing an echo (the
// encoder used to stop at 1000 levels and the ack was dropped silently);
// one level more is a parse error; a value the encoder refuses is an
// error the handler sees, from Ack or through OnError.
func TestDeepEcho(t *testing.T) {
	errs := make(chan error, 8)
	e := newEnv(t, nil, func(io *Server) {
		io.OnConnection(func(s *Socket) {
			s.OnError(func(err error) { errs <- err })
			s.On("echoArgs", func(ev *Event) { ev.Ack(ev.Args) })
			s.On("echoTyped", func(v any, ack func(any)) { ack(v) })
			s.On("emitBack", func(ev *Event) { s.Emit("back", ev.Args) })
			s.On("tooDeep", func(ev *Event) {
				err := ev.Ack([]any{ev.Arg(0)}) // one level more than arrived
				errs <- err
				ev.Ack(err.Error())
			})
			s.On("tooDeepTyped", func(v any, ack func(any)) { ack([]any{v}) })
		})
	})
	c, _ := e.connectWS(t)

	// the payload array is level 1: an argument nests MaxDepth-1 levels
	levels := parser.MaxDepth - 1
	arg := strings.Repeat("[", levels) + "1" + strings.Repeat("]", levels)
	for i, event := range []string{"message-with-ack", "echoArgs", "echoTyped"} {
		c.send(t, fmt.Sprintf(`42%d["%s",%s]`, i, event, arg))
		c.expect(t, fmt.Sprintf(`43%d[%s]`, i, arg))
	}
	c.send(t, `42["emitBack",`+arg+`]`)
	c.expect(t, `42["back",`+arg+`]`)

	c.send(t, `429["tooDeep",`+arg+`]`)
	if err := <-errs; !errors.Is(err, parser.ErrTooDeep) {
		t.Fatalf("Ack of a value past MaxDepth: %v", err)
	}
	c.expect(t, fmt.Sprintf(`439[%q]`, parser.ErrTooDeep.Error()))
	c.send(t, `4210["tooDeepTyped",`+arg+`]`)
	select {
	case err := <-errs:
		if !errors.Is(err, parser.ErrTooDeep) || !strings.Contains(err.Error(), `"tooDeepTyped"`) {
			t.Fatalf("OnError got %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the typed ack's error did not reach OnError")
	}

	// one level more than MaxDepth is refused when received
	c.send(t, `42["echoArgs",[`+arg+`]]`)
	if msg, _, err := c.recv(2 * time.Second); err == nil && msg != "1" {
		t.Fatalf("payload past MaxDepth answered %q", trunc(msg))
	}
}
