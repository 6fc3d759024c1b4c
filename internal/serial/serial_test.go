package serial

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOrderAndNoOverlap(t *testing.T) {
	q := New(8, nil)
	var running atomic.Int32
	var got []int
	var mu sync.Mutex
	done := make(chan struct{})
	for i := 0; i < 1000; i++ {
		q.Push(func() {
			if running.Add(1) != 1 {
				t.Error("tasks overlap")
			}
			mu.Lock()
			got = append(got, i)
			mu.Unlock()
			running.Add(-1)
			if i == 999 {
				close(done)
			}
		})
	}
	<-done
	for i, v := range got {
		if v != i {
			t.Fatalf("order broken at %d: %d", i, v)
		}
	}
}

func TestPanicDoesNotStopQueue(t *testing.T) {
	var panics atomic.Int32
	q := New(4, func(any, []byte) { panics.Add(1) })
	done := make(chan struct{})
	q.Push(func() { panic("boom") })
	q.Push(func() { close(done) })
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("queue stopped after a panic")
	}
	if panics.Load() != 1 {
		t.Fatal("panic not reported")
	}
}

func TestCloseUnblocksPush(t *testing.T) {
	q := New(1, nil)
	block := make(chan struct{})
	q.Push(func() { <-block })
	q.Push(func() {})
	pushed := make(chan struct{})
	go func() { q.Push(func() {}); close(pushed) }()
	time.Sleep(10 * time.Millisecond)
	q.Close()
	<-pushed
	close(block)
	time.Sleep(10 * time.Millisecond)
}
