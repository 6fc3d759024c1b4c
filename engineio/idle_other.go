//go:build !linux

package engineio

import (
	"net"
	"syscall"
)

// idlePoller exists on Linux only (idle_linux.go); elsewhere every
// WebSocket connection keeps its reader goroutine while idle.
type idlePoller struct{}

func newIdlePoller() *idlePoller { return nil }

func rawConn(net.Conn) syscall.RawConn { return nil }

func (p *idlePoller) arm(*wsConn) bool { return false }
func (p *idlePoller) unwatch(*wsConn)  {}
func (p *idlePoller) close()           {}
