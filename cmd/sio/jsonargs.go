// Event arguments on the command line and in output: JSON values, binary
// as {"$bin":"<base64>"}.

package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// parseWord reads one argument given as a command-line word: JSON when it
// looks like JSON (it starts with { [ " - or a digit, or is true, false or
// null), a plain string otherwise.
func parseWord(w string) (any, error) {
	if !looksJSON(w) {
		return w, nil
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(w))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, fmt.Errorf("argument %q is not valid JSON", w)
	}
	return fromJSON(v), nil
}

func looksJSON(w string) bool {
	if w == "" {
		return false
	}
	switch c := w[0]; {
	case c == '{' || c == '[' || c == '"' || c == '-' || c >= '0' && c <= '9':
		return true
	}
	return w == "true" || w == "false" || w == "null"
}

// parseLine splits a line into arguments: JSON values (which may hold
// spaces) and plain words, separated by white space, each read as
// parseWord does.
func parseLine(line string) ([]any, error) {
	var out []any
	for {
		line = strings.TrimLeftFunc(line, unicode.IsSpace)
		if line == "" {
			return out, nil
		}
		end := strings.IndexFunc(line, unicode.IsSpace)
		word := line
		if end >= 0 {
			word = line[:end]
		}
		if c := line[0]; c == '{' || c == '[' || c == '"' {
			dec := json.NewDecoder(strings.NewReader(line))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				return nil, fmt.Errorf("argument %q is not valid JSON: %v", line, err)
			}
			n := int(dec.InputOffset())
			if n < len(line) && !unicode.IsSpace(rune(line[n])) {
				return nil, fmt.Errorf("argument %q: text right after a JSON value", line)
			}
			out = append(out, fromJSON(v))
			line = line[n:]
			continue
		}
		v, err := parseWord(word)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		line = line[len(word):]
	}
}

// fromJSON turns {"$bin":"<base64>"} objects into []byte, at any depth.
func fromJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x["$bin"].(string); ok && len(x) == 1 {
			if b, err := base64.StdEncoding.DecodeString(s); err == nil {
				return b
			}
		}
		for k, e := range x {
			x[k] = fromJSON(e)
		}
	case []any:
		for i, e := range x {
			x[i] = fromJSON(e)
		}
	}
	return v
}

// toJSON turns []byte into {"$bin":"<base64>"}, at any depth.
func toJSON(v any) any {
	switch x := v.(type) {
	case []byte:
		return map[string]any{"$bin": base64.StdEncoding.EncodeToString(x)}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = toJSON(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = toJSON(e)
		}
		return out
	}
	return v
}

// marshal encodes v compactly, binary as {"$bin":...}, without HTML
// escaping.
func marshal(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(toJSON(v)); err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return strings.TrimSuffix(b.String(), "\n")
}
