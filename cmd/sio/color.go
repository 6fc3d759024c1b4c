// Colours of the connect command on a terminal.

package main

import "os"

// ANSI colours (SGR parameters).
const (
	colorPrompt = "1"  // bold
	colorEvent  = "36" // cyan
	colorAck    = "32" // green
	colorError  = "31" // red
	colorStatus = "33" // yellow
	colorDim    = "2"
)

// colorWanted reports whether to colour a terminal's output: unless
// NO_COLOR is set (https://no-color.org) or TERM is "dumb".
func colorWanted() bool {
	_, no := os.LookupEnv("NO_COLOR")
	return !no && os.Getenv("TERM") != "dumb"
}

// paint wraps s in the colour when colouring.
func (r *repl) paint(color, s string) string {
	if !r.color {
		return s
	}
	return "\x1b[" + color + "m" + s + "\x1b[0m"
}
