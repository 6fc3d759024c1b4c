package parser

import "slices"

// phRef is a placeholder object found in a JSON text.
type phRef struct {
	start, end       int // span of the object
	numStart, numEnd int // span of its "num" value
	num              int // -1 if num is not a plain non-negative integer
	path             []pathStep
}

// pathStep is one step from a JSON value to a member of it.
type pathStep struct {
	key   []byte // an object member's key (a JSON string token), nil for an array element
	index int    // an array element's index
}

// phWalker walks a JSON text and lists its placeholder objects: objects
// whose "_placeholder" member is true (the last one, as JSON.parse keeps),
// the test of the reference parser and of [Decoder]. It checks the syntax
// and the nesting as the scanner does.
type phWalker struct {
	data   []byte
	nested bool // also list placeholders inside placeholders (in opening order)
	paths  bool // record where each placeholder is

	refs    []phRef
	path    []pathStep
	tooDeep bool
}

// value walks the value at data[i] (no leading space) nested at depth and
// returns the index after it, or -1.
func (w *phWalker) value(i, depth int) int {
	d := w.data
	if i >= len(d) {
		return -1
	}
	switch c := d[i]; c {
	case '"':
		return stringEnd(d, i)
	case '{':
		return w.object(i, depth+1)
	case '[':
		return w.array(i, depth+1)
	case 't':
		return literalEnd(d, i, "true")
	case 'f':
		return literalEnd(d, i, "false")
	case 'n':
		return literalEnd(d, i, "null")
	default:
		if c == '-' || isDigit(c) {
			return numberEnd(d, i)
		}
		return -1
	}
}

func (w *phWalker) array(i, depth int) int {
	if depth > MaxDepth {
		w.tooDeep = true
		return -1
	}
	d := w.data
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == ']' {
		return i + 1
	}
	for n := 0; ; n++ {
		if w.paths {
			w.path = append(w.path, pathStep{index: n})
		}
		i = w.value(i, depth)
		if w.paths {
			w.path = w.path[:len(w.path)-1]
		}
		if i < 0 {
			return -1
		}
		if i = skipSpace(d, i); i >= len(d) {
			return -1
		}
		switch d[i] {
		case ']':
			return i + 1
		case ',':
			i = skipSpace(d, i+1)
		default:
			return -1
		}
	}
}

func (w *phWalker) object(i, depth int) int {
	if depth > MaxDepth {
		w.tooDeep = true
		return -1
	}
	d := w.data
	start, mark := i, len(w.refs)
	isPh, numStart, numEnd := false, -1, -1
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		return i + 1
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return -1
		}
		keyStart := i
		if i = stringEnd(d, i); i < 0 {
			return -1
		}
		key := d[keyStart:i:i]
		if i = skipSpace(d, i); i >= len(d) || d[i] != ':' {
			return -1
		}
		valStart := skipSpace(d, i+1)
		if w.paths {
			w.path = append(w.path, pathStep{key: key})
		}
		i = w.value(valStart, depth)
		if w.paths {
			w.path = w.path[:len(w.path)-1]
		}
		if i < 0 {
			return -1
		}
		switch {
		case stringIs(key, "_placeholder"):
			isPh = string(d[valStart:i]) == "true"
		case stringIs(key, "num"):
			numStart, numEnd = valStart, i
		}
		if i = skipSpace(d, i); i >= len(d) {
			return -1
		}
		if d[i] == '}' {
			i++
			break
		}
		if d[i] != ',' {
			return -1
		}
		i = skipSpace(d, i+1)
	}
	if isPh {
		num, ok := placeholderNum(d, numStart, numEnd)
		if !ok {
			num = -1
		}
		if !w.nested {
			w.refs = w.refs[:mark] // hidden by this one
		}
		r := phRef{start: start, end: i, numStart: numStart, numEnd: numEnd, num: num}
		if w.paths {
			r.path = slices.Clone(w.path)
		}
		w.refs = slices.Insert(w.refs, mark, r)
	}
	return i
}
