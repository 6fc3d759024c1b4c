package e2e

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// cutProxy forwards TCP connections from a loopback port to target and
// can cut them all at once (both ends see the connection end, as when a
// phone drops off Wi-Fi) or freeze them (bytes stop flowing, connections
// stay open, as on a dead link: the heartbeat notices).
type cutProxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	frozen bool
	dark   time.Time // until then, new connections are closed at once
	thaw   *sync.Cond
	closed bool
	wg     sync.WaitGroup
}

func startProxy(t testing.TB, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.thaw = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *cutProxy) addr() string { return p.ln.Addr().String() }

func (p *cutProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		dark := time.Now().Before(p.dark)
		p.mu.Unlock()
		if dark {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		if !p.track(c, up) {
			return
		}
		p.wg.Add(2)
		go p.pipe(up, c)
		go p.pipe(c, up)
	}
}

func (p *cutProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

// pipe copies src to dst, waiting while the proxy is frozen.
func (p *cutProxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		p.mu.Lock()
		for p.frozen && !p.closed {
			p.thaw.Wait()
		}
		p.mu.Unlock()
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				return
			}
			return
		}
	}
}

// cut closes every connection open now.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// blackout cuts every connection and refuses new ones for d: a link
// that is gone for a while (a polling client, which opens a connection per
// request, notices it too).
func (p *cutProxy) blackout(d time.Duration) {
	p.mu.Lock()
	p.dark = time.Now().Add(d)
	p.mu.Unlock()
	p.cut()
}

// freeze stops (true) or resumes (false) the flow of bytes.
func (p *cutProxy) freeze(on bool) {
	p.mu.Lock()
	p.frozen = on
	p.thaw.Broadcast()
	p.mu.Unlock()
}

func (p *cutProxy) close() {
	p.mu.Lock()
	p.closed = true
	p.frozen = false
	p.thaw.Broadcast()
	p.mu.Unlock()
	p.ln.Close()
	p.cut()
	p.wg.Wait()
}
