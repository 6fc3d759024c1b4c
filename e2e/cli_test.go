package e2e

// The sio command (cmd/sio) as a user runs it, against the official
// socket.io server and ours: emit and listen with pipes and exit codes,
// connect through a pipe and in a real terminal (tmux).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildSio builds cmd/sio into dir.
func buildSio(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "sio")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/sio").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ../cmd/sio: %v\n%s", err, out)
	}
	return bin
}

type sioResult struct {
	stdout, stderr string
	code           int
}

// runSio runs the sio binary with args and stdin, bounded to 20 s.
func runSio(t *testing.T, bin, stdin string, args ...string) sioResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("sio %v: %v", args, err)
	}
	return sioResult{out.String(), errb.String(), code}
}

type cliScenario struct {
	name string
	run  func(t *testing.T, tg sioTarget, sio string)
}

var cliScenarios = []cliScenario{
	{"emit", scenarioCLIEmit},
	{"emit-errors", scenarioCLIEmitErrors},
	{"listen", scenarioCLIListen},
	{"connect-pipe", scenarioCLIConnectPipe},
	{"connect-terminal", scenarioCLIConnectTerminal},
}

func TestCLI(t *testing.T) {
	sio := buildSio(t, t.TempDir())
	for _, sc := range cliScenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, kind := range []string{"node", "go"} {
				t.Run(kind, func(t *testing.T) {
					t.Parallel()
					sc.run(t, startTarget(t, kind, targetOpts{}), sio)
				})
			}
		})
	}
}

// sio emit --parser msgpack against servers that use socket.io-msgpack-parser.
func TestCLIMsgpack(t *testing.T) {
	sio := buildSio(t, t.TempDir())
	for _, kind := range []string{"node", "go"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			tg := startTarget(t, kind, targetOpts{msgpack: true})
			r := runSio(t, sio, "", "emit", tg.url(), "echo", `"hi"`, `{"$bin":"AQID"}`, "--ack", "--parser", "msgpack")
			if r.code != 0 || r.stdout != `["hi",{"$bin":"AQID"}]`+"\n" {
				t.Fatalf("emit --parser msgpack: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
			}
			// The default parser cannot talk to it.
			r = runSio(t, sio, "", "emit", tg.url(), "echo", `"hi"`, "--ack", "--timeout", "1s", "--connect-timeout", "2s")
			if r.code == 0 {
				t.Fatalf("the JSON parser against a msgpack server: code 0, stdout %q", r.stdout)
			}
		})
	}
}

func scenarioCLIEmit(t *testing.T, tg sioTarget, sio string) {
	log := tg.log()
	// The ack printed as a JSON line; binary both ways as {"$bin":...}.
	r := runSio(t, sio, "", "emit", tg.url(), "echo", `"hi"`, "2", `{"$bin":"AQID"}`, "word", "--ack")
	if r.code != 0 || r.stdout != `["hi",2,{"$bin":"AQID"},"word"]`+"\n" {
		t.Fatalf("emit --ack: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	log.expect("connection", clientWait, isConnection("/"))
	ev := log.expect("echo", clientWait, isEvent("/", "echo"))
	if got := compactJSON(t, ev.argsJSON()); got != `["hi",2,{"$bin":"AQID","type":"Buffer"},"word"]` || !ev.HasAck {
		t.Errorf("server got %s", ev.raw)
	}
	// Flags after the arguments, a namespace, auth, a transport; no ack:
	// the event, sent just before the client leaves, still reaches the
	// server's handler.
	r = runSio(t, sio, "", "emit", tg.url(), "seq", "-1", "--namespace", "/admin", "--auth", `{"k":"v"}`, "--transport", "websocket")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("emit: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	c := log.expect("connection to /admin", clientWait, isConnection("/admin"))
	if c.Transport != "websocket" || fmt.Sprint(c.Auth) != "map[k:v]" {
		t.Errorf("connection %s", c.raw)
	}
	if ev := log.expect("seq", clientWait, isEvent("/admin", "seq")); ev.argsJSON() != `[-1]` || ev.HasAck {
		t.Errorf("server got %s", ev.raw)
	}
	r = runSio(t, sio, "", "emit", tg.url(), "echo", "ws", "--transport", "websocket", "--ack")
	if r.code != 0 || r.stdout != `["ws"]`+"\n" {
		t.Fatalf("emit over WebSocket: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if c := log.expect("connection", clientWait, isConnection("/")); c.Transport != "websocket" {
		t.Errorf("connection %s", c.raw)
	}
	// One emit per line of stdin, arguments as on the command line.
	r = runSio(t, sio, "1 2\n\n\"x\" {\"a\": [1, 2]} plain\n", "emit", tg.url(), "echo", "--ack")
	if r.code != 0 || r.stdout != "[1,2]\n[\"x\",{\"a\":[1,2]},\"plain\"]\n" {
		t.Fatalf("emit from stdin: code %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func scenarioCLIEmitErrors(t *testing.T, tg sioTarget, sio string) {
	// No ack in time: exit status 2.
	r := runSio(t, sio, "", "emit", tg.url(), "noack", "--ack", "--timeout", "300ms")
	if r.code != 2 || !strings.Contains(r.stderr, "operation has timed out") {
		t.Errorf("ack timeout: code %d, stderr %q", r.code, r.stderr)
	}
	// Refused by a middleware: 1, with the server's message and data.
	r = runSio(t, sio, "", "emit", tg.url()+"/mw", "x")
	if r.code != 1 || !strings.Contains(r.stderr, `refused by the server: not authorized (data {"content":"retry later"})`) {
		t.Errorf("refused: code %d, stderr %q", r.code, r.stderr)
	}
	// Bad arguments: 1.
	r = runSio(t, sio, "", "emit", tg.url(), "x", `{"a":`)
	if r.code != 1 || !strings.Contains(r.stderr, "not valid JSON") {
		t.Errorf("bad JSON: code %d, stderr %q", r.code, r.stderr)
	}
	// A server that is not there: 1, with the transport's message.
	tg.kill()
	r = runSio(t, sio, "", "emit", tg.url(), "x")
	if r.code != 1 || !strings.Contains(r.stderr, "xhr poll error") {
		t.Errorf("no server: code %d, stderr %q", r.code, r.stderr)
	}
	r = runSio(t, sio, "", "emit", tg.url(), "x", "--transport", "websocket")
	if r.code != 1 || !strings.Contains(r.stderr, "websocket error") {
		t.Errorf("no server over WebSocket: code %d, stderr %q", r.code, r.stderr)
	}
}

// startSio starts sio in the background; its stdout lines arrive on the
// returned channel, closed at the end.
func startSio(t *testing.T, sio string, args ...string) (*exec.Cmd, <-chan string, *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	cmd := exec.CommandContext(ctx, sio, args...)
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		cmd.Wait()
		cancel()
		if t.Failed() {
			t.Logf("sio %v stderr:\n%s", args, stderr.String())
		}
	})
	return cmd, lines, stderr
}

func scenarioCLIListen(t *testing.T, tg sioTarget, sio string) {
	log := tg.log()
	all, allLines, _ := startSio(t, sio, "listen", tg.url(), "--count", "2")
	c1 := log.expect("listener connection", clientWait, isConnection("/"))
	none, noneLines, _ := startSio(t, sio, "listen", tg.url(), "other")
	c2 := log.expect("second listener connection", clientWait, isConnection("/"))
	// A Go client makes the server emit "sched" to both listeners (each
	// socket is in the room of its own id).
	_, recs := newManager(t, tg, fastClient(), "/")
	connectAll(t, recs...)
	ctx, cancel := context.WithTimeout(context.Background(), clientWait)
	defer cancel()
	start := time.Now()
	for _, id := range []string{c1.ID, c2.ID} {
		if _, err := recs[0].s.EmitWithAck(ctx, "schedule", id, []string{"a", "b", "c"}, 0); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for l := range allLines {
		var ll struct {
			Time      string            `json:"time"`
			Namespace string            `json:"namespace"`
			Event     string            `json:"event"`
			Args      []json.RawMessage `json:"args"`
		}
		if err := json.Unmarshal([]byte(l), &ll); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		ts, err := time.Parse(time.RFC3339Nano, ll.Time)
		if err != nil || ts.Before(start.Add(-time.Second)) || ts.After(time.Now().Add(time.Second)) {
			t.Errorf("time %q", ll.Time)
		}
		b, _ := json.Marshal(ll.Args)
		got = append(got, ll.Namespace+" "+ll.Event+" "+string(b))
	}
	if want := []string{`/ sched ["a"]`, `/ sched ["b"]`}; strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("listen --count 2 printed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := all.Wait(); err != nil {
		t.Errorf("listen --count 2 ended with %v", err)
	}
	// The filtered listener printed nothing; interrupted, it exits 0.
	time.Sleep(300 * time.Millisecond)
	none.Process.Signal(syscall.SIGINT)
	for l := range noneLines {
		t.Errorf("filtered listener printed %q", l)
	}
	if err := none.Wait(); err != nil {
		t.Errorf("interrupted listen ended with %v", err)
	}
}

func scenarioCLIConnectPipe(t *testing.T, tg sioTarget, sio string) {
	script := strings.Join([]string{
		`emit echo 1 {"k": "v"} --ack`,
		`reply question "fine"`,
		`emit ask "how?" --ack`,
		`off item`,
		`emit burst 2 --ack`,
		`bogus`,
		`emit hello 5 --ack`,
	}, "\n") + "\n"
	r := runSio(t, sio, script, "connect", tg.url())
	out := r.stdout
	for _, want := range []string{
		"* connected to / as ",
		`ack echo [1,{"k":"v"}]`,
		`< question ["how?"] (acked with ["fine"])`,
		`ack ask ["fine"]`,
		"* printing all events but item",
		`ack burst [2]`,
		`! unknown command "bogus"`,
		`< hello [5]`,
		`ack hello [5]`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in the output:\n%s", want, out)
		}
	}
	if strings.Contains(out, "< item") || strings.Contains(out, "\x1b[") {
		t.Errorf("an item printed, or colours on a pipe:\n%s", out)
	}
	if r.code != 0 {
		t.Errorf("exit status %d, stderr %q", r.code, r.stderr)
	}
}
