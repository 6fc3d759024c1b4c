package socketio

// The disconnect contract (issue "Structure"): whichever goroutine starts
// a disconnect, the socket's context is cancelled at once and the
// lifecycle handlers run on the connection's handler goroutine, after the
// running handler returns, in order, with the cause. And issue "Hostile
// clients" item 1: a handler waiting for the client's ack never outlives
// the connection.

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gosio/socketio/adapter"
	"github.com/gosio/socketio/engineio"
	"github.com/gosio/socketio/internal/testutil"
	"go.uber.org/goleak"
)

// goid returns the calling goroutine's id, read from its stack header
// ("goroutine 42 [running]:"). For tests only.
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	if i := bytes.IndexByte(b, ' '); i > 0 {
		b = b[:i]
	}
	n, _ := strconv.ParseUint(string(b), 10, 64)
	return n
}

// lifeRecord is what a socket's handlers saw, in order.
type lifeRecord struct {
	mu     sync.Mutex
	steps  []string
	gids   []uint64
	reason Reason
	cause  error
	done   chan struct{}
}

func (r *lifeRecord) add(step string) {
	r.mu.Lock()
	r.steps = append(r.steps, step)
	r.gids = append(r.gids, goid())
	r.mu.Unlock()
}

func TestDisconnectContractEveryOrigin(t *testing.T) {
	origins := []struct {
		name   string
		start  func(t *testing.T, e *env, c *wsConn, s *Socket) // starts the disconnect
		reason Reason
		cause  func(error) bool
	}{
		{"client close", func(t *testing.T, e *env, c *wsConn, s *Socket) { c.close() },
			ReasonTransportClose, func(error) bool { return true }},
		{"server Disconnect", func(t *testing.T, e *env, c *wsConn, s *Socket) { go s.Disconnect(false) },
			ReasonServerNamespaceDisconnect, func(err error) bool { return err == nil }},
		{"adapter DisconnectSockets", func(t *testing.T, e *env, c *wsConn, s *Socket) {
			go e.io.In(s.ID()).DisconnectSockets(true)
		}, ReasonServerNamespaceDisconnect, func(err error) bool { return err == nil }},
		{"ping timeout", func(t *testing.T, e *env, c *wsConn, s *Socket) {}, // the client stops answering
			ReasonPingTimeout, func(error) bool { return true }},
		{"server Close", func(t *testing.T, e *env, c *wsConn, s *Socket) { go e.io.Close() },
			ReasonServerShuttingDown, func(err error) bool { return err == nil }},
	}
	for _, o := range origins {
		t.Run(o.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			rec := &lifeRecord{done: make(chan struct{})}
			started := make(chan *Socket, 1)
			release := make(chan struct{})
			var initiator uint64
			e := newEnv(t, nil, func(io *Server) {
				io.OnConnection(func(s *Socket) {
					s.On("block", func() {
						rec.add("handler")
						started <- s
						<-release // not the context: the handler keeps running
						rec.add("handler returns")
					})
					s.OnDisconnecting(func(r Reason, _ error) { rec.add("disconnecting") })
					s.OnDisconnect(func(r Reason, err error) {
						rec.add("disconnect")
						rec.reason, rec.cause = r, err
						close(rec.done)
					})
				})
			})
			c, _ := e.connectWS(t)
			c.send(t, `42["block"]`)
			s := <-started
			initiator = goid()
			o.start(t, e, c, s)
			select {
			case <-s.Context().Done():
			case <-time.After(3 * time.Second):
				t.Fatal("context not cancelled while the handler runs")
			}
			if s.Connected() {
				t.Error("still Connected after the disconnect started")
			}
			time.Sleep(20 * time.Millisecond)
			rec.mu.Lock()
			early := len(rec.steps)
			rec.mu.Unlock()
			if early != 1 {
				t.Fatalf("lifecycle handlers ran while the handler runs: %v", rec.steps)
			}
			close(release)
			select {
			case <-rec.done:
			case <-time.After(3 * time.Second):
				t.Fatal("disconnect handler never ran")
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			want := []string{"handler", "handler returns", "disconnecting", "disconnect"}
			if len(rec.steps) != len(want) {
				t.Fatalf("steps %v, want %v", rec.steps, want)
			}
			for i := range want {
				if rec.steps[i] != want[i] {
					t.Fatalf("steps %v, want %v", rec.steps, want)
				}
				if rec.gids[i] != rec.gids[0] {
					t.Errorf("%s ran on goroutine %d, the handler on %d", want[i], rec.gids[i], rec.gids[0])
				}
			}
			if rec.gids[0] == initiator {
				t.Error("test bug: the initiator ran on the handler goroutine")
			}
			if rec.reason != o.reason || !o.cause(rec.cause) {
				t.Errorf("reason %q cause %v, want %q", rec.reason, rec.cause, o.reason)
			}
			c.close()
			e.close()
		})
	}
}

// A client too slow to read is closed with "transport error" and the
// cause engineio.ErrWriteBufferFull reaches the disconnect handler.
func TestDisconnectCauseSlowConsumer(t *testing.T) {
	opts := robustOptions()
	opts.Engine.MaxBufferedBytes = 64 << 10
	got := make(chan error, 1)
	var reason Reason
	e := newEnv(t, opts, func(io *Server) {
		io.OnConnection(func(s *Socket) {
			s.On("flood", func() {
				big := string(bytes.Repeat([]byte("x"), 16<<10))
				for i := 0; i < 10000 && s.Connected(); i++ {
					s.Emit("big", big)
				}
			})
			s.OnDisconnect(func(r Reason, err error) { reason = r; got <- err })
		})
	})
	c, _ := e.connectWS(t)
	defer c.close()
	c.send(t, `42["flood"]`) // and never read again
	select {
	case err := <-got:
		if reason != ReasonTransportError || !errors.Is(err, engineio.ErrWriteBufferFull) {
			t.Fatalf("reason %q cause %v, want transport error with ErrWriteBufferFull", reason, err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("slow consumer never disconnected")
	}
}

// Issue "Hostile clients" item 1: a handler waiting on EmitWithAck with
// the socket's context returns when the client leaves without answering;
// the socket leaves its namespace and rooms, nothing leaks.
func TestDisconnectEndsAckWait(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	waitErr := make(chan error, 64)
	asked := make(chan struct{}, 64)
	e := newEnv(t, nil, func(io *Server) {
		io.OnConnection(func(s *Socket) {
			s.Join("r")
			s.On("ask", func() {
				asked <- struct{}{}
				_, err := s.EmitWithAck(s.Context(), "question")
				waitErr <- err
			})
		})
	})
	defer e.close()
	h := startHonest(t, e, nil)
	h.waitRoundTrips(t, 3)
	attack := time.Now()
	c, sid := e.connectWS(t)
	c.send(t, `42["ask"]`)
	<-asked
	// Events queued behind the waiting handler (within MaxInboundBacklog)
	// still reach the handler after the close, as Node handles every
	// event that arrived; each of their waits ends at once.
	big := `42["ask","` + string(bytes.Repeat([]byte("y"), 100<<10)) + `"]`
	for i := 0; i < 20; i++ {
		c.send(t, big)
	}
	c.close()
	select {
	case err := <-waitErr:
		if !errors.Is(err, ErrDisconnected) {
			t.Fatalf("EmitWithAck error %v, want ErrDisconnected", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the handler still waits after the client left")
	}
	waitFor(t, "socket gone", func() bool {
		_, in := e.io.Sockets().Sockets()[sid]
		return !in && len(e.io.Sockets().Adapter().SocketRooms(sid)) == 0 && len(e.io.Sockets().Adapter().Sockets(adapter.BroadcastOptions{Rooms: []string{"r"}})) == 1
	})
	// Every handler that started (those of the events the server read
	// before the close) returned at once with ErrDisconnected.
	if started, ended := len(asked)+1, len(waitErr)+1; started != ended {
		t.Fatalf("%d handlers started, %d returned", started, ended)
	}
	for len(waitErr) > 0 {
		if err := <-waitErr; !errors.Is(err, ErrDisconnected) {
			t.Fatalf("EmitWithAck error %v, want ErrDisconnected", err)
		}
	}
	h.waitRoundTrips(t, 3)
	h.finish(t, honestWindow{"during and after the attack", attack, time.Now()})
	e.close()
}

// Issue "Hostile clients" item 2: the inbound backlog is bounded in bytes.
// A client sends 1 MB events faster than a 50 ms handler takes them: the
// heap stays within a few times MaxInboundBacklog, and once the client
// leaves, what runs of its backlog is bounded by MaxInboundBacklog.
func TestInboundBacklogBoundedInBytes(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	opts := robustOptions()
	opts.Engine.PingTimeout = 5 * time.Second // the flood must not look like a dead client
	var calls atomic.Int64
	e := newEnv(t, opts, func(io *Server) {
		io.OnConnection(func(s *Socket) {
			s.On("db", func(string) {
				calls.Add(1)
				time.Sleep(50 * time.Millisecond)
			})
		})
	})
	defer e.close()
	h := startHonest(t, e, nil)
	h.waitRoundTrips(t, 3)
	base := heapInuse()
	c, _ := e.connectWS(t)
	floodStart := time.Now()
	event := []byte(`42["db","` + string(bytes.Repeat([]byte("z"), 999_000)) + `"]`)
	stop := make(chan struct{})
	sent := make(chan int, 1)
	go func() {
		n := 0
		for ; n < 200; n++ {
			select {
			case <-stop:
				sent <- n
				return
			default:
			}
			if c.write(testutil.OpText, event) != nil {
				break
			}
		}
		sent <- n
	}()
	var peak uint64
	for i := 0; i < 50; i++ { // 1 s of flood
		time.Sleep(20 * time.Millisecond)
		runtime.GC()
		if h := heapInuse(); h > peak {
			peak = h
		}
	}
	close(stop)
	floodEnd := time.Now()
	c.close()
	n := <-sent
	grown := int64(peak) - int64(base)
	t.Logf("sent %d MB, handler ran %d times, heap grew at most %d KB (MaxInboundBacklog %d KB)",
		n, calls.Load(), grown>>10, e.io.opts.MaxInboundBacklog>>10)
	if limit := int64(4*e.io.opts.MaxInboundBacklog) + 8<<20; grown > limit {
		t.Fatalf("heap grew %d KB during the flood, bound %d KB", grown>>10, limit>>10)
	}
	waitFor(t, "attacker gone", func() bool { return len(e.io.Sockets().Sockets()) == 1 })
	after := calls.Load()
	h.waitRoundTrips(t, 3)
	time.Sleep(300 * time.Millisecond)
	if late := calls.Load() - after; late > 0 {
		t.Fatalf("%d queued events ran after the socket left", late)
	}
	if ran, bound := calls.Load(), int64(n); ran > bound {
		t.Fatalf("%d handler calls for %d events", ran, bound)
	}
	h.finish(t, honestWindow{"during the flood", floodStart, floodEnd}, honestWindow{"after", floodEnd, time.Now()})
}

// Shutdown waits for the disconnect handlers until its context ends, and
// then returns the context's error instead of a fixed wait.
func TestShutdownHonoursContext(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	e := newEnv(t, nil, func(io *Server) {
		io.OnConnection(func(s *Socket) {
			s.On("stuck", func() { close(started); <-release }) // ignores its context
		})
	})
	defer e.close()
	c, _ := e.connectWS(t)
	defer c.close()
	c.send(t, `42["stuck"]`)
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := e.io.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown with a stuck handler: %v, want the context's deadline", err)
	}
	close(release)
}
