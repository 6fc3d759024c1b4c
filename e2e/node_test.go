package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// nodeProc is one node process running a script of js/: the clients and
// servers of the official npm packages that the interop tests drive.
type nodeProc struct {
	cmd        *exec.Cmd
	stdin      io.WriteCloser
	stderr     *lockedBuffer
	readerDone chan struct{} // closed when stdout has ended
	stopOnce   sync.Once
	cancel     context.CancelFunc
}

// startNode runs js/<script> with arg, JSON-encoded, as its only argument.
// Each line the script prints goes to onLine, on the process's reader
// goroutine, in order; onEOF (may be nil) runs on it once stdout ends.
// The process is killed after limit (plus 5 s of grace) should the
// script's own timeout fail; stop ends it sooner.
func startNode(t testing.TB, script string, arg any, limit time.Duration, onLine func(line []byte), onEOF func()) *nodeProc {
	t.Helper()
	a, err := json.Marshal(arg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit+5*time.Second)
	cmd := exec.CommandContext(ctx, "node", filepath.Join("js", script), string(a))
	cmd.WaitDelay = 2 * time.Second
	p := &nodeProc{cmd: cmd, stderr: &lockedBuffer{}, readerDone: make(chan struct{}), cancel: cancel}
	cmd.Stderr = p.stderr
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		cancel()
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting node %s: %v", script, err)
	}
	go func() {
		defer close(p.readerDone)
		if onEOF != nil {
			defer onEOF()
		}
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			onLine(sc.Bytes())
		}
		io.Copy(io.Discard, stdout)
	}()
	return p
}

// stop kills the process (thawing it first, should a test have stopped
// it) and waits for it and its reader. It may be called more than once.
func (p *nodeProc) stop() {
	p.stopOnce.Do(func() {
		p.stdin.Close()
		p.cmd.Process.Signal(syscall.SIGCONT)
		p.cmd.Process.Kill()
		<-p.readerDone
		p.cmd.Wait()
		p.cancel()
	})
}
