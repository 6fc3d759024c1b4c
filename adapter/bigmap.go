package adapter

import "hash/maphash"

// bigMap is a map from strings for sets that may grow very large and
// shrink again: a socket's rooms, a namespace's rooms, a room's sockets.
// It differs from a Go map in two ways.
//
//   - It gives memory back. A Go map keeps the room of its deleted entries
//     for good; each part of a bigMap is rebuilt at its current size when
//     it has fallen to a quarter of the size it grew to, and dropped when
//     empty.
//   - No single operation takes long. Past splitAt entries it is split by
//     hash into mapShards parts, so that rebuilding a part copies a
//     bounded share of the entries (a Go map's own growth is already
//     incremental), and it merges back into one part below mergeAt.
//
// The zero value is an empty map. It is not safe for concurrent use; the
// Memory adapter guards it with its lock.
type bigMap[V any] struct {
	first  mapPart[V]   // the only part, while not split
	shards []mapPart[V] // the parts once split (first is then empty)
	n      int          // entries in all parts
	copied int          // entries copied by rebuilds, splits and merges
}

type mapPart[V any] struct {
	m    map[string]V
	peak int // the most entries m has held since it was made
}

const (
	mapShards = 64   // parts of a split map (a power of two)
	splitAt   = 8192 // split a map holding more entries than this
	mergeAt   = 1024 // merge a split map holding fewer entries than this
	minShrink = 64   // parts that never held this many are not rebuilt
)

var shardSeed = maphash.MakeSeed()

func (b *bigMap[V]) part(k string) *mapPart[V] {
	if b.shards == nil {
		return &b.first
	}
	return &b.shards[maphash.String(shardSeed, k)&(mapShards-1)]
}

// len returns the number of entries.
func (b *bigMap[V]) len() int { return b.n }

// get returns the value of k.
func (b *bigMap[V]) get(k string) (V, bool) {
	v, ok := b.part(k).m[k]
	return v, ok
}

// put sets k to v; it reports whether k is new.
func (b *bigMap[V]) put(k string, v V) bool {
	p := b.part(k)
	if p.m == nil {
		p.m = make(map[string]V)
	}
	before := len(p.m)
	p.m[k] = v
	if len(p.m) == before {
		return false
	}
	b.n++
	p.peak = max(p.peak, len(p.m))
	if b.shards == nil && b.n > splitAt {
		b.split()
	}
	return true
}

// del deletes k; it reports whether k was there.
func (b *bigMap[V]) del(k string) bool {
	p := b.part(k)
	before := len(p.m)
	delete(p.m, k)
	if len(p.m) == before {
		return false
	}
	b.n--
	switch {
	case b.shards != nil && b.n < mergeAt:
		b.merge()
	case len(p.m) == 0:
		p.m, p.peak = nil, 0
	case p.peak >= minShrink && len(p.m) <= p.peak/4:
		p.rebuild()
		b.copied += len(p.m)
	}
	return true
}

// all yields every entry, in no particular order; the map must not change
// meanwhile.
func (b *bigMap[V]) all(yield func(string, V) bool) {
	if b.shards == nil {
		for k, v := range b.first.m {
			if !yield(k, v) {
				return
			}
		}
		return
	}
	for i := range b.shards {
		for k, v := range b.shards[i].m {
			if !yield(k, v) {
				return
			}
		}
	}
}

// rebuild replaces m by a map of its current size.
func (p *mapPart[V]) rebuild() {
	m := make(map[string]V, len(p.m))
	for k, v := range p.m {
		m[k] = v
	}
	p.m, p.peak = m, len(m)
}

func (b *bigMap[V]) split() {
	old := b.first.m
	b.first = mapPart[V]{}
	b.shards = make([]mapPart[V], mapShards)
	b.copied += len(old)
	for k, v := range old {
		p := b.part(k)
		if p.m == nil {
			p.m = make(map[string]V, 2*len(old)/mapShards)
		}
		p.m[k] = v
		p.peak = max(p.peak, len(p.m))
	}
}

func (b *bigMap[V]) merge() {
	m := make(map[string]V, b.n)
	for k, v := range b.all {
		m[k] = v
	}
	b.shards = nil
	b.first = mapPart[V]{m: m, peak: len(m)}
	b.copied += len(m)
}
