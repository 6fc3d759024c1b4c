package e2e

// sio connect in a real terminal: a tmux pane (tmux's own server, on a
// socket of this test, killed at the end).

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxPane is a detached tmux session running one command.
type tmuxPane struct {
	t      *testing.T
	socket string
}

func startTmux(t *testing.T, command string) *tmuxPane {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("tmux is needed for the terminal tests")
	}
	p := &tmuxPane{t: t, socket: filepath.Join(t.TempDir(), "tmux.sock")}
	p.run("-f", "/dev/null", "new-session", "-d", "-x", "150", "-y", "40", command)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("terminal:\n%s", p.capture(false))
		}
		p.run("kill-server")
	})
	return p
}

func (p *tmuxPane) run(args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "tmux", append([]string{"-S", p.socket}, args...)...)
	// Colours on: no NO_COLOR; a terminal type that has them.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NO_COLOR=") && !strings.HasPrefix(kv, "TMUX=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "TERM=xterm-256color")
	out, err := cmd.CombinedOutput()
	if err != nil && args[0] != "kill-server" {
		p.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys sends tmux key names or literal text (-l).
func (p *tmuxPane) keys(keys ...string) { p.run(append([]string{"send-keys", "-t", "0"}, keys...)...) }
func (p *tmuxPane) text(s string)       { p.run("send-keys", "-t", "0", "-l", s) }

// capture returns the pane's text (with escapes: its colours).
func (p *tmuxPane) capture(escapes bool) string {
	args := []string{"capture-pane", "-p", "-t", "0"}
	if escapes {
		args = append(args, "-e")
	}
	return p.run(args...)
}

// wait waits until the pane shows want n times.
func (p *tmuxPane) wait(want string, n int) string {
	p.t.Helper()
	return p.until(fmt.Sprintf("%d× %q", n, want), func(s string) bool { return strings.Count(s, want) >= n })
}

// until waits until the pane's text satisfies ok.
func (p *tmuxPane) until(what string, ok func(string) bool) string {
	p.t.Helper()
	deadline := time.Now().Add(clientWait)
	for {
		s := p.capture(false)
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("terminal: %s not shown within %v", what, clientWait)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lastLine returns the pane's last non-empty line.
func lastLine(s string) string {
	ls := strings.Split(strings.TrimRight(s, "\n "), "\n")
	return strings.TrimRight(ls[len(ls)-1], " ")
}

func scenarioCLIConnectTerminal(t *testing.T, tg sioTarget, sio string) {
	sh := fmt.Sprintf(`%s connect %s; echo "exit=$?"; stty -a | tr ' ;' '\n\n' | grep -x -e icanon -e -icanon -e echo -e -echo; echo END; sleep 60`, sio, tg.url())
	p := startTmux(t, sh)
	p.wait("* connected to / as ", 1)

	// Typing, and an ack printed when it comes.
	p.text("emit echo 1 --ack")
	p.keys("Enter")
	p.wait(`ack echo [1]`, 1)

	// Editing: a typo deleted, a word inserted at the start of the line.
	p.text("emit echX")
	p.keys("BSpace")
	p.text("o 2 --ack")
	p.keys("Enter")
	p.wait(`ack echo [2]`, 1)
	p.text("mit echo 3 --ack")
	p.keys("Home")
	p.text("e")
	p.keys("End", "Enter")
	p.wait(`ack echo [3]`, 1)

	// History: Up three times is the first line.
	p.keys("Up", "Up", "Up", "Enter")
	p.wait(`ack echo [1]`, 2)

	// An event that comes while a line is half typed is printed above it;
	// the line stays as it was, and can be finished.
	p.text(`emit join "r" --ack`)
	p.keys("Enter")
	p.wait(`ack join ["r"]`, 1)
	p.text(`emit schedule "r" ["later"] 600`)
	p.keys("Enter")
	p.text("emit echo pa")
	p.until("the event above the line being typed", func(s string) bool {
		return strings.Contains(s, "> emit schedule \"r\" [\"later\"] 600\n< sched [\"later\"]\n> emit echo pa") && lastLine(s) == "> emit echo pa"
	})
	p.text("rt --ack")
	p.keys("Enter")
	p.wait(`ack echo ["part"]`, 1)

	// Colours on a terminal: the event name cyan, acks green.
	if c := p.capture(true); !strings.Contains(c, "\x1b[36m< sched") || !strings.Contains(c, "\x1b[32mack echo") {
		t.Errorf("no colours in the terminal:\n%q", c)
	}

	// Ctrl-C clears a line; Ctrl-D on the empty line leaves: exit 0, and
	// the terminal is back in its normal mode.
	p.text("emit never")
	p.keys("C-c")
	p.keys("C-d")
	s := p.wait("END", 1)
	if !strings.Contains(s, "exit=0") || !strings.Contains(s, "\nicanon") || !strings.Contains(s, "\necho") {
		t.Errorf("after Ctrl-D: want exit=0 and icanon, echo restored")
	}
	tg.log().expect("echo events", clientWait, isEvent("/", "echo"))
	tg.log().expectNone("never", 0, isEvent("/", "never"))
}
