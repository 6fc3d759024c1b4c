package parser

import (
	"reflect"
	"testing"
)

type selfPtr *selfPtr

// TestDecodeCycles: the walks of the target's type and value end on
// pointer cycles (encoding/json itself would not decode into some of
// them, but the walks must not be what hangs).
func TestDecodeCycles(t *testing.T) {
	if d, _ := destinationOf(reflect.TypeFor[selfPtr](), []pathStep{{index: 0}}); d != destDrop {
		t.Fatalf("destination %v", d)
	}
	var self any
	self = &self
	called := false
	setAt(reflect.ValueOf(&self).Elem(), []pathStep{{index: 0}}, func(reflect.Value) { called = true })
	if called {
		t.Fatal("set called through a cycle")
	}
}
