package cluster

import (
	"testing"

	"github.com/gosio/socketio/internal/notepack"
)

// Map parses a JSON object into a notepack Map.
func Map(t testing.TB, js string) notepack.Map {
	t.Helper()
	v, err := notepack.FromJSON([]byte(js), nil)
	if err != nil {
		t.Fatal(err)
	}
	return v.(notepack.Map)
}

// KV is one Map entry.
func KV(k string, v any) notepack.KV { return notepack.KV{Key: k, Val: v} }
