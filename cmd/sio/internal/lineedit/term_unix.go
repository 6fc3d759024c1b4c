//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package lineedit

import (
	"syscall"
	"unsafe"
)

func ioctl(fd int, req uint, arg unsafe.Pointer) error {
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
	if e != 0 {
		return e
	}
	return nil
}

// IsTerminal reports whether fd is a terminal.
func IsTerminal(fd int) bool {
	var t syscall.Termios
	return ioctl(fd, ioctlGetTermios, unsafe.Pointer(&t)) == nil
}

// makeRaw puts the terminal fd in the mode a line editor needs: bytes as
// typed, no echo, no signals from keys (Ctrl-C arrives as a byte), output
// processing kept ("\n" still moves to the start of the next line). It
// returns the function that restores the previous mode.
func makeRaw(fd int) (restore func() error, err error) {
	var orig syscall.Termios
	if err := ioctl(fd, ioctlGetTermios, unsafe.Pointer(&orig)); err != nil {
		return nil, err
	}
	raw := orig
	raw.Iflag &^= syscall.IGNBRK | syscall.BRKINT | syscall.PARMRK | syscall.ISTRIP | syscall.INLCR | syscall.IGNCR | syscall.ICRNL | syscall.IXON
	raw.Lflag &^= syscall.ECHO | syscall.ECHONL | syscall.ICANON | syscall.ISIG | syscall.IEXTEN
	raw.Cflag &^= syscall.CSIZE | syscall.PARENB
	raw.Cflag |= syscall.CS8
	raw.Cc[syscall.VMIN] = 1
	raw.Cc[syscall.VTIME] = 0
	if err := ioctl(fd, ioctlSetTermios, unsafe.Pointer(&raw)); err != nil {
		return nil, err
	}
	return func() error { return ioctl(fd, ioctlSetTermios, unsafe.Pointer(&orig)) }, nil
}

// width returns the terminal's width in columns, 80 if unknown.
func width(fd int) int {
	var ws struct{ row, col, x, y uint16 }
	if ioctl(fd, syscall.TIOCGWINSZ, unsafe.Pointer(&ws)) != nil || ws.col == 0 {
		return 80
	}
	return int(ws.col)
}
