// Command server is a WebSocket echo server for comparing WebSocket
// libraries. -lib selects gobwas, gorilla or coder. Every connection gets one
// goroutine that blocks reading the next message and writes the echo itself,
// so each connection has a single reader and a single writer.
//
// GET /stats runs a GC and reports heap and stack in use, goroutines and open
// WebSocket connections as one JSON object.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	coder "github.com/coder/websocket"
	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	gorilla "github.com/gorilla/websocket"
)

// maxMessage is the read limit every server sets.
const maxMessage = 1 << 20

var open atomic.Int64 // open WebSocket connections

func main() {
	lib := flag.String("lib", "gobwas", "gobwas, gobwas-buf, gorilla or coder")
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	life := flag.Duration("life", 5*time.Minute, "exit after this long whatever happens")
	flag.Parse()

	handlers := map[string]http.HandlerFunc{
		"gobwas":     gobwasHandler(false),
		"gobwas-buf": gobwasHandler(true),
		"gorilla":    gorillaHandler,
		"coder":      coderHandler,
	}
	h, ok := handlers[*lib]
	if !ok {
		log.Fatalf("unknown -lib %q", *lib)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if tcp := ln.Addr().(*net.TCPAddr); !tcp.IP.IsLoopback() {
		log.Fatalf("refusing to listen on non-loopback %v", tcp)
	}
	time.AfterFunc(*life, func() { os.Exit(3) })

	mux := http.NewServeMux()
	mux.HandleFunc("/ws", h)
	mux.HandleFunc("/stats", stats)
	fmt.Printf("listening %s\n", ln.Addr())
	log.Fatal(http.Serve(ln, mux))
}

func stats(w http.ResponseWriter, _ *http.Request) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	json.NewEncoder(w).Encode(map[string]uint64{
		"heap_inuse":  m.HeapInuse,
		"stack_inuse": m.StackInuse,
		"goroutines":  uint64(runtime.NumGoroutine()),
		"conns":       uint64(open.Load()),
	})
}

// serve runs the per-connection reader loop in its own goroutine and lets
// the HTTP handler return, so net/http's per-connection state is released.
func serve(loop func()) {
	open.Add(1)
	go func() {
		defer open.Add(-1)
		loop()
	}()
}

// gobwas: the handler reads frame headers straight from the net.Conn through
// a wsutil.Reader kept per connection; no bufio buffer is held while idle.
// With buffered, a 512-byte bufio.Reader sits between them instead.
func gobwasHandler(buffered bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, _, _, err := ws.UpgradeHTTP(r, w)
		if err != nil {
			return
		}
		var src io.Reader = conn
		if buffered {
			src = bufio.NewReaderSize(conn, 512)
		}
		serve(func() { gobwasLoop(conn, src) })
	}
}

func gobwasLoop(conn net.Conn, src io.Reader) {
	defer conn.Close()
	control := wsutil.ControlFrameHandler(conn, ws.StateServerSide)
	rd := &wsutil.Reader{
		Source:         src,
		State:          ws.StateServerSide,
		CheckUTF8:      true,
		MaxMessageSize: maxMessage,
		OnIntermediate: control,
	}
	for {
		h, err := rd.NextFrame()
		if err == nil && h.OpCode.IsControl() {
			err = control(h, rd)
			if err == nil {
				continue
			}
		}
		var p []byte
		if err == nil {
			p, err = readMessage(rd, h.Length)
		}
		if err == nil {
			// One buffer, one write syscall. A broadcast can compile the
			// frame once and write the same bytes to every connection.
			_, err = conn.Write(ws.MustCompileFrame(ws.NewFrame(h.OpCode, true, p)))
		}
		if err != nil {
			gobwasClose(conn, err)
			return
		}
	}
}

// readMessage reads a whole message (all its fragments) from rd. n, the
// first frame's length, is already bounded by MaxMessageSize.
func readMessage(rd io.Reader, n int64) ([]byte, error) {
	p := make([]byte, 0, n)
	for {
		if len(p) == cap(p) {
			p = append(p, 0)[:len(p)]
		}
		m, err := rd.Read(p[len(p):cap(p)])
		p = p[:len(p)+m]
		if err == io.EOF {
			return p, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// gobwasClose sends a close frame telling the peer why we give up, when
// the reason is a protocol violation rather than a closed connection.
func gobwasClose(conn net.Conn, err error) {
	var closed wsutil.ClosedError
	if errors.As(err, &closed) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return
	}
	code := ws.StatusProtocolError
	switch {
	case errors.Is(err, wsutil.ErrInvalidUTF8):
		code = ws.StatusInvalidFramePayloadData
	case errors.Is(err, wsutil.ErrMessageTooLarge):
		code = ws.StatusMessageTooBig
	}
	conn.Write(ws.MustCompileFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(code, ""))))
}

// gorilla: a small read buffer of its own (instead of reusing net/http's
// 4 KiB one) and write buffers taken from a pool only while writing.
var gorillaUpgrader = gorilla.Upgrader{
	ReadBufferSize:  512,
	WriteBufferSize: 4096,
	WriteBufferPool: &sync.Pool{},
}

func gorillaHandler(w http.ResponseWriter, r *http.Request) {
	c, err := gorillaUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	serve(func() {
		defer c.Close()
		c.SetReadLimit(maxMessage)
		for {
			mt, p, err := c.ReadMessage()
			if err != nil {
				return
			}
			if err := c.WriteMessage(mt, p); err != nil {
				return
			}
		}
	})
}

// coder: default Accept options (compression disabled).
func coderHandler(w http.ResponseWriter, r *http.Request) {
	c, err := coder.Accept(w, r, nil)
	if err != nil {
		return
	}
	serve(func() {
		defer c.CloseNow()
		c.SetReadLimit(maxMessage)
		ctx := context.Background()
		for {
			mt, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			if err := c.Write(ctx, mt, p); err != nil {
				return
			}
		}
	})
}
