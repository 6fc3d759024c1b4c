package parser

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// The fields of a struct type as encoding/json sees them, for the encoder
// (names, order, options) and for the decoder (which field a key sets).

// field is one JSON member of a struct type.
type field struct {
	name      string
	prefix    []byte // `"name":`
	tagged    bool   // the name comes from a json tag
	index     []int  // path through embedded structs
	typ       reflect.Type
	omitEmpty bool
	omitZero  bool
	quoted    bool // the string option, on a string, number or bool
	isZero    func(reflect.Value) bool
}

type structFields struct {
	list   []field
	exact  map[string]int // name -> list index
	folded map[string]int // folded name -> list index (the first one)
}

var fieldCache sync.Map // reflect.Type -> *structFields

// fieldsOf returns the JSON fields of the struct type t, computed once.
func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f, _ := fieldCache.LoadOrStore(t, typeFields(t))
	return f.(*structFields)
}

// lookup returns the field a JSON object key sets when decoding: the field
// of that exact name, else one whose name matches ignoring case (as
// encoding/json matches).
func (sf *structFields) lookup(key string) *field {
	if i, ok := sf.exact[key]; ok {
		return &sf.list[i]
	}
	if i, ok := sf.folded[foldName(key)]; ok {
		return &sf.list[i]
	}
	return nil
}

// typeFields finds the fields of t by Go's rules for embedded structs,
// with encoding/json's changes: a json tag names a field (and makes an
// embedded struct a field rather than a source of promoted fields), a tagged
// field wins over untagged ones at the same depth, and names that stay
// ambiguous are dropped.
func typeFields(t reflect.Type) *structFields {
	type embedded struct {
		typ   reflect.Type
		index []int
		times int // how often this level reaches typ
	}
	var found []field
	visited := map[reflect.Type]bool{}
	next := []*embedded{{typ: t, times: 1}}
	for len(next) > 0 {
		level := next
		next = nil
		queued := map[reflect.Type]*embedded{}
		for _, s := range level {
			if visited[s.typ] {
				continue
			}
			visited[s.typ] = true
			for i := range s.typ.NumField() {
				sf := s.typ.Field(i)
				if sf.Anonymous {
					et := sf.Type
					if et.Kind() == reflect.Pointer {
						et = et.Elem()
					}
					if !sf.IsExported() && et.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !isValidTag(name) {
					name = ""
				}
				index := append(slices.Clip(s.index), i)
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					// its fields are promoted: look at them on the next level
					if q := queued[ft]; q != nil {
						q.times++
					} else {
						q = &embedded{typ: ft, index: index, times: 1}
						queued[ft] = q
						next = append(next, q)
					}
					continue
				}
				f := field{name: name, tagged: name != "", index: index, typ: sf.Type,
					omitEmpty: hasOption(opts, "omitempty"), omitZero: hasOption(opts, "omitzero")}
				if f.name == "" {
					f.name = sf.Name
				}
				if hasOption(opts, "string") {
					switch ft.Kind() {
					case reflect.Bool,
						reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
						reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
						reflect.Float32, reflect.Float64, reflect.String:
						f.quoted = true
					}
				}
				f.prefix = append(appendJSONString(nil, f.name), ':')
				if f.omitZero {
					f.isZero = zeroTest(sf.Type)
				}
				found = append(found, f)
				if s.times > 1 {
					// reached twice at one depth: ambiguous, as a duplicate makes it
					found = append(found, f)
				}
			}
		}
	}
	// For each name keep the dominant field: the shallowest, a tagged one
	// before untagged ones; none if two tie.
	slices.SortFunc(found, func(a, b field) int {
		if c := strings.Compare(a.name, b.name); c != 0 {
			return c
		}
		if c := len(a.index) - len(b.index); c != 0 {
			return c
		}
		if a.tagged != b.tagged {
			if a.tagged {
				return -1
			}
			return 1
		}
		return slices.Compare(a.index, b.index)
	})
	var list []field
	for i := 0; i < len(found); {
		j := i + 1
		for j < len(found) && found[j].name == found[i].name {
			j++
		}
		if j == i+1 || len(found[i].index) != len(found[i+1].index) || found[i].tagged != found[i+1].tagged {
			list = append(list, found[i])
		}
		i = j
	}
	slices.SortFunc(list, func(a, b field) int { return slices.Compare(a.index, b.index) })
	sf := &structFields{list: list, exact: make(map[string]int, len(list)), folded: make(map[string]int, len(list))}
	for i, f := range list {
		sf.exact[f.name] = i
		if k := foldName(f.name); !hasKey(sf.folded, k) {
			sf.folded[k] = i
		}
	}
	return sf
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

func hasOption(opts, name string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == name {
			return true
		}
	}
	return false
}

// isValidTag reports whether a json tag name is usable (else the Go name
// is used): letters, digits and punctuation other than quote, backslash
// and comma.
func isValidTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

type isZeroer interface{ IsZero() bool }

var isZeroerType = reflect.TypeFor[isZeroer]()

// zeroTest is the omitzero test for type t: its IsZero method if it has
// one (never called on a nil pointer or interface), else reflect's.
func zeroTest(t reflect.Type) func(reflect.Value) bool {
	switch {
	case t.Kind() == reflect.Interface && t.Implements(isZeroerType):
		return func(v reflect.Value) bool {
			return v.IsNil() || v.Elem().Kind() == reflect.Pointer && v.Elem().IsNil() || v.Interface().(isZeroer).IsZero()
		}
	case t.Kind() == reflect.Pointer && t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.IsNil() || v.Interface().(isZeroer).IsZero() }
	case t.Implements(isZeroerType):
		return func(v reflect.Value) bool { return v.Interface().(isZeroer).IsZero() }
	case reflect.PointerTo(t).Implements(isZeroerType):
		return func(v reflect.Value) bool {
			if !v.CanAddr() {
				c := reflect.New(v.Type()).Elem()
				c.Set(v)
				v = c
			}
			return v.Addr().Interface().(isZeroer).IsZero()
		}
	}
	return reflect.Value.IsZero
}

// foldName folds s so that two names match ignoring case exactly when
// their folds are equal (as bytes.EqualFold compares).
func foldName(s string) string {
	var buf [32]byte
	out := buf[:0]
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		out = utf8.AppendRune(out, smallestFold(r))
		i += n
	}
	return string(out)
}

// smallestFold returns the smallest rune of the case-folding orbit of r.
func smallestFold(r rune) rune {
	for {
		f := unicode.SimpleFold(r)
		if f <= r {
			return f
		}
		r = f
	}
}
