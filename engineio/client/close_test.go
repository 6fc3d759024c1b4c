package client

import (
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"
)

// Close over polling lets the queue drain, then sends the close packet in
// a request of its own: a server handles a close packet before the other
// packets of its payload, so a message sent just before Close (a Socket.IO
// DISCONNECT) would be lost behind it. Here a message is queued behind a
// POST the server holds when Close is called: the old Close sent it in one
// payload with the close packet ("4second\x1e1").
func TestCloseDrainsBeforeClosePacket(t *testing.T) {
	var (
		mu    sync.Mutex
		posts []string
	)
	firstPost, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Query().Get("sid") == "":
			w.Write([]byte(`0{"sid":"AAAAAAAAAAAAAAAAAAAA","upgrades":[],"pingInterval":10000,"pingTimeout":10000,"maxPayload":1000000}`))
		case r.Method == http.MethodPost:
			body, _ := io.ReadAll(r.Body)
			mu.Lock()
			posts = append(posts, string(body))
			n := len(posts)
			mu.Unlock()
			if n == 1 {
				once.Do(func() { close(firstPost) })
				<-release
			}
			w.Write([]byte("ok"))
		default: // hold the poll until the client goes
			<-r.Context().Done()
		}
	}))
	defer fake.Close()
	r := newRecorder()
	c := dial(t, fake.URL, &Options{Transports: []string{Polling}}, r)
	c.Send([]byte("first"), false)
	<-firstPost
	c.Send([]byte("second"), false)
	closed := make(chan struct{})
	go func() { c.Close(); close(closed) }()
	deadline := time.Now().Add(3 * time.Second)
	for {
		c.mu.Lock()
		closing := c.closing
		c.mu.Unlock()
		if closing || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := c.Send([]byte("late"), false); err != ErrClosed {
		t.Errorf("Send during Close: %v, want ErrClosed", err)
	}
	close(release)
	<-closed
	if got := r.waitClose(t); got != ReasonForcedClose {
		t.Errorf("reason %q", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"4first", "4second", "1"}; !reflect.DeepEqual(posts, want) {
		t.Errorf("POST bodies %q, want %q", posts, want)
	}
}
