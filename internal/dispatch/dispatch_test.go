package dispatch

import (
	"sync"
	"testing"
)

type recorder struct {
	d      *Dispatcher
	mu     sync.Mutex
	events []string
	inside bool
}

func (r *recorder) OnMessage(data []byte, _ bool) {
	r.mu.Lock()
	if r.inside {
		panic("overlapping calls")
	}
	r.inside = true
	r.events = append(r.events, string(data))
	r.mu.Unlock()
	if string(data) == "close-from-handler" {
		r.d.Close("from handler", nil)
	}
	r.mu.Lock()
	r.inside = false
	r.mu.Unlock()
}

func (r *recorder) OnClose(reason string, _ error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.inside {
		panic("close during a message")
	}
	r.events = append(r.events, "close:"+reason)
}

func TestCloseFromHandlerIsDeliveredAfterIt(t *testing.T) {
	d := &Dispatcher{}
	r := &recorder{d: d}
	d.Set(r)
	d.Message([]byte("a"), false)
	d.Message([]byte("close-from-handler"), false)
	d.Message([]byte("dropped"), false)
	d.Close("second", nil)
	want := []string{"a", "close-from-handler", "close:from handler"}
	if len(r.events) != len(want) {
		t.Fatalf("events %v", r.events)
	}
	for i := range want {
		if r.events[i] != want[i] {
			t.Fatalf("events %v", r.events)
		}
	}
}

func TestConcurrentCloseOnce(t *testing.T) {
	for i := 0; i < 200; i++ {
		d := &Dispatcher{}
		r := &recorder{d: d}
		d.Set(r)
		var wg sync.WaitGroup
		wg.Add(3)
		go func() { defer wg.Done(); d.Message([]byte("m"), false) }()
		go func() { defer wg.Done(); d.Close("x", nil) }()
		go func() { defer wg.Done(); d.Close("y", nil) }()
		wg.Wait()
		closes := 0
		for _, e := range r.events {
			if len(e) > 6 && e[:6] == "close:" {
				closes++
			}
		}
		if closes != 1 || r.events[len(r.events)-1][:6] != "close:" {
			t.Fatalf("events %v", r.events)
		}
	}
}

func TestCloseBeforeHandlerIsDelivered(t *testing.T) {
	d := &Dispatcher{}
	d.Message([]byte("dropped"), false)
	d.Close("early", nil)
	r := &recorder{d: d}
	d.Set(r)
	if len(r.events) != 1 || r.events[0] != "close:early" {
		t.Fatalf("events %v", r.events)
	}
}
