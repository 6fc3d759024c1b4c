//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package lineedit

import "errors"

// IsTerminal reports whether fd is a terminal: never, on this system (the
// line editor needs termios).
func IsTerminal(fd int) bool { return false }

func makeRaw(fd int) (func() error, error) {
	return nil, errors.New("lineedit: no terminal support on this system")
}

func width(fd int) int { return 80 }
