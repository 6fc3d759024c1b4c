package socketio

// The layering facts docs/architecture.md states, checked with the go
// tool: a client-only binary links no server code, the core module pulls
// no third-party dependency besides the WebSocket library, and no source
// file grows past 20 KB.

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/gosio/socketio"

func goList(t *testing.T, args ...string) []string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.Fields(string(out))
}

func TestLayering(t *testing.T) {
	forbidden := map[string][]string{
		"./client":          {module, module + "/engineio", module + "/adapter"},
		"./engineio/client": {module, module + "/engineio", module + "/adapter"},
		"./parser":          {module, module + "/engineio", module + "/adapter"},
		"./adapter":         {module, module + "/engineio", "net/http"},
	}
	for pkg, bad := range forbidden {
		deps := goList(t, "-deps", pkg)
		for _, d := range deps {
			for _, b := range bad {
				if d == b {
					t.Errorf("%s depends on %s", pkg, b)
				}
			}
		}
	}
}

func TestCoreModuleDependencies(t *testing.T) {
	// What the core's packages import, tests excluded: the standard
	// library, this module, and the WebSocket library.
	for _, p := range goList(t, "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./...") {
		if p == module || strings.HasPrefix(p, module+"/") || strings.HasPrefix(p, "github.com/gobwas/") {
			continue
		}
		t.Errorf("a core package imports %s", p)
	}
	// The module graph has none of the optional modules' dependencies.
	for _, m := range goList(t, "-m", "all") {
		for _, bad := range []string{"redis", "prometheus", "opentelemetry", "golang.org/x/crypto", "msgpack"} {
			if strings.Contains(m, bad) {
				t.Errorf("the core module's graph holds %s", m)
			}
		}
	}
}

func TestSourceFilesSmall(t *testing.T) {
	const max = 20 << 10
	filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		if info, err := os.Stat(path); err == nil && info.Size() > max {
			t.Errorf("%s is %d KB (at most %d KB for a non-test file)", path, info.Size()>>10, max>>10)
		}
		return nil
	})
}

// Every public library package has a doc.go with its overview.
func TestDocGoPerPackage(t *testing.T) {
	out := goList(t, "-f", "{{.Name}}:{{.ImportPath}}:{{.Dir}}", "./...")
	for _, l := range out {
		parts := strings.SplitN(l, ":", 3)
		name, path, dir := parts[0], parts[1], parts[2]
		if name == "main" || strings.Contains(path, "/internal/") || strings.Contains(path, "/e2e") || strings.Contains(path, "/bench") {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "doc.go")); err != nil {
			t.Errorf("%s has no doc.go", path)
		}
	}
}
