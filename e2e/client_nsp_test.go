package e2e

// Namespaces of one Manager, against the official socket.io server (and
// our own): each socket runs its handlers on its own (a slow handler on
// one namespace holds up neither the events nor the CONNECT reply of
// another), and each has its own options (auth static or told the
// namespace, ack timeout).

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/gosio/socketio/client"
)

var nspScenarios = []clientScenario{
	{"independent-handlers", targetOpts{}, scenarioIndependentHandlers},
	{"socket-options", targetOpts{}, scenarioSocketOptions},
}

func TestClientNamespaces(t *testing.T) {
	for _, sc := range nspScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, kind := range []string{"node", "go"} {
				t.Run(kind, func(t *testing.T) {
					t.Parallel()
					sc.run(t, startTarget(t, kind, sc.opts))
				})
			}
		})
	}
}

// A handler of /admin blocks: / still connects (its CONNECT reply is not
// queued behind /admin's handler), receives its events in order and acks
// them; /admin's own events wait, and arrive in order once it returns.
func scenarioIndependentHandlers(t *testing.T, tg sioTarget) {
	_, recs := newManager(t, tg, fastClient(), "/", "/admin")
	a, b := recs[0], recs[1]
	connectAll(t, b)
	release := holdQueue(t, b.s) // its handler of "item" 0 blocks
	adminItems := make(chan int, 64)
	b.s.On("item", func(i int) { adminItems <- i }) // from the next item on
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	// More events for /admin, behind the blocked handler.
	if _, err := b.s.EmitWithAck(ctx, "burst", 5); err != nil {
		t.Fatalf("burst on /admin: %v", err)
	}

	items := make(chan int, 64)
	a.s.On("item", func(i int) { items <- i })
	questions := make(chan string, 4)
	a.s.On("question", func(q string, ack func(string)) {
		questions <- q
		ack(q + "!")
	})
	connectAll(t, a) // fails if /'s CONNECT reply waits for /admin
	if _, err := a.s.EmitWithAck(ctx, "burst", 3); err != nil {
		t.Fatalf("burst on /: %v", err)
	}
	for i := range 3 {
		if got := recvC(t, items, fmt.Sprintf("item %d on /", i)); got != i {
			t.Fatalf("/ got item %d, want %d", got, i)
		}
	}
	// A server-to-client ack round trip on / while /admin is blocked.
	reply, err := a.s.EmitWithAck(ctx, "ask", "why")
	var answer string
	if err != nil || reply.Decode(0, &answer) != nil || answer != "why!" {
		t.Fatalf("ask on /: %v %q", err, answer)
	}
	recvC(t, questions, "question")
	noRecvC(t, adminItems, 0, "an /admin item while its handler is blocked")

	release()
	// The burst of 5 waited behind the handler, and comes in order.
	want := []int{0, 1, 2, 3, 4}
	var got []int
	for range want {
		got = append(got, recvC(t, adminItems, "an /admin item"))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("/admin items %v, want %v", got, want)
	}
	echo(t, tg, b.s)
}

// Manager.Socket(nsp, opts): each namespace sends its own auth, static or
// from a function told the namespace; nil options take the Manager's.
func scenarioSocketOptions(t *testing.T, tg sioTarget) {
	o := fastClient()
	o.Auth = map[string]any{"from": "manager"}
	m := client.NewManager(tg.url(), o)
	var mu sync.Mutex
	var told []string
	admin := watch(m.Socket("/admin", &client.SocketOptions{
		AuthFunc: func(nsp string) map[string]any {
			mu.Lock()
			told = append(told, nsp)
			mu.Unlock()
			return map[string]any{"from": "func", "nsp": nsp}
		},
		AckTimeout: 200 * time.Millisecond,
	}))
	root := watch(m.Socket("/", nil))
	mw := watch(m.Socket("/mw", &client.SocketOptions{Auth: map[string]any{"token": "mw"}}))
	t.Cleanup(func() {
		admin.s.Disconnect()
		root.s.Disconnect()
		mw.s.Disconnect()
		m.Close()
	})
	if again := m.Socket("/admin", &client.SocketOptions{Auth: map[string]any{"ignored": true}}); again != admin.s {
		t.Fatal("Socket returned a new socket for a namespace it has")
	}
	connectAll(t, admin, root)
	log := tg.log()
	ca := log.expect("connection to /admin", clientWait, isConnection("/admin"))
	cr := log.expect("connection to /", clientWait, isConnection("/"))
	if want := map[string]any{"from": "func", "nsp": "/admin"}; !reflect.DeepEqual(ca.Auth, want) {
		t.Errorf("/admin auth %v, want %v", ca.Auth, want)
	}
	if want := map[string]any{"from": "manager"}; !reflect.DeepEqual(cr.Auth, want) {
		t.Errorf("/ auth %v, want %v", cr.Auth, want)
	}
	mu.Lock()
	if !reflect.DeepEqual(told, []string{"/admin"}) {
		t.Errorf("AuthFunc told %v, want [/admin]", told)
	}
	mu.Unlock()
	if ca.Engine != cr.Engine {
		t.Errorf("two engines: %s, %s", ca.Engine, cr.Engine)
	}
	mw.s.Connect()
	var ce *client.ConnectError
	if err := recvC(t, mw.connectErrs, "refusal"); !errors.As(err, &ce) {
		t.Errorf("/mw: %v", err)
	}
	// /admin's AckTimeout is its own: "noack" fails there after 200ms, / has
	// none (only the context bounds it).
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	if _, err := admin.s.EmitWithAck(ctx, "noack"); !errors.Is(err, client.ErrTimeout) {
		t.Errorf("/admin noack: %v, want ErrTimeout", err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel2()
	start := time.Now()
	if _, err := root.s.EmitWithAck(short, "noack"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("/ noack: %v, want the context's deadline", err)
	}
	if time.Since(start) < 350*time.Millisecond {
		t.Errorf("/ noack ended after %v: the Manager has no ack timeout", time.Since(start))
	}
}
