package client

import (
	"reflect"
	"unsafe"
)

// funcID returns the identity of a func value, what Off compares: the
// pointer a func value holds. Go does not compare funcs, so this is the
// JavaScript rule for functions made explicit: the same func value (one
// variable passed twice, or one named function) is one listener; two
// closures made by one literal, or two evaluations of a method value
// (x.M), are two listeners, as two arrow functions or two bind calls are
// in JavaScript. It returns 0 for anything but a non-nil func.
//
// A func value is one pointer (to its closure, or to a static cell for a
// named function), stored as such in an interface: the second word of fn.
// Listeners keep their func alive, so the pointer of a registered one
// stays valid and unique.
func funcID(fn any) uintptr {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return 0
	}
	return uintptr((*[2]unsafe.Pointer)(unsafe.Pointer(&fn))[1])
}
