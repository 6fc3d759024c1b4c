package adapter

import "slices"

// roomList is a member's rooms but its own. A socket is usually in a few
// rooms: up to listMax they are a slice, searched in order, which keeps
// its room when emptied, so that joining and leaving a room again does
// not allocate; past listMax they move to a bigMap, and back to a slice
// when they fall to half of listMax. Guarded by Memory.mu, like bigMap.
type roomList struct {
	few  []string          // while many is nil
	many *bigMap[struct{}] // past listMax rooms
}

const listMax = 8

// len returns the number of rooms.
func (l *roomList) len() int {
	if l.many != nil {
		return l.many.len()
	}
	return len(l.few)
}

// has reports whether r is in l.
func (l *roomList) has(r string) bool {
	if l.many != nil {
		_, ok := l.many.get(r)
		return ok
	}
	return slices.Contains(l.few, r)
}

// put adds r; it reports whether r is new.
func (l *roomList) put(r string) bool {
	switch {
	case l.many != nil:
		return l.many.put(r, struct{}{})
	case slices.Contains(l.few, r):
		return false
	case len(l.few) < listMax:
		l.few = append(l.few, r)
		return true
	}
	l.many = &bigMap[struct{}]{}
	for _, x := range l.few {
		l.many.put(x, struct{}{})
	}
	l.few = nil
	return l.many.put(r, struct{}{})
}

// del removes r; it reports whether r was there.
func (l *roomList) del(r string) bool {
	if l.many == nil {
		i := slices.Index(l.few, r)
		if i < 0 {
			return false
		}
		l.few = slices.Delete(l.few, i, i+1)
		return true
	}
	if !l.many.del(r) {
		return false
	}
	if l.many.len() <= listMax/2 {
		l.few = make([]string, 0, listMax)
		for x := range l.many.all {
			l.few = append(l.few, x)
		}
		l.many = nil
	}
	return true
}

// all yields every room, in no particular order; l must not change
// meanwhile.
func (l *roomList) all(yield func(string) bool) {
	if l.many != nil {
		for r := range l.many.all {
			if !yield(r) {
				return
			}
		}
		return
	}
	for _, r := range l.few {
		if !yield(r) {
			return
		}
	}
}
