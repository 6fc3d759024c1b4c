package client

import (
	"testing"
)

type counter struct{ n int }

func (c *counter) inc(int) { c.n++ }

func named(int) {}

// funcID follows JavaScript's identity of functions.
func TestFuncID(t *testing.T) {
	f := func(int) {}
	mk := func() func(int) { x := 0; return func(int) { x++ } }
	var c counter
	m := c.inc
	var nilFunc func()
	cases := []struct {
		name string
		a, b any
		same bool
	}{
		{"one variable", f, f, true},
		{"one named function", named, named, true},
		{"two closures of one literal", mk(), mk(), false},
		{"one method value", m, m, true},
		{"two method values", c.inc, c.inc, false},
		{"different functions", f, named, false},
	}
	for _, tc := range cases {
		if got := funcID(tc.a) == funcID(tc.b); got != tc.same {
			t.Errorf("%s: same %v, want %v", tc.name, got, tc.same)
		}
		if funcID(tc.a) == 0 {
			t.Errorf("%s: id 0", tc.name)
		}
	}
	if funcID(nilFunc) != 0 || funcID(nil) != 0 || funcID(3) != 0 {
		t.Error("funcID of a nil func or a non-func is not 0")
	}
}

// Off removes the first listener registered with the func, Once ones
// included; Off without funcs removes all; the lists keep call order.
func TestListenersOff(t *testing.T) {
	var l listeners
	var calls []string
	a := func(*Event) { calls = append(calls, "a") }
	b := func(*Event) { calls = append(calls, "b") }
	o := func(*Event) { calls = append(calls, "once") }
	l.on("x", a, false)
	l.on("x", b, false)
	l.on("x", a, false)
	l.on("x", o, true)
	run := func() {
		calls = nil
		for _, f := range l.take("x") {
			f(&Event{Name: "x"})
		}
	}
	l.off("x", []any{a})
	run()
	if got := len(calls); got != 3 || calls[0] != "b" || calls[1] != "a" || calls[2] != "once" {
		t.Fatalf("calls %v, want [b a once]", calls)
	}
	run()
	if len(calls) != 2 {
		t.Fatalf("once listener called twice: %v", calls)
	}
	l.on("x", o, true)
	l.off("x", []any{o, func(*Event) {}}) // an unknown func is ignored
	if n := len(l.list("x")); n != 2 {
		t.Fatalf("%d listeners, want 2", n)
	}
	l.off("x", nil)
	if n := len(l.list("x")); n != 0 {
		t.Fatalf("%d listeners after off(x)", n)
	}

	l.onAny(a, false)
	l.onAny(b, true)
	l.onAny(a, false)
	l.offAny([]func(*Event){a})
	if ls := l.anyList(); len(ls) != 2 || funcID(ls[0]) != funcID(b) || funcID(ls[1]) != funcID(a) {
		t.Fatalf("catch-all listeners after offAny(a): %d", len(ls))
	}
	l.offAny(nil)
	if len(l.anyList()) != 0 {
		t.Fatal("offAny() left listeners")
	}

	var out []string
	x := func(ev string, _ []any) { out = append(out, "x") }
	y := func(ev string, _ []any) { out = append(out, "y") }
	l.onAnyOutgoing(x, false)
	l.onAnyOutgoing(y, true)
	l.notifyOutgoing("e", nil)
	if len(out) != 2 || out[0] != "y" || out[1] != "x" {
		t.Fatalf("outgoing order %v, want [y x]", out)
	}
	l.offAnyOutgoing([]func(string, []any){y})
	if ls := l.outgoingList(); len(ls) != 1 || funcID(ls[0]) != funcID(x) {
		t.Fatal("offAnyOutgoing(y)")
	}
}
