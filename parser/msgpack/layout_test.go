package msgpack_test

import (
	"os/exec"
	"strings"
	"testing"
)

// An application that does not choose this format links none of it: the
// server and the client do not import it, nor the MessagePack codec.
func TestCoreDoesNotImportMsgpack(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	for _, pkg := range []string{"github.com/gosio/socketio", "github.com/gosio/socketio/client"} {
		out, err := exec.Command("go", "list", "-deps", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, d := range strings.Fields(string(out)) {
			if d == "github.com/gosio/socketio/parser/msgpack" || d == "github.com/gosio/socketio/internal/notepack" {
				t.Errorf("%s imports %s", pkg, d)
			}
		}
	}
}
