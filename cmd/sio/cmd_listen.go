// The listen command: incoming events as JSON lines.

package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/gosio/socketio/client"
)

const listenUsage = `usage: sio listen URL [EVENT...] [--count N] [flags]

Connects and prints each incoming event (only the EVENTs named, if any)
as a JSON line on stdout:

  {"time":"2025-01-02T15:04:05.000Z","namespace":"/","event":"chat","args":["hi"]}

binary as {"$bin":"<base64>"}, until interrupted (exit status 0) or N
events were printed. The connection is kept: lost, it is made again
(reported on stderr). Exit status: 0 ok, 1 error (the connection failed
or was refused, the server made the socket leave), 2 connection timeout.

flags:
  --count N          stop after N events (default 0: no limit)
`

// listenLine is one line of listen's output.
type listenLine struct {
	Time      string `json:"time"`
	Namespace string `json:"namespace"`
	Event     string `json:"event"`
	Args      []any  `json:"args"`
}

const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func runListen(args []string, st streams) int {
	var cf clientFlags
	var count int
	fs := newFlagSet("sio listen", listenUsage, st.stderr)
	cf.register(fs)
	fs.IntVar(&count, "count", 0, "stop after N events (0: no limit)")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitError
	}
	if len(pos) < 1 || count < 0 {
		fs.Usage()
		return exitError
	}
	target, o, err := cf.target(pos[0])
	if err != nil {
		fmt.Fprintln(st.stderr, "sio listen:", err)
		return exitError
	}
	wanted := map[string]bool{}
	for _, ev := range pos[1:] {
		wanted[ev] = true
	}
	done := make(chan int, 1)
	finish := func(code int) {
		select {
		case done <- code:
		default:
		}
	}
	var mu sync.Mutex // stdout, and n
	n := 0
	enc := json.NewEncoder(st.stdout)
	enc.SetEscapeHTML(false)
	s, err := openSocket(target, o, true, func(s *client.Socket) {
		// The socket's handler goroutine: one event at a time, in order.
		s.OnAny(func(e *client.Event) {
			if len(wanted) > 0 && !wanted[e.Name] {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if count > 0 && n >= count {
				return
			}
			n++
			enc.Encode(listenLine{
				Time:      time.Now().UTC().Format(timeFormat),
				Namespace: s.Namespace(),
				Event:     e.Name,
				Args:      toJSON(e.Values()).([]any),
			})
			if count > 0 && n == count {
				finish(exitOK)
			}
		})
		s.OnDisconnect(func(r client.Reason, cause error) {
			if r == client.ReasonServerDisconnect {
				fmt.Fprintln(st.stderr, "sio listen: the server made the socket leave")
				finish(exitError)
				return
			}
			if cause != nil {
				fmt.Fprintf(st.stderr, "sio listen: disconnected (%s: %v), reconnecting\n", r, cause)
			} else {
				fmt.Fprintf(st.stderr, "sio listen: disconnected (%s), reconnecting\n", r)
			}
		})
		s.OnConnect(func() { fmt.Fprintf(st.stderr, "sio listen: connected to %s as %s\n", s.Namespace(), s.ID()) })
	})
	if err != nil {
		fmt.Fprintln(st.stderr, "sio listen:", describe(err))
		return exitFor(err)
	}
	defer closeSocket(s)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	select {
	case code := <-done:
		return code
	case <-sig:
		return exitOK
	}
}
