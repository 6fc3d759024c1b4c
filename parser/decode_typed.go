package parser

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strconv"
)

// Decoding an argument into a Go value with its attachments: encoding/json
// decodes the text, in which each placeholder has been replaced by what
// suits its destination (null where the attachment is then set directly,
// base64 where only encoding/json can place it), and the attachments are
// then set at the placeholders' paths, following the value as
// encoding/json filled it.

// destination is what a placeholder's place in the target type asks for.
type destination int

const (
	destSet    destination = iota // a byte slice or an interface: set the attachment
	destDrop                      // no field takes it
	destBase64                    // anything else: a base64 string, as encoding/json writes a []byte
	destArg                       // inside an Arg: keep the placeholder, give the Arg the attachments
)

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	bytesType           = reflect.TypeFor[[]byte]()
)

// decodeArg decodes raw, one argument, into v; att are the attachments of
// its packet.
func decodeArg(raw json.RawMessage, att [][]byte, v any) error {
	if p, ok := v.(*Arg); ok && p != nil {
		*p = Arg{raw: raw, att: att}
		return nil
	}
	if len(att) == 0 {
		return json.Unmarshal(raw, v)
	}
	if n, ok := Placeholder(raw); ok && n < len(att) {
		switch p := v.(type) {
		case *[]byte:
			*p = att[n]
			return nil
		case *any:
			*p = att[n]
			return nil
		}
	}
	if p, ok := v.(*any); ok && p != nil {
		var x any
		if err := json.Unmarshal(raw, &x); err != nil {
			return err
		}
		*p = resolveGeneric(x, att)
		return nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return json.Unmarshal(raw, v) // its error
	}
	w := phWalker{data: raw, paths: true}
	if w.value(0, 1) != len(raw) || len(w.refs) == 0 {
		return json.Unmarshal(raw, v)
	}
	root := rv.Type().Elem()
	dests := make([]destination, len(w.refs))
	argAt := make([]int, len(w.refs)) // for destArg: the length of the path to the Arg
	text := make([]byte, 0, len(raw))
	last := 0
	for k, r := range w.refs {
		if r.num < 0 || r.num >= len(att) {
			dests[k] = destDrop // not a placeholder of this packet: left as data
			continue
		}
		dests[k], argAt[k] = destinationOf(root, r.path)
		text = append(text, raw[last:r.start]...)
		switch dests[k] {
		case destArg:
			text = append(text, raw[r.start:r.end]...)
		case destBase64:
			text = append(text, '"')
			text = base64.StdEncoding.AppendEncode(text, att[r.num])
			text = append(text, '"')
		default:
			text = append(text, "null"...)
		}
		last = r.end
	}
	text = append(text, raw[last:]...)
	if err := json.Unmarshal(text, v); err != nil {
		return err
	}
	for k, r := range w.refs {
		switch dests[k] {
		case destSet:
			b := att[r.num]
			setAt(rv.Elem(), r.path, func(v reflect.Value) { assignBytes(v, b) })
		case destArg:
			setAt(rv.Elem(), r.path[:argAt[k]], func(v reflect.Value) { giveAttachments(v, att) })
		}
	}
	return nil
}

// hasUnmarshaler reports whether encoding/json decodes into t (addressable)
// with a method of the type.
func hasUnmarshaler(t reflect.Type) bool {
	if t.Implements(unmarshalerType) || t.Implements(textUnmarshalerType) {
		return true
	}
	if t.Kind() == reflect.Pointer {
		return false
	}
	p := reflect.PointerTo(t)
	return p.Implements(unmarshalerType) || p.Implements(textUnmarshalerType)
}

// destinationOf follows path through the type t and says what the value
// there wants; for destArg it also returns the length of the path to the
// Arg.
func destinationOf(t reflect.Type, path []pathStep) (destination, int) {
	for i, hops := 0, 0; ; {
		if t == argType {
			return destArg, i
		}
		if t.Kind() == reflect.Pointer {
			if t.Elem() != argType && hasUnmarshaler(t) {
				return destBase64, 0
			}
			if hops++; hops > MaxDepth { // type P *P
				return destDrop, 0
			}
			t = t.Elem()
			continue
		}
		if hasUnmarshaler(t) {
			return destBase64, 0
		}
		if i == len(path) {
			switch {
			case t.Kind() == reflect.Interface && t.NumMethod() == 0:
				return destSet, 0
			case t.Kind() == reflect.Slice && bytesType.ConvertibleTo(t) && isByteSlice(t):
				return destSet, 0
			}
			return destBase64, 0
		}
		step := path[i]
		i++
		switch t.Kind() {
		case reflect.Interface:
			if t.NumMethod() == 0 {
				return destSet, 0 // decoded generically: found in the maps and slices
			}
			return destBase64, 0
		case reflect.Struct:
			if step.key == nil {
				return destBase64, 0
			}
			key, ok := unquote(step.key)
			if !ok {
				return destDrop, 0
			}
			f := fieldsOf(t).lookup(key)
			if f == nil {
				return destDrop, 0
			}
			if f.quoted {
				return destBase64, 0
			}
			t = f.typ
		case reflect.Map:
			if step.key == nil || !mapKeyDecodable(t.Key()) {
				return destBase64, 0
			}
			t = t.Elem()
		case reflect.Slice, reflect.Array:
			if step.key != nil {
				return destBase64, 0
			}
			t = t.Elem()
		default:
			return destBase64, 0
		}
	}
}

// mapKeyDecodable reports whether encoding/json decodes objects into maps
// with key type k.
func mapKeyDecodable(k reflect.Type) bool {
	switch k.Kind() {
	case reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return reflect.PointerTo(k).Implements(textUnmarshalerType)
}

// setAt follows path from v, a value encoding/json has just filled, and
// calls set on the value found there. Nil pointers on the way are
// allocated, as encoding/json allocates them; a path that leads nowhere
// (an index past the end, a value that is not there) is left alone.
func setAt(v reflect.Value, path []pathStep, set func(reflect.Value)) {
	for hops := 0; hops <= MaxDepth; hops++ { // a pointer cycle ends
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				if !v.CanSet() {
					return
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
			continue
		case reflect.Interface:
			if len(path) > 0 && !v.IsNil() {
				if e := v.Elem(); e.Kind() == reflect.Map || e.Kind() == reflect.Slice || e.Kind() == reflect.Pointer {
					v = e
					continue
				}
			}
		}
		if len(path) == 0 {
			set(v)
			return
		}
		step := path[0]
		path = path[1:]
		switch v.Kind() {
		case reflect.Struct:
			if v.Type() == argType || step.key == nil {
				return
			}
			key, ok := unquote(step.key)
			if !ok {
				return
			}
			f := fieldsOf(v.Type()).lookup(key)
			if f == nil {
				return
			}
			for _, x := range f.index {
				if v.Kind() == reflect.Pointer {
					if v.IsNil() {
						if !v.CanSet() {
							return
						}
						v.Set(reflect.New(v.Type().Elem()))
					}
					v = v.Elem()
				}
				v = v.Field(x)
			}
		case reflect.Map:
			if step.key != nil {
				setInMap(v, step.key, path, set)
			}
			return
		case reflect.Slice, reflect.Array:
			if step.key != nil || step.index >= v.Len() {
				return
			}
			v = v.Index(step.index)
		default:
			return
		}
	}
}

// setInMap continues setAt in the map value under the JSON key token
// keyTok: map values are not addressable, so a copy is changed and stored.
func setInMap(m reflect.Value, keyTok []byte, path []pathStep, set func(reflect.Value)) {
	if m.IsNil() {
		return
	}
	ks, ok := unquote(keyTok)
	if !ok {
		return
	}
	k, ok := mapKeyOf(m.Type().Key(), ks)
	if !ok {
		return
	}
	cur := m.MapIndex(k)
	if !cur.IsValid() {
		return
	}
	c := reflect.New(m.Type().Elem()).Elem()
	c.Set(cur)
	setAt(c, path, set)
	m.SetMapIndex(k, c)
}

// mapKeyOf converts a JSON object key to a key of type kt, as
// encoding/json does.
func mapKeyOf(kt reflect.Type, s string) (reflect.Value, bool) {
	if reflect.PointerTo(kt).Implements(textUnmarshalerType) {
		k := reflect.New(kt)
		if k.Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)) != nil {
			return reflect.Value{}, false
		}
		return k.Elem(), true
	}
	k := reflect.New(kt).Elem()
	switch kt.Kind() {
	case reflect.String:
		k.SetString(s)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || k.OverflowInt(n) {
			return reflect.Value{}, false
		}
		k.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || k.OverflowUint(n) {
			return reflect.Value{}, false
		}
		k.SetUint(n)
	default:
		return reflect.Value{}, false
	}
	return k, true
}

// assignBytes stores b in v, a byte slice or an empty interface.
func assignBytes(v reflect.Value, b []byte) {
	if !v.CanSet() {
		return
	}
	switch {
	case v.Kind() == reflect.Interface && v.NumMethod() == 0:
		v.Set(reflect.ValueOf(b))
	case v.Kind() == reflect.Slice && bytesType.ConvertibleTo(v.Type()):
		v.Set(reflect.ValueOf(b).Convert(v.Type()))
	}
}

// giveAttachments gives the Arg v the attachments its placeholders index.
func giveAttachments(v reflect.Value, att [][]byte) {
	if v.Type() == argType && v.CanAddr() && v.Addr().CanInterface() {
		v.Addr().Interface().(*Arg).att = att
	}
}

// resolveGeneric replaces the placeholder objects of a generically decoded
// value by their attachments, in place (the test of the reference parser:
// "_placeholder" is true and "num" indexes an attachment).
func resolveGeneric(x any, att [][]byte) any {
	switch v := x.(type) {
	case []any:
		for i := range v {
			v[i] = resolveGeneric(v[i], att)
		}
	case map[string]any:
		if ph, _ := v["_placeholder"].(bool); ph {
			if f, ok := v["num"].(float64); ok && f >= 0 && f < float64(len(att)) && f == float64(int(f)) {
				return att[int(f)]
			}
		}
		for k, e := range v {
			v[k] = resolveGeneric(e, att)
		}
	}
	return x
}
