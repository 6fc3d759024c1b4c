// Flags and connection setup shared by connect, emit and listen.

package main

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gosio/socketio/parser/msgpack"

	"github.com/gosio/socketio/client"
)

// Exit statuses of connect, emit and listen.
const (
	exitOK      = 0
	exitError   = 1
	exitTimeout = 2
)

// clientFlags are the flags common to the client commands.
type clientFlags struct {
	namespace  string
	path       string
	auth       string
	headers    multiFlag
	query      multiFlag
	transport  string
	parser     string
	insecure   bool
	connectTTL time.Duration
}

// multiFlag is a flag that may be given several times.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

const clientFlagsUsage = `common flags:
  --namespace NSP    namespace (default: the URL's path, else /)
  --path PATH        Engine.IO path (default /socket.io/)
  --auth JSON        auth payload of the CONNECT, a JSON object
  -H "Name: value"   extra HTTP header (repeatable)
  --query k=v        query parameter (repeatable; also k=v&k2=v2)
  --transport T      polling or websocket (default: polling, then upgrade)
  --parser P         json (default) or msgpack (socket.io-msgpack-parser)
  --insecure         do not verify TLS certificates (https, wss)
  --connect-timeout D  bound of the connection attempt (default 10s)
`

func (f *clientFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.namespace, "namespace", "", "namespace (default: the URL's path, else /)")
	fs.StringVar(&f.path, "path", "/socket.io/", "Engine.IO path")
	fs.StringVar(&f.auth, "auth", "", "auth payload of the CONNECT, a JSON object")
	fs.Var(&f.headers, "H", `extra HTTP header "Name: value" (repeatable)`)
	fs.Var(&f.query, "query", "query parameter k=v (repeatable)")
	fs.StringVar(&f.transport, "transport", "", "polling or websocket (default: polling, then upgrade)")
	fs.StringVar(&f.parser, "parser", "json", "json or msgpack (socket.io-msgpack-parser)")
	fs.BoolVar(&f.insecure, "insecure", false, "do not verify TLS certificates")
	fs.DurationVar(&f.connectTTL, "connect-timeout", 10*time.Second, "bound of the connection attempt")
}

// target returns the URL to connect to (the namespace as its path) and
// the client options the flags give.
func (f *clientFlags) target(rawURL string) (string, *client.Options, error) {
	if !strings.Contains(rawURL, "://") {
		rawURL = "http://" + rawURL
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", nil, fmt.Errorf("bad URL: %v", err)
	}
	switch u.Scheme {
	case "http", "https", "ws", "wss":
	default:
		return "", nil, fmt.Errorf("bad URL: scheme %q (want http, https, ws or wss)", u.Scheme)
	}
	nsp := f.namespace
	if nsp == "" {
		nsp = u.Path
	}
	if nsp == "" {
		nsp = "/"
	}
	if !strings.HasPrefix(nsp, "/") {
		nsp = "/" + nsp
	}
	u.Path = nsp
	o := &client.Options{
		Path:           f.path,
		Timeout:        f.connectTTL,
		NoReconnection: true, // the first attempt only; see connectSocket
	}
	if f.auth != "" {
		if err := json.Unmarshal([]byte(f.auth), &o.Auth); err != nil || o.Auth == nil {
			return "", nil, fmt.Errorf("--auth: want a JSON object, got %q", f.auth)
		}
	}
	if len(f.headers) > 0 {
		o.Header = http.Header{}
		for _, h := range f.headers {
			name, value, ok := strings.Cut(h, ":")
			if !ok || strings.TrimSpace(name) == "" {
				return "", nil, fmt.Errorf(`-H: want "Name: value", got %q`, h)
			}
			o.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
		}
	}
	if len(f.query) > 0 {
		o.Query = url.Values{}
		for _, q := range f.query {
			vs, err := url.ParseQuery(q)
			if err != nil {
				return "", nil, fmt.Errorf("--query %q: %v", q, err)
			}
			for k, v := range vs {
				o.Query[k] = append(o.Query[k], v...)
			}
		}
	}
	switch f.transport {
	case "":
	case "polling", "websocket":
		o.Transports = []string{f.transport}
	default:
		return "", nil, fmt.Errorf("--transport: want polling or websocket, got %q", f.transport)
	}
	switch f.parser {
	case "", "json":
	case "msgpack":
		o.Parser = msgpack.Parser{}
	default:
		return "", nil, fmt.Errorf("--parser: want json or msgpack, got %q", f.parser)
	}
	if f.insecure {
		o.TLSConfig = &tls.Config{InsecureSkipVerify: true}
	}
	return u.String(), o, nil
}

// openSocket makes a socket for target, lets setup register its handlers
// (before any event can arrive), and makes one connection attempt,
// waiting for its outcome; with keep, the socket reconnects by itself
// afterwards (connect, listen). Close the socket's Manager when done.
func openSocket(target string, o *client.Options, keep bool, setup func(*client.Socket)) (*client.Socket, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	m := client.NewManager(target, o)
	s := m.Socket(u.Path, nil)
	if setup != nil {
		setup(s)
	}
	result := make(chan error, 1)
	report := func(err error) {
		select {
		case result <- err:
		default:
		}
	}
	s.OnConnect(func() { report(nil) })
	s.OnConnectError(report)
	s.Connect()
	// Options.Timeout bounds the attempt; this bounds a server that
	// accepts the connection and never answers the CONNECT.
	timer := time.NewTimer(o.Timeout + time.Second)
	defer timer.Stop()
	select {
	case err = <-result:
	case <-timer.C:
		err = client.ErrConnectTimeout
	}
	if err != nil {
		s.Disconnect()
		m.Close()
		return nil, err
	}
	if keep {
		m.SetReconnection(true)
	}
	return s, nil
}

// closeSocket leaves the namespace (what was emitted leaves first) and
// closes the Manager.
func closeSocket(s *client.Socket) {
	s.Disconnect()
	s.Manager().Close()
}

// exitFor returns the exit status of an error: exitTimeout for a timeout
// (of the connection or of an ack), exitError for any other.
func exitFor(err error) int {
	if errors.Is(err, client.ErrConnectTimeout) || errors.Is(err, client.ErrTimeout) {
		return exitTimeout
	}
	return exitError
}

// describe explains a connection error: the reference's message and the
// Go cause, or the server's refusal with its data.
func describe(err error) string {
	var ce *client.ConnectError
	if errors.As(err, &ce) {
		if ce.Data != nil {
			data, _ := json.Marshal(ce.Data)
			return fmt.Sprintf("refused by the server: %s (data %s)", ce.Message, data)
		}
		return "refused by the server: " + ce.Message
	}
	return err.Error()
}

// parseInterleaved parses fs's flags wherever they stand among the
// positional arguments, which it returns in order. "--" ends the flags;
// "-" and an argument that starts with "-" and a digit (a negative
// number) are positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			pos = append(pos, args[i+1:]...)
			i = len(args)
		case a == "-" || !strings.HasPrefix(a, "-") || isNegativeNumber(a):
			pos = append(pos, a)
		default:
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			if f := fs.Lookup(name); f != nil && !isBoolFlag(f) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		}
	}
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	return pos, nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func isNegativeNumber(s string) bool {
	return len(s) > 1 && s[0] == '-' && (s[1] >= '0' && s[1] <= '9' || s[1] == '.')
}

// newFlagSet returns a FlagSet that reports to stderr with usage.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage, "\n", clientFlagsUsage) }
	return fs
}
