package e2e

// client.Dialer shares one Manager per server among namespaces, as
// socket.io-client's io(url) does, against the official socket.io server
// and ours: what the server sees (one Engine.IO connection or several)
// is what io() gives.

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/gosio/socketio/client"
)

var dialerScenarios = []clientScenario{
	{"dialer", targetOpts{}, scenarioDialer},
}

func TestClientDialer(t *testing.T) {
	for _, sc := range dialerScenarios {
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

func scenarioDialer(t *testing.T, tg sioTarget) {
	var d client.Dialer
	t.Cleanup(d.Close)
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	log := tg.log()
	dial := func(path string, o *client.Options) (*client.Socket, srvEvent) {
		t.Helper()
		s, err := d.Connect(ctx, tg.url()+path, o)
		if err != nil {
			t.Fatalf("Connect %s: %v", path, err)
		}
		return s, log.expect("connection to "+path, clientWait, isConnection(path))
	}
	o := fastClient()
	o.Auth = map[string]any{"n": 1}
	root, c1 := dial("/", o)
	o2 := fastClient()
	o2.Auth = map[string]any{"n": 2}
	admin, c2 := dial("/admin", o2)
	// io(url) twice, two namespaces: one Manager, one Engine.IO connection,
	// each socket with its own auth.
	if root.Manager() != admin.Manager() || c1.Engine != c2.Engine || c2.Clients != 1 {
		t.Errorf("managers shared %v, engines %s %s, clients %d", root.Manager() == admin.Manager(), c1.Engine, c2.Engine, c2.Clients)
	}
	if !reflect.DeepEqual(c1.Auth, map[string]any{"n": float64(1)}) || !reflect.DeepEqual(c2.Auth, map[string]any{"n": float64(2)}) {
		t.Errorf("auth %v, %v", c1.Auth, c2.Auth)
	}
	// The same namespace again: a new Manager (io() does the same).
	again, c3 := dial("/", fastClient())
	if again.Manager() == root.Manager() || c3.Engine == c1.Engine {
		t.Errorf("the same namespace shared its Manager")
	}
	// ForceNew: a new Manager even for another namespace.
	fo := fastClient()
	fo.ForceNew = true
	forced, c4 := dial("/admin", fo)
	if forced.Manager() == root.Manager() || c4.Engine == c1.Engine {
		t.Errorf("ForceNew shared the Manager")
	}
	if n := len(d.Managers()); n != 3 {
		t.Errorf("%d managers, want 3", n)
	}
	recs := []*sockRec{watch(root), watch(admin), watch(again), watch(forced)}
	d.Close()
	for _, r := range recs {
		if reason := recvC(t, r.disconnects, "disconnect"); reason != "forced close" {
			t.Errorf("%s: %q after Dialer.Close", r.s.Namespace(), reason)
		}
	}
	for range 4 {
		log.expect("disconnect", clientWait, func(ev srvEvent) bool { return ev.Event == "disconnect" })
	}
	if _, err := d.Socket(tg.url()+"/", nil); !errors.Is(err, client.ErrDialerClosed) {
		t.Errorf("Socket after Close: %v", err)
	}
}
