// The emit command: one emit (or one per line of stdin), its ack printed.

package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/gosio/socketio/cmd/sio/internal/lineedit"
)

const emitUsage = `usage: sio emit URL EVENT [ARG...] [--ack] [--timeout D] [flags]

Connects, emits EVENT with the arguments, and leaves. Each ARG is a JSON
value ({"a":1}, [1,2], "text", 3, true, null; binary as {"$bin":"<base64>"})
or, if it does not look like JSON, a plain string. Without ARGs and with
stdin not a terminal, each line of stdin is one emit, its arguments
written as on the command line (JSON values and words separated by
spaces); an empty stdin gives one emit without arguments.

With --ack, waits for the server's acknowledgement of each emit and
prints its arguments as a JSON array, one line per emit.

Exit status: 0 ok, 1 error (connection failed or refused, bad
arguments), 2 timeout (connection or ack).

flags:
  --ack              ask for an acknowledgement and print it
  --timeout D        how long to wait for each ack (default 10s)
`

func runEmit(args []string, st streams) int {
	var cf clientFlags
	var ack bool
	var ackTimeout time.Duration
	fs := newFlagSet("sio emit", emitUsage, st.stderr)
	cf.register(fs)
	fs.BoolVar(&ack, "ack", false, "ask for an acknowledgement and print it")
	fs.DurationVar(&ackTimeout, "timeout", 10*time.Second, "how long to wait for each ack")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	if len(pos) < 2 {
		fs.Usage()
		return exitError
	}
	target, o, err := cf.target(pos[0])
	if err != nil {
		fmt.Fprintln(st.stderr, "sio emit:", err)
		return exitError
	}
	event := pos[1]
	// The emits: the arguments given, or one per line of stdin.
	var emits [][]any
	if len(pos) > 2 || st.stdinTerminal() {
		var vals []any
		for _, w := range pos[2:] {
			v, err := parseWord(w)
			if err != nil {
				fmt.Fprintln(st.stderr, "sio emit:", err)
				return exitError
			}
			vals = append(vals, v)
		}
		emits = append(emits, vals)
	}
	s, err := openSocket(target, o, false, nil)
	if err != nil {
		fmt.Fprintln(st.stderr, "sio emit:", describe(err))
		return exitFor(err)
	}
	defer closeSocket(s)
	status := exitOK
	one := func(vals []any) {
		if !ack {
			if err := s.Emit(event, vals...); err != nil {
				fmt.Fprintln(st.stderr, "sio emit:", err)
				status = exitError
			}
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
		defer cancel()
		reply, err := s.EmitWithAck(ctx, event, vals...)
		if err != nil {
			fmt.Fprintln(st.stderr, "sio emit:", err)
			status = worse(status, exitFor(err))
			return
		}
		fmt.Fprintln(st.stdout, marshal(reply.Values()))
	}
	if emits != nil {
		one(emits[0])
		return status
	}
	sc := bufio.NewScanner(st.stdin)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	lines := 0
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		lines++
		vals, err := parseLine(line)
		if err != nil {
			fmt.Fprintf(st.stderr, "sio emit: line %d: %v\n", n, err)
			status = exitError
			continue
		}
		one(vals)
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(st.stderr, "sio emit: reading stdin:", err)
		status = exitError
	}
	if lines == 0 {
		one(nil) // an empty stdin: one emit without arguments
	}
	return status
}

// streams are a command's standard streams.
type streams struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// stdinTerminal reports whether stdin is a terminal (then it is not read
// for arguments).
func (st streams) stdinTerminal() bool {
	f, ok := st.stdin.(*os.File)
	return ok && lineedit.IsTerminal(int(f.Fd()))
}

// worse combines exit statuses: an error beats a timeout, which beats
// success.
func worse(a, b int) int {
	if a == exitError || b == exitError {
		return exitError
	}
	return max(a, b)
}
