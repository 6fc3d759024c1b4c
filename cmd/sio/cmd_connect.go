// The connect command: an interactive session.

package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gosio/socketio/client"
	"github.com/gosio/socketio/cmd/sio/internal/lineedit"
)

const connectUsage = `usage: sio connect URL [--timeout D] [flags]

An interactive session on one namespace: incoming events are printed as
they come (coloured on a terminal), and these commands are read (with
line editing and history on a terminal, else one per line of stdin):

  emit EVENT [ARG...] [--ack]   emit; with --ack, print the ack when it comes
  on EVENT...                   print these events (on *: all, the default)
  off EVENT...                  stop printing these events (off *: all)
  reply EVENT [ARG...]          answer the acks the server asks for EVENT
  noreply EVENT                 stop answering them
  id                            the socket's id and transport
  help                          this list
  quit                          leave (also Ctrl-D, or Ctrl-C on an empty line)

An ARG is a JSON value (spaces allowed inside) or a plain word, sent as a
string; binary is {"$bin":"<base64>"}. Exit status: 0 when left, 1 on an
error (the connection failed or was refused, the server made the socket
leave), 2 connection timeout.

flags:
  --timeout D        how long to wait for an ack (default 10s)
`

func runConnect(args []string, st streams) int {
	var cf clientFlags
	var ackTimeout time.Duration
	fs := newFlagSet("sio connect", connectUsage, st.stderr)
	cf.register(fs)
	fs.DurationVar(&ackTimeout, "timeout", 10*time.Second, "how long to wait for an ack")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	if len(pos) != 1 {
		fs.Usage()
		return exitError
	}
	target, o, err := cf.target(pos[0])
	if err != nil {
		fmt.Fprintln(st.stderr, "sio connect:", err)
		return exitError
	}
	r := &repl{st: st, ackTimeout: ackTimeout, filter: newFilter(), replies: map[string][]any{}, quit: make(chan int, 1)}
	in, inOK := st.stdin.(*os.File)
	out, outOK := st.stdout.(*os.File)
	terminal := inOK && outOK && lineedit.IsTerminal(int(in.Fd())) && lineedit.IsTerminal(int(out.Fd()))
	r.color = terminal && colorWanted()
	// Connected first, the terminal still in its normal mode (Ctrl-C
	// interrupts a slow attempt); events that come before the editor
	// starts are printed as they are.
	s, err := openSocket(target, o, true, r.setup)
	if err != nil {
		fmt.Fprintln(st.stderr, "sio connect:", describe(err))
		return exitFor(err)
	}
	defer closeSocket(s)
	if terminal {
		ed, err := lineedit.New(in, out, r.paint(colorPrompt, "> "))
		if err != nil {
			fmt.Fprintln(st.stderr, "sio connect:", err)
			return exitError
		}
		defer ed.Close()
		r.mu.Lock()
		r.ed = ed
		r.mu.Unlock()
	}
	r.mu.Lock()
	r.s = s
	r.mu.Unlock()
	r.status(fmt.Sprintf("connected to %s as %s; \"help\" lists the commands", s.Namespace(), s.ID()))
	return r.loop()
}

// repl is the state of a connect session.
type repl struct {
	st         streams
	color      bool
	ackTimeout time.Duration
	quit       chan int
	pending    sync.WaitGroup // acks awaited

	mu      sync.Mutex       // the fields below, and output without an editor
	s       *client.Socket   // set once connected
	ed      *lineedit.Editor // nil: not a terminal (set once connected)
	filter  *filter
	replies map[string][]any
}

func (r *repl) editor() *lineedit.Editor {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ed
}

func (r *repl) socket() *client.Socket {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.s
}

// setup registers the handlers, which run on the socket's handler
// goroutine.
func (r *repl) setup(s *client.Socket) {
	s.OnAny(func(e *client.Event) {
		r.mu.Lock()
		show := r.filter.shows(e.Name)
		reply, auto := r.replies[e.Name]
		r.mu.Unlock()
		line := r.paint(colorEvent, "< "+e.Name) + " " + marshal(e.Values())
		switch {
		case e.HasAck() && auto:
			e.Ack(reply...)
			line += r.paint(colorDim, " (acked with "+marshal(reply)+")")
		case e.HasAck():
			line += r.paint(colorDim, ` (ack requested: "reply `+e.Name+` ARG..." answers)`)
		}
		if show {
			r.print(line)
		}
	})
	s.OnDisconnect(func(reason client.Reason, cause error) {
		if reason == client.ReasonServerDisconnect {
			r.errorf("the server made the socket leave (%s)", reason)
			r.finish(exitError)
			return
		}
		if reason == client.ReasonClientDisconnect || reason == client.ReasonForcedClose {
			return
		}
		msg := "disconnected: " + string(reason)
		if cause != nil {
			msg += ": " + cause.Error()
		}
		r.status(msg + "; reconnecting")
	})
	s.OnConnect(func() {
		if r.socket() != nil {
			r.status("reconnected as " + s.ID())
		}
	})
}

func (r *repl) finish(code int) {
	select {
	case r.quit <- code:
	default:
	}
}

// loop reads commands until quit, the end of input, a signal or the
// server's disconnect. The reading goroutine blocks in its read until a
// line comes or the process exits.
func (r *repl) loop() int {
	lines := make(chan string)
	ed := r.editor()
	go func() {
		defer close(lines)
		if ed != nil {
			for {
				l, err := ed.ReadLine()
				if err != nil {
					return
				}
				lines <- l
			}
		}
		sc := bufio.NewScanner(r.st.stdin)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sig)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				r.waitAcks()
				return exitOK
			}
			if r.command(l) {
				r.waitAcks()
				return exitOK
			}
		case code := <-r.quit:
			r.closeEditor()
			return code
		case <-sig:
			r.closeEditor()
			return exitOK
		}
	}
}

// waitAcks waits (at most the ack timeout) for the acks still awaited,
// so that a script's last "emit --ack" prints its answer.
func (r *repl) waitAcks() {
	done := make(chan struct{})
	go func() {
		r.pending.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(r.ackTimeout + time.Second):
	}
}

func (r *repl) closeEditor() {
	if ed := r.editor(); ed != nil {
		ed.Close()
	}
}

// command runs one line; it reports whether the session ends.
func (r *repl) command(line string) (quit bool) {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return false
	}
	cmd, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch cmd {
	case "emit":
		r.emit(rest)
	case "on", "off":
		names := strings.Fields(rest)
		if len(names) == 0 {
			r.errorf("%s: name the events (or *)", cmd)
			return false
		}
		r.mu.Lock()
		for _, n := range names {
			r.filter.set(n, cmd == "on")
		}
		desc := r.filter.String()
		r.mu.Unlock()
		r.status("printing " + desc)
	case "reply", "noreply":
		name, args, _ := strings.Cut(rest, " ")
		if name == "" {
			r.errorf("%s: name the event", cmd)
			return false
		}
		vals, err := parseLine(args)
		if err != nil {
			r.errorf("%v", err)
			return false
		}
		r.mu.Lock()
		if cmd == "reply" {
			r.replies[name] = vals
		} else {
			delete(r.replies, name)
		}
		r.mu.Unlock()
	case "id":
		s := r.socket()
		tr := "none"
		if eng := s.Manager().Engine(); eng != nil {
			tr = eng.Transport()
		}
		r.status(fmt.Sprintf("id %s on %s, transport %s", s.ID(), s.Namespace(), tr))
	case "help":
		r.print(strings.TrimSpace(connectCommandsHelp()))
	case "quit", "exit":
		return true
	default:
		r.errorf("unknown command %q (\"help\" lists them)", cmd)
	}
	return false
}

func connectCommandsHelp() string {
	s := connectUsage[strings.Index(connectUsage, "  emit"):]
	return s[:strings.Index(s, "\n\n")]
}

func (r *repl) emit(rest string) {
	ack := false
	var words []string
	for _, w := range strings.Fields(rest) {
		if w == "--ack" {
			ack = true
		} else {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		r.errorf("emit: name the event")
		return
	}
	event := words[0]
	args, err := parseLine(strings.TrimSpace(strings.TrimPrefix(strings.Join(words, " "), event)))
	if err != nil {
		r.errorf("emit: %v", err)
		return
	}
	s := r.socket()
	if !ack {
		if err := s.Emit(event, args...); err != nil {
			r.errorf("emit: %v", err)
		}
		return
	}
	r.pending.Add(1)
	err = s.Timeout(r.ackTimeout).EmitWithAckFunc(event, func(reply client.Args, err error) {
		defer r.pending.Done()
		if err != nil {
			r.errorf("ack of %s: %v", event, err)
			return
		}
		r.print(r.paint(colorAck, "ack "+event) + " " + marshal(reply.Values()))
	}, args...)
	if err != nil {
		r.pending.Done()
		r.errorf("emit: %v", err)
	}
}

// Output: above the line being typed on a terminal, else on stdout.

func (r *repl) print(line string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ed != nil {
		r.ed.Print(line)
		return
	}
	fmt.Fprintln(r.st.stdout, line)
}

func (r *repl) status(msg string) { r.print(r.paint(colorStatus, "* "+msg)) }

func (r *repl) errorf(format string, args ...any) {
	r.print(r.paint(colorError, "! "+fmt.Sprintf(format, args...)))
}

// filter says which incoming events are printed: all but some, or only
// some.
type filter struct {
	all  bool
	some map[string]bool // excluded if all, included otherwise
}

func newFilter() *filter { return &filter{all: true, some: map[string]bool{}} }

func (f *filter) shows(event string) bool { return f.all != f.some[event] }

func (f *filter) set(event string, on bool) {
	if event == "*" {
		f.all, f.some = on, map[string]bool{}
		return
	}
	if on == f.all {
		delete(f.some, event)
	} else {
		f.some[event] = true
	}
}

func (f *filter) String() string {
	names := make([]string, 0, len(f.some))
	for n := range f.some {
		names = append(names, n)
	}
	sort.Strings(names)
	switch {
	case f.all && len(names) == 0:
		return "all events"
	case f.all:
		return "all events but " + strings.Join(names, ", ")
	case len(names) == 0:
		return "no events"
	}
	return strings.Join(names, ", ")
}
