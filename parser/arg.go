package parser

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
)

// Arg is one argument as received from a peer: its JSON text exactly as it
// arrived, placeholders included, with the attachments of its packet.
// [EncodeArgs] writes an Arg back unchanged (key order, number spelling and
// binary data alike), its placeholders renumbered among the attachments of
// the new packet; that is how a value is relayed to other peers as a Node
// server would relay it, where a decoded Go map would have its keys sorted.
//
// An Arg comes from [Args.Arg], or from decoding an argument into an Arg
// (a handler parameter, or a field at any depth of one). It keeps the
// attachments of its packet alive. The zero Arg is JSON null.
type Arg struct {
	raw json.RawMessage
	att [][]byte
}

// Arg returns argument i as received, or the zero Arg (null) if there is
// no argument i.
func (a Args) Arg(i int) Arg {
	if i < 0 || i >= len(a.raw) {
		return Arg{}
	}
	return Arg{raw: a.raw[i], att: a.att}
}

// Raw returns the JSON text of the argument, placeholders left in (nil for
// the zero Arg).
func (a Arg) Raw() json.RawMessage { return a.raw }

// Decode decodes the argument into v as [Args.Decode] does.
func (a Arg) Decode(v any) error {
	if len(a.raw) == 0 {
		return json.Unmarshal([]byte("null"), v)
	}
	return decodeArg(a.raw, a.att, v)
}

// MarshalJSON returns the JSON text of the argument with each attachment
// as a base64 string, as encoding/json writes a []byte (EncodeArgs does not
// use it: it sends the attachments as binary).
func (a Arg) MarshalJSON() ([]byte, error) {
	if len(a.raw) == 0 {
		return []byte("null"), nil
	}
	if len(a.att) == 0 {
		return a.raw, nil
	}
	w := phWalker{data: a.raw}
	if w.value(0, 0) < 0 {
		return nil, errArgText
	}
	out := make([]byte, 0, len(a.raw))
	last := 0
	for _, r := range w.refs {
		if r.num < 0 || r.num >= len(a.att) {
			continue
		}
		out = append(out, a.raw[last:r.start]...)
		out = append(out, '"')
		out = base64.StdEncoding.AppendEncode(out, a.att[r.num])
		out = append(out, '"')
		last = r.end
	}
	return append(out, a.raw[last:]...), nil
}

// UnmarshalJSON keeps a copy of the JSON text. Decoded through
// [Args.Decode], the Arg also gets the packet's attachments.
func (a *Arg) UnmarshalJSON(b []byte) error {
	b = trimSpace(b)
	s := scanner{data: b}
	if len(b) == 0 || s.value(0, 1) != len(b) {
		return errArgText
	}
	*a = Arg{raw: slices.Clone(b)}
	return nil
}

var (
	errArgText        = errors.New("socketio: Arg is not one JSON value")
	errArgPlaceholder = errors.New("socketio: Arg has a placeholder without its attachment")
)

// appendArg writes a as received, renumbering its placeholders.
func (e *argEncoder) appendArg(dst []byte, a Arg, l level) ([]byte, error) {
	if len(a.raw) == 0 {
		return append(dst, "null"...), nil
	}
	if len(a.att) == 0 {
		// No attachments: objects that look like placeholders are data.
		// An argument of the payload array was within MaxDepth where it
		// came from; elsewhere check.
		if l != topLevel {
			s := scanner{data: a.raw}
			if s.value(0, l.depth) < 0 {
				return nil, ErrTooDeep
			}
		}
		return append(dst, a.raw...), nil
	}
	w := phWalker{data: a.raw, nested: true, refs: e.refs[:0]}
	defer func() { e.refs = w.refs[:0] }() // scratch, reused
	if w.value(0, l.depth) != len(a.raw) {
		if w.tooDeep {
			return nil, ErrTooDeep
		}
		return nil, errArgText
	}
	base := len(e.att)
	inPlace := true
	for k, r := range w.refs {
		if r.num < 0 || r.num >= len(a.att) {
			return nil, errArgPlaceholder
		}
		inPlace = inPlace && r.num == base+k
	}
	for _, r := range w.refs {
		e.att = append(e.att, a.att[r.num])
	}
	if inPlace {
		return append(dst, a.raw...), nil
	}
	// Rewrite each num (the walk lists placeholders in the order they
	// open, which for nested ones is not the order of their nums).
	spans := w.refs // renumbered in place: the attachments are recorded
	for k := range spans {
		spans[k].num = base + k
	}
	slices.SortFunc(spans, func(a, b phRef) int { return a.numStart - b.numStart })
	last := 0
	for _, r := range spans {
		dst = append(dst, a.raw[last:r.numStart]...)
		dst = strconv.AppendInt(dst, int64(r.num), 10)
		last = r.numEnd
	}
	return append(dst, a.raw[last:]...), nil
}

// appendArgsArray writes a nested Args as an array of its arguments.
func (e *argEncoder) appendArgsArray(dst []byte, a Args, l level) ([]byte, error) {
	in, err := l.nest()
	if err != nil {
		return nil, err
	}
	dst = append(dst, '[')
	for i := range a.raw {
		if i > 0 {
			dst = append(dst, ',')
		}
		if dst, err = e.appendArg(dst, a.Arg(i), in); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
}

func encodeArg(e *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
	if v.CanAddr() && v.Addr().CanInterface() {
		return e.appendArg(dst, *v.Addr().Interface().(*Arg), l)
	}
	a, _ := v.Interface().(Arg)
	return e.appendArg(dst, a, l)
}

func encodeArgs(e *argEncoder, dst []byte, v reflect.Value, l level) ([]byte, error) {
	if v.CanAddr() && v.Addr().CanInterface() {
		return e.appendArgsArray(dst, *v.Addr().Interface().(*Args), l)
	}
	a, _ := v.Interface().(Args)
	return e.appendArgsArray(dst, a, l)
}
