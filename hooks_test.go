package socketio

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/engineio/packet"
)

// hookTrace records the hook calls, one line each, with "<sid>" standing
// for the test socket's id once known.
type hookTrace struct {
	mu    sync.Mutex
	lines []string
	sid   string
}

func (h *hookTrace) add(format string, args ...any) {
	h.mu.Lock()
	line := fmt.Sprintf(format, args...)
	if h.sid != "" {
		line = strings.ReplaceAll(line, h.sid, "<sid>")
	}
	h.lines = append(h.lines, line)
	h.mu.Unlock()
}

func (h *hookTrace) setSID(sid string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sid = sid
	for i, l := range h.lines {
		h.lines[i] = strings.ReplaceAll(l, sid, "<sid>")
	}
}

func (h *hookTrace) snapshot() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.lines)
}

// wait waits until every line of want was recorded, in that order
// (other lines may come between).
func (h *hookTrace) wait(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		got := h.snapshot()
		i := 0
		for _, l := range got {
			if i < len(want) && l == want[i] {
				i++
			}
		}
		if i == len(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("hook calls never showed %q (in order);\ngot:\n%s", want, strings.Join(got, "\n"))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func traceHooks(h *hookTrace) *Hooks {
	return &Hooks{
		NamespaceCreated: func(n *Namespace) { h.add("namespace %s", n.Name()) },
		Connect:          func(s *Socket) { h.add("connect %s %s", s.Namespace().Name(), s.ID()) },
		Disconnect: func(s *Socket, r Reason, cause error) {
			h.add("disconnect %s %s", s.ID(), r)
		},
		RoomJoined:  func(n *Namespace, room, id string) { h.add("join %s %s %s", n.Name(), room, id) },
		RoomLeft:    func(n *Namespace, room, id string) { h.add("leave %s %s %s", n.Name(), room, id) },
		DataChanged: func(s *Socket, v any) { h.add("data %s %v", s.ID(), v) },
		Event: func(s *Socket, e *Event) func(error) {
			h.add("event %s", e.Name)
			return func(err error) { h.add("done %s %v", e.Name, err) }
		},
		Emit: func(n *Namespace, s *Socket, event string, rooms []string) func() {
			to := "-"
			if s != nil {
				to = s.ID()
			}
			h.add("emit %s %s %s %v", n.Name(), to, event, rooms)
			return func() { h.add("emitted %s", event) }
		},
		Ack: func(s *Socket, d time.Duration) {
			if d > 0 {
				h.add("ack %s", s.ID())
			}
		},
		Engine: &engineio.Hooks{
			Open:  func(s *engineio.Socket) { h.add("engine open %s", s.TransportName()) },
			Close: func(s *engineio.Socket, reason string, err error) { h.add("engine close %s", reason) },
			PacketIn: func(s *engineio.Socket, t packet.Type, n int) {
				if t == packet.Message {
					h.add("engine in %d", n)
				}
			},
			PacketsOut: func(s *engineio.Socket, count, n int) { h.add("engine out %d %d", count, n) },
		},
	}
}

var errHookTest = errors.New("handler failed")

// TestHooksSocketLifecycle drives one socket through every socket-level
// hook and checks each is called with the right values, in the right
// order relative to the handlers.
func TestHooksSocketLifecycle(t *testing.T) {
	var h hookTrace
	opts := robustOptions()
	opts.Engine.PingInterval = time.Minute // the raw client answers pings only while it reads
	opts.Hooks = traceHooks(&h)
	e := newEnv(t, opts, func(io *Server) {
		io.OnConnection(func(s *Socket) {
			s.On("join", func(room string) { s.Join(room) })
			s.On("leave", func(room string) { s.Leave(room) })
			s.On("fail", func() error { return errHookTest })
			s.On("boom", func() { panic("boom") })
			s.On("data", func(v string) { s.SetData(v) })
		})
		io.OfFunc(func(name string, _ map[string]any) bool { return strings.HasPrefix(name, "/dyn-") })
	})
	e.allowPanics = true
	h.wait(t, "namespace /", "namespace /custom")

	c, sid := e.connectWS(t)
	h.setSID(sid)
	h.wait(t, "engine open websocket", "join / <sid> <sid>", "connect / <sid>", "emit / <sid> auth []", "emitted auth")

	c.send(t, `42["join","r1"]`)
	h.wait(t, "engine in 14", "event join", "join / r1 <sid>", "done join <nil>")

	if err := e.io.To("r1").Emit("hello", 1); err != nil {
		t.Fatal(err)
	}
	c.expect(t, `42["hello",1]`)
	h.wait(t, "emit / - hello [r1]", "engine out 1 12", "emitted hello")

	c.send(t, `42["fail"]`)
	h.wait(t, "event fail", "done fail "+errHookTest.Error())
	c.send(t, `42["boom"]`)
	h.wait(t, "event boom", "done boom "+ErrHandlerPanicked.Error())
	c.send(t, `42["data","x"]`)
	h.wait(t, "data <sid> x")

	e.io.In(sid).SocketsJoin("r2")
	h.wait(t, "join / r2 <sid>")
	e.io.SocketsJoin("r2") // already in it: no second report
	e.io.SocketsLeave("r2")
	h.wait(t, "leave / r2 <sid>")
	c.send(t, `42["leave","r1"]`)
	h.wait(t, "leave / r1 <sid>")

	reply := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_, err := e.io.Sockets().Socket(sid).EmitWithAck(ctx, "q")
		reply <- err
	}()
	msg := c.expectPrefix(t, "42")
	id := strings.TrimSuffix(strings.TrimPrefix(msg, "42"), `["q"]`)
	c.send(t, "43"+id+"[]")
	if err := <-reply; err != nil {
		t.Fatalf("EmitWithAck: %v", err)
	}
	h.wait(t, "ack <sid>")

	dyn := e.openWS(t)
	dyn.send(t, "40/dyn-1,")
	dyn.expectPrefix(t, "40/dyn-1,")
	h.wait(t, "namespace /dyn-1")

	c.close()
	h.wait(t, "engine close transport close", "leave / <sid> <sid>", "disconnect <sid> transport close")

	got := strings.Join(h.snapshot(), "\n")
	if n := strings.Count(got, "join / r2 <sid>"); n != 1 {
		t.Errorf("joining a room twice reported %d joins:\n%s", n, got)
	}
}

// TestHooksAddedLater: hooks added with AddHooks run after those of
// Options, both for an event and for its done func.
func TestHooksAddedLater(t *testing.T) {
	var h hookTrace
	tag := func(name string) *Hooks {
		return &Hooks{
			Event: func(s *Socket, e *Event) func(error) {
				h.add("%s event %s", name, e.Name)
				return func(error) { h.add("%s done %s", name, e.Name) }
			},
			Connect: func(*Socket) { h.add("%s connect", name) },
		}
	}
	opts := robustOptions()
	opts.Hooks = tag("first")
	e := newEnv(t, opts)
	e.io.AddHooks(tag("second"))
	e.io.AddHooks(&Hooks{Event: func(*Socket, *Event) func(error) { return nil }}) // no done func
	c, _ := e.connectWS(t)
	h.wait(t, "first connect", "second connect")
	c.send(t, `42["message","x"]`)
	c.expect(t, `42["message-back","x"]`)
	h.wait(t, "first event message", "second event message", "first done message", "second done message")
}

// TestServerNamespaces lists namespaces sorted, with their socket counts.
func TestServerNamespaces(t *testing.T) {
	e := newEnv(t, nil)
	e.io.Of("/b")
	e.io.OfRegexp(regexp.MustCompile(`^/z`))
	e.connectWS(t)
	var names []string
	for _, n := range e.io.Namespaces() {
		names = append(names, n.Name())
	}
	if want := []string{"/", "/b", "/custom"}; !slices.Equal(names, want) {
		t.Fatalf("Namespaces = %q, want %q", names, want)
	}
	if n := e.io.Sockets().SocketsCount(); n != 1 {
		t.Fatalf("SocketsCount = %d", n)
	}
}
