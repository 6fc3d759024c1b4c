//go:build linux

package engineio

import (
	"errors"
	"net"
	"sync"
	"syscall"
)

// idlePoller waits, on one goroutine, for the sockets of idle WebSocket
// connections to become readable (epoll), so that an idle connection owns
// no goroutine, no stack and no read buffer. A connection whose reader saw
// no byte for Options.IdleHandoff hands itself over (arm) and its reader
// goroutine returns; when the socket is readable, or when the connection
// is closed (unwatch), the poller starts a new reader goroutine for it.
//
// The poller's goroutine runs only while at least one connection is
// handed over; it owns the epoll descriptor and a wake-up pipe, and closes
// both when it returns. Server.Close stops it.
type idlePoller struct {
	mu      sync.Mutex
	conns   map[uint64]*wsConn // handed over, by registration id
	nextID  uint64
	running bool // the goroutine runs; epfd and the pipe are open
	stop    bool // Server.Close: hand everything back and return
	epfd    int
	wake    [2]int        // pipe: the goroutine's wake-up
	done    chan struct{} // closed when the running goroutine returns
}

// wakeID is the registration id of the wake-up pipe.
const wakeID = 0

func newIdlePoller() *idlePoller { return &idlePoller{conns: make(map[uint64]*wsConn)} }

// rawConn returns the descriptor access of conn when the poller can watch
// it (a TCP or Unix socket), or nil.
func rawConn(conn net.Conn) syscall.RawConn {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return nil
	}
	switch conn.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return raw
}

// arm hands c over (EPOLLONESHOT: one readiness report, one new reader): the caller (c's reader goroutine) must return at once
// when arm reports true, and must not touch c's read state after it; a new
// reader goroutine runs c.readLoop when the socket is readable or c
// closes. On false (server closing, or epoll refused the descriptor) the
// caller keeps reading as before.
func (p *idlePoller) arm(c *wsConn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop || c.unwatched.Load() {
		return false
	}
	if !p.running {
		if err := p.startLocked(); err != nil {
			return false
		}
	}
	if c.pollID == 0 {
		p.nextID++
		c.pollID = p.nextID
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT}
	setEventID(&ev, c.pollID)
	var ctlErr error
	err := c.raw.Control(func(fd uintptr) {
		// The descriptor cannot be closed (nor its number reused) while
		// Control runs, so the registration is for this connection.
		op := syscall.EPOLL_CTL_MOD
		if !c.registered {
			op = syscall.EPOLL_CTL_ADD
		}
		ctlErr = syscall.EpollCtl(p.epfd, op, int(fd), &ev)
		if errors.Is(ctlErr, syscall.ENOENT) {
			ctlErr = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, int(fd), &ev)
		}
	})
	if err != nil || ctlErr != nil {
		return false
	}
	c.registered = true
	p.conns[c.pollID] = c
	return true
}

// unwatch is called when c closes: if c is handed over, a reader goroutine
// is started for it, so that it sees the close as a reader that had kept
// waiting would. Safe from any goroutine, more than once.
func (p *idlePoller) unwatch(c *wsConn) {
	c.unwatched.Store(true)
	p.mu.Lock()
	id := c.pollID
	handed := id != 0 && p.conns[id] == c
	if handed {
		delete(p.conns, id)
		if len(p.conns) == 0 && p.running {
			syscall.Write(p.wake[1], []byte{1}) // let the goroutine return
		}
	}
	p.mu.Unlock()
	if handed {
		go c.readLoop()
	}
}

// close stops the goroutine, handing every connection back to a reader
// goroutine of its own, and waits for it. Called by Server.Close.
func (p *idlePoller) close() {
	p.mu.Lock()
	p.stop = true
	running, done := p.running, p.done
	if running {
		syscall.Write(p.wake[1], []byte{1})
	}
	p.mu.Unlock()
	if running {
		<-done
	}
}

// startLocked opens the epoll descriptor and the pipe and starts the
// goroutine. The caller holds p.mu.
func (p *idlePoller) startLocked() error {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	var wake [2]int
	if err := syscall.Pipe2(wake[:], syscall.O_CLOEXEC|syscall.O_NONBLOCK); err != nil {
		syscall.Close(epfd)
		return err
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN}
	setEventID(&ev, wakeID)
	if err := syscall.EpollCtl(epfd, syscall.EPOLL_CTL_ADD, wake[0], &ev); err != nil {
		syscall.Close(epfd)
		syscall.Close(wake[0])
		syscall.Close(wake[1])
		return err
	}
	// Registrations of the previous goroutine's descriptor are gone: every
	// connection registers again.
	for _, c := range p.conns {
		c.registered = false
	}
	p.epfd, p.wake, p.running, p.done = epfd, wake, true, make(chan struct{})
	go p.run(epfd, p.done)
	return nil
}

// run waits for readiness and starts a reader goroutine per ready
// connection. It returns when no connection is handed over or the poller
// is stopped, closing the descriptors it owns.
func (p *idlePoller) run(epfd int, done chan struct{}) {
	defer close(done)
	events := make([]syscall.EpollEvent, 128)
	for {
		n, err := syscall.EpollWait(epfd, events, -1)
		if err != nil && !errors.Is(err, syscall.EINTR) {
			n = 0 // unexpected: hand everything back below
			p.mu.Lock()
			p.stop = true
			p.mu.Unlock()
		}
		var ready []*wsConn
		p.mu.Lock()
		for i := range n {
			id := eventID(&events[i])
			if id == wakeID {
				var b [64]byte
				syscall.Read(p.wake[0], b[:]) // non-blocking: drain
				continue
			}
			if c, ok := p.conns[id]; ok {
				delete(p.conns, id)
				ready = append(ready, c)
			}
		}
		last := p.stop || len(p.conns) == 0
		if last {
			if p.stop {
				for id, c := range p.conns {
					delete(p.conns, id)
					ready = append(ready, c)
				}
			}
			p.running = false
			syscall.Close(epfd)
			syscall.Close(p.wake[0])
			syscall.Close(p.wake[1])
			for _, c := range p.conns {
				c.registered = false
			}
		}
		p.mu.Unlock()
		for _, c := range ready {
			go c.readLoop()
		}
		if last {
			return
		}
	}
}

func setEventID(ev *syscall.EpollEvent, id uint64) {
	ev.Fd, ev.Pad = int32(uint32(id)), int32(uint32(id>>32))
}

func eventID(ev *syscall.EpollEvent) uint64 {
	return uint64(uint32(ev.Fd)) | uint64(uint32(ev.Pad))<<32
}
