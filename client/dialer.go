package client

import (
	"context"
	"errors"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// A Dialer opens sockets as socket.io-client's io(url, opts) does,
// sharing one Manager (one Engine.IO connection) among the sockets of
// every namespace of one server: the second Socket for
// http://host:3000/chat reuses the Manager of http://host:3000/. It makes
// a new Manager when Options.ForceNew is set, or when its Manager for the
// server already has a socket for that namespace, as io() does.
//
// The cache io() keeps for its whole process is a value here: a Dialer
// holds the Managers it made until Close. Connect and NewManager, which
// share nothing, remain the way to a Manager of one's own. The zero value
// is ready to use; a Dialer is safe for concurrent use.
type Dialer struct {
	mu       sync.Mutex
	managers map[string]*Manager
	own      []*Manager // every Manager made, cached or not
	closed   bool
}

// ErrDialerClosed is returned by a Dialer after Close.
var ErrDialerClosed = errors.New("socketio client: dialer closed")

// Socket returns a socket for the namespace of rawURL's path ("/" if
// none), connecting in the background (Node: io(url, opts)). opts
// configure the Manager when the Dialer makes one, and the socket
// (Options.Auth, AuthFunc, AckTimeout, Retries) in any case. The socket
// reconnects by itself; Disconnect it when done, or Close the Dialer.
func (d *Dialer) Socket(rawURL string, opts *Options) (*Socket, error) {
	s, err := d.socket(rawURL, opts)
	if err != nil {
		return nil, err
	}
	s.Connect()
	return s, nil
}

// Connect is Socket, waiting until the socket is connected, refused, or
// ctx ends (see the package-level Connect).
func (d *Dialer) Connect(ctx context.Context, rawURL string, opts *Options) (*Socket, error) {
	s, err := d.socket(rawURL, opts)
	if err != nil {
		return nil, err
	}
	return connectSocket(ctx, s)
}

func (d *Dialer) socket(rawURL string, opts *Options) (*Socket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	nsp := u.Path
	if nsp == "" {
		nsp = "/"
	}
	o := opts.withDefaults()
	key := managerKey(u, o.Path)
	so := o.socketConfig()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrDialerClosed
	}
	m := d.managers[key]
	if o.ForceNew || m == nil || m.hasSocket(nsp) {
		d.pruneLocked()
		m = NewManager(rawURL, opts)
		d.own = append(d.own, m)
		if !o.ForceNew && d.managers[key] == nil {
			if d.managers == nil {
				d.managers = make(map[string]*Manager)
			}
			d.managers[key] = m
		}
	}
	return m.Socket(nsp, &so), nil
}

// pruneLocked forgets the Managers made outside the cache (ForceNew, a
// namespace already taken) that are closed with no active socket left:
// the Dialer holds only what may still be used or closed.
func (d *Dialer) pruneLocked() {
	cached := make(map[*Manager]bool, len(d.managers))
	for _, m := range d.managers {
		cached[m] = true
	}
	d.own = slices.DeleteFunc(d.own, func(m *Manager) bool { return !cached[m] && m.idle() })
}

// Managers returns the Managers the Dialer made and holds.
func (d *Dialer) Managers() []*Manager {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*Manager(nil), d.own...)
}

// Close closes every Manager the Dialer made (their sockets see "forced
// close" and stop reconnecting) and forgets them; later calls of Socket
// and Connect return ErrDialerClosed.
func (d *Dialer) Close() {
	d.mu.Lock()
	own := d.own
	d.own, d.managers, d.closed = nil, nil, true
	d.mu.Unlock()
	for _, m := range own {
		m.Close()
	}
}

// managerKey identifies a server as io() does: scheme, host, port (the
// scheme's default if none) and the Engine.IO path.
func managerKey(u *url.URL, path string) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http", "ws":
			port = "80"
		case "https", "wss":
			port = "443"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port) + path
}
