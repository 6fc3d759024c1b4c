package socketio

// Issue 11 item 5: dynamic namespaces were first come, first served. One
// connection could take every slot of MaxDynamicNamespaces, and without
// CleanupEmptyChildNamespaces keep them until restart. Now one
// connection creates at most MaxDynamicNamespacesPerConnection children,
// and children left empty go after EmptyChildNamespaceGrace.

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// connectMany sends a CONNECT for each name, pipelined in batches, and
// counts the names accepted and those refused with "Invalid namespace".
func connectMany(t testing.TB, c *wsConn, names []string) (accepted, refused int) {
	t.Helper()
	const batch = 100
	for i := 0; i < len(names); i += batch {
		part := names[i:min(i+batch, len(names))]
		for _, name := range part {
			c.send(t, "40"+name+",")
		}
		for _, name := range part {
			msg, _, err := c.recv(honestWait)
			switch {
			case err != nil:
				t.Fatalf("CONNECT %s: %v", name, err)
			case strings.HasPrefix(msg, "40"+name+",{"):
				accepted++
			case msg == "44"+name+`,{"message":"Invalid namespace"}`:
				refused++
			default:
				t.Fatalf("CONNECT %s: got %q", name, trunc(msg))
			}
		}
	}
	return accepted, refused
}

func dynNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("/dyn-%s-%d", prefix, i)
	}
	return out
}

func (s *Server) nsp(name string) *Namespace {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.nsps[name]
}

// TestDynamicNamespacesFairShare: two attacking connections try 1000 new
// child names each, as fast as they can, and stay in what they got. Each
// gets MaxDynamicNamespacesPerConnection (10), the rest "Invalid
// namespace"; so an honest client can still create a child (before: the
// first attacker took all 30 slots). Once the attackers leave, their
// children go after the grace and the slots come back. An honest client's
// echoes are answered throughout; the heap stays within 2 MB of where it
// started, and comes back within 1 MB.
func TestDynamicNamespacesFairShare(t *testing.T) {
	opts := robustOptions()
	opts.MaxDynamicNamespaces = 30
	opts.EmptyChildNamespaceGrace = 100 * time.Millisecond
	e := newEnv(t, opts, func(io *Server) {
		io.OfFunc(func(name string, _ map[string]any) bool { return strings.HasPrefix(name, "/dyn-") })
	})
	base := e.idle()
	heapBefore := heapInuse()
	h := startHonest(t, e, nil)
	h.waitRoundTrips(t, 3)

	attackStart := time.Now()
	var attackers []*wsConn
	for a := range 2 {
		c := e.openWS(t)
		attackers = append(attackers, c)
		accepted, refused := connectMany(t, c, dynNames(fmt.Sprint(a), 1000))
		if accepted != 10 || refused != 990 {
			t.Errorf("attacker %d: %d children created, %d refused; want 10 and 990", a, accepted, refused)
		}
	}
	attackEnd := time.Now()
	heapDuring := heapInuse()
	if got := e.io.snapshot().Namespaces - base.Namespaces; got != 20 {
		t.Errorf("%d children, want 20", got)
	}
	// The attackers' own CONNECTs to children that exist still work.
	attackers[0].send(t, "40/dyn-1-0,")
	attackers[0].expectPrefix(t, "40/dyn-1-0,{")

	// An honest client creates a child of its own.
	hc := e.openWS(t)
	hc.send(t, "40/dyn-honest,")
	hc.expectPrefix(t, "40/dyn-honest,{")
	hc.send(t, "41/dyn-honest,")

	// The attackers leave: their children are reclaimed after the grace,
	// and the honest client's too, as it left it.
	leaveStart := time.Now()
	for _, c := range attackers {
		c.close()
	}
	waitFor(t, "children reclaimed", func() bool { return e.io.snapshot().Namespaces == base.Namespaces })
	leaveEnd := time.Now()
	e.io.mu.RLock()
	dynamic, counted := e.io.dynamic, len(e.io.created)
	e.io.mu.RUnlock()
	if dynamic != 0 || counted != 1 { // the honest connection is still open
		t.Errorf("after reclaim: %d dynamic namespaces, %d connections counted", dynamic, counted)
	}
	// The slots are back: a fresh connection gets its 10.
	c := e.openWS(t)
	if accepted, _ := connectMany(t, c, dynNames("late", 12)); accepted != 10 {
		t.Errorf("after reclaim: %d children created, want 10", accepted)
	}
	c.close()
	hc.close()
	h.finish(t,
		honestWindow{"before", time.Time{}, attackStart},
		honestWindow{"during the CONNECT flood", attackStart, attackEnd},
		honestWindow{"while the children are reclaimed", leaveStart, leaveEnd})
	e.waitState(t, base)
	heapAfter := heapInuse()
	t.Logf("heap: before %d KB, during %+d KB, after %+d KB", heapBefore>>10,
		(int64(heapDuring)-int64(heapBefore))>>10, (int64(heapAfter)-int64(heapBefore))>>10)
	if d := int64(heapDuring) - int64(heapBefore); d > 2<<20 {
		t.Errorf("heap during the attack: %+d KB, want at most 2048", d>>10)
	}
	if d := int64(heapAfter) - int64(heapBefore); d > 1<<20 {
		t.Errorf("heap after the attack: %+d KB, want at most 1024", d>>10)
	}
	e.finish(t, base)
}

// TestEmptyChildNamespaceGrace: a child left empty goes after the grace,
// as does one a refused CONNECT created; one a socket is in, and one the
// application asked for with Of, stay; a negative grace keeps them all;
// Close stops the timers.
func TestEmptyChildNamespaceGrace(t *testing.T) {
	opts := robustOptions()
	opts.EmptyChildNamespaceGrace = 50 * time.Millisecond
	e := newEnv(t, opts, func(io *Server) {
		io.OfFunc(func(name string, _ map[string]any) bool { return strings.HasPrefix(name, "/dyn-") })
		io.OfFunc(func(name string, _ map[string]any) bool { return strings.HasPrefix(name, "/refused-") }).
			Use(func(*Socket) error { return errors.New("no") })
	})
	base := e.idle()
	c := e.openWS(t)
	for _, name := range []string{"/dyn-used", "/dyn-pinned", "/dyn-left"} {
		c.send(t, "40"+name+",")
		c.expectPrefix(t, "40"+name+",{")
	}
	c.send(t, "40/refused-1,")
	c.expect(t, `44/refused-1,{"message":"no"}`)
	pinned := e.io.Of("/dyn-pinned")
	if pinned != e.io.nsp("/dyn-pinned") {
		t.Fatal("Of did not return the child")
	}
	c.send(t, "41/dyn-pinned,")
	c.send(t, "41/dyn-left,")
	waitFor(t, "the empty child reclaimed", func() bool {
		return e.io.nsp("/dyn-left") == nil && e.io.nsp("/refused-1") == nil
	})
	if e.io.nsp("/dyn-used") == nil || e.io.nsp("/dyn-pinned") == nil {
		t.Fatal("a child in use, or asked for with Of, was reclaimed")
	}
	pinned.mu.RLock()
	armed := pinned.reclaim != nil
	pinned.mu.RUnlock()
	if armed {
		t.Error("a reclaim timer was armed for a child asked for with Of")
	}
	e.io.mu.RLock()
	counted := 0
	for _, cc := range e.io.created {
		counted += cc.n
	}
	e.io.mu.RUnlock()
	if counted != 1 { // /dyn-used; /dyn-pinned no longer counts, the others are gone
		t.Errorf("the connection has %d children counted, want 1", counted)
	}
	// The used child goes once left.
	c.send(t, "41/dyn-used,")
	waitFor(t, "the used child reclaimed once left", func() bool { return e.io.nsp("/dyn-used") == nil })
	c.close()
	e.waitState(t, stateSnap{Namespaces: base.Namespaces + 1}) // the pinned child
	e.close()
	goleak.VerifyNone(t)

	t.Run("negative grace keeps children", func(t *testing.T) {
		opts := robustOptions()
		opts.EmptyChildNamespaceGrace = -1
		e := newEnv(t, opts, func(io *Server) {
			io.OfFunc(func(name string, _ map[string]any) bool { return strings.HasPrefix(name, "/dyn-") })
		})
		c := e.openWS(t)
		c.send(t, "40/dyn-kept,")
		c.expectPrefix(t, "40/dyn-kept,{")
		c.send(t, "41/dyn-kept,")
		c.close()
		waitFor(t, "client gone", func() bool { return e.io.snapshot().Clients == 0 })
		n := e.io.nsp("/dyn-kept")
		if n == nil || n.reclaim != nil {
			t.Fatalf("child %v, timer armed %v", n, n != nil && n.reclaim != nil)
		}
	})
	t.Run("Close stops the timers", func(t *testing.T) {
		opts := robustOptions()
		opts.EmptyChildNamespaceGrace = time.Hour
		e := newEnv(t, opts, func(io *Server) {
			io.OfFunc(func(name string, _ map[string]any) bool { return strings.HasPrefix(name, "/dyn-") })
		})
		c := e.openWS(t)
		c.send(t, "40/dyn-a,")
		c.expectPrefix(t, "40/dyn-a,{")
		c.send(t, "41/dyn-a,")
		n := e.io.nsp("/dyn-a")
		waitFor(t, "timer armed", func() bool {
			n.mu.RLock()
			defer n.mu.RUnlock()
			return n.reclaim != nil
		})
		e.close()
		if n.reclaim.Stop() {
			t.Error("Close left the reclaim timer running")
		}
	})
}

// TestDynamicNamespaceDefaults: the defaults documented on Options.
func TestDynamicNamespaceDefaults(t *testing.T) {
	io := NewServer(nil)
	defer io.Close()
	if o := io.opts; o.MaxDynamicNamespacesPerConnection != 10 || o.EmptyChildNamespaceGrace != 30*time.Second || o.MaxDynamicNamespaces != 10000 {
		t.Errorf("defaults: per connection %d, grace %v, cap %d", o.MaxDynamicNamespacesPerConnection, o.EmptyChildNamespaceGrace, o.MaxDynamicNamespaces)
	}
	io2 := NewServer(&Options{MaxDynamicNamespacesPerConnection: -1, EmptyChildNamespaceGrace: -1})
	defer io2.Close()
	if o := io2.opts; o.MaxDynamicNamespacesPerConnection != -1 || o.EmptyChildNamespaceGrace != -1 {
		t.Errorf("negative values not kept: %d %v", o.MaxDynamicNamespacesPerConnection, o.EmptyChildNamespaceGrace)
	}
}
