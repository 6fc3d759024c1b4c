//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package lineedit

import "syscall"

const (
	ioctlGetTermios = syscall.TIOCGETA
	ioctlSetTermios = syscall.TIOCSETA
)
