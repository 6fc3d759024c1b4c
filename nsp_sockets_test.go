package socketio

import (
	"fmt"
	"testing"
)

// The list and its map form answer the same, across the switch.
func TestNspSockets(t *testing.T) {
	var n nspSockets
	socks := map[string]*Socket{}
	for i := range 3 * maxListedSockets {
		name := fmt.Sprintf("/n%d", i)
		s := &Socket{nsp: &Namespace{name: name}}
		n.set(s)
		socks[name] = s
		if n.len() != len(socks) {
			t.Fatalf("after %d: len %d", i+1, n.len())
		}
		for name, s := range socks {
			if n.get(name) != s {
				t.Fatalf("after %d: get(%s) is wrong", i+1, name)
			}
		}
	}
	again := &Socket{nsp: &Namespace{name: "/n0"}}
	n.set(again)
	if n.get("/n0") != again || n.len() != len(socks) {
		t.Fatal("set does not replace the namespace's socket")
	}
	n.remove(socks["/n0"]) // not the current one: kept
	if n.get("/n0") != again {
		t.Fatal("remove removed another socket of the namespace")
	}
	for name, s := range socks {
		if name != "/n0" {
			n.remove(s)
		}
	}
	n.remove(again)
	if n.len() != 0 || len(n.all()) != 0 || n.get("/n1") != nil {
		t.Fatalf("after removing all: len %d", n.len())
	}

	var small nspSockets
	a, b := &Socket{nsp: &Namespace{name: "/"}}, &Socket{nsp: &Namespace{name: "/b"}}
	small.set(a)
	small.set(b)
	small.remove(a)
	if small.get("/") != nil || small.get("/b") != b || len(small.all()) != 1 {
		t.Fatal("list remove")
	}
}
