// Command sio is a command-line tool for Socket.IO v4 servers.
//
//	sio bench <scenario> [flags]   load test a server on this machine
//
// Subcommands planned for later (connect, emit, listen: a "wscat for
// Socket.IO") hook into the same table; only bench exists today. Run
// "sio help" or "sio bench -h" for the flags.
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
	run   func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"bench", "load test a Socket.IO v4 server on a loopback address (connect, echo, broadcast, idle, polling)", runBench},
	}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "sio: unknown command %q\n\n", args[0])
	usage(stderr)
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
