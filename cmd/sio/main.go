// Command sio is a command-line tool for Socket.IO v4 servers: a wscat
// for Socket.IO, on this module's Go client, and a load tool.
//
//	sio connect URL [flags]                     interactive session
//	sio emit URL EVENT [ARG...] [--ack]         one emit, its ack printed
//	sio listen URL [EVENT...] [--count N]       incoming events as JSON lines
//	sio bench <scenario> [flags]                load test a server on this machine
//
// Run "sio help" or "sio <command> -h" for the flags.
//
// The line editor of connect is this module's own (internal/lineedit, on
// termios through package syscall): the core module takes no dependency
// beyond its WebSocket library, and the editor a REPL needs is small.
package main

import (
	"fmt"
	"io"
	"os"
)

// command is one subcommand: run gets the arguments after its name and
// returns the process exit status.
type command struct {
	name  string
	usage string
	run   func(args []string, st streams) int
}

func commands() []command {
	return []command{
		{"connect", "an interactive session: emit, print incoming events (line editing, history)", runConnect},
		{"emit", "emit one event (or one per line of stdin) and print its ack; exit 0 ok, 1 error, 2 timeout", runEmit},
		{"listen", "print incoming events as JSON lines, until interrupted or --count N", runListen},
		{"bench", "load test a Socket.IO v4 server on a loopback address (connect, echo, broadcast, idle, polling, cluster)",
			func(args []string, st streams) int { return runBench(args, st.stdout, st.stderr) }},
	}
}

func main() {
	os.Exit(run(os.Args[1:], streams{os.Stdin, os.Stdout, os.Stderr}))
}

func run(args []string, st streams) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(st.stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], st)
		}
	}
	fmt.Fprintf(st.stderr, "sio: unknown command %q\n\n", args[0])
	usage(st.stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sio <command> [arguments]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.usage)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `run "sio <command> -h" for a command's flags`)
}
