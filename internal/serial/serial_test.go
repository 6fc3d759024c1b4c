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

func TestByteBound(t *testing.T) {
	q := New(1000, nil)
	q.SetMaxBytes(100)
	release := make(chan struct{})
	q.PushSized(func() { <-release }, 60) // running, holds 60
	q.PushSized(func() {}, 40)            // 100: fits
	pushed := make(chan struct{})
	go func() { q.PushSized(func() {}, 10); close(pushed) }()
	select {
	case <-pushed:
		t.Fatal("push past the byte bound did not wait")
	case <-time.After(20 * time.Millisecond):
	}
	if got := q.Bytes(); got != 100 {
		t.Fatalf("Bytes = %d, want 100", got)
	}
	close(release) // the running task returns: its 60 bytes are freed
	select {
	case <-pushed:
	case <-time.After(time.Second):
		t.Fatal("push did not resume once bytes were freed")
	}
}

func TestOversizedTaskRunsAlone(t *testing.T) {
	q := New(10, nil)
	q.SetMaxBytes(10)
	done := make(chan struct{})
	q.PushSized(func() { close(done) }, 1000) // nothing held: admitted
	<-done
}

func TestDiscard(t *testing.T) {
	q := New(100, nil)
	q.SetMaxBytes(1 << 20)
	release := make(chan struct{})
	var ran atomic.Int32
	started := make(chan struct{})
	q.PushSized(func() { close(started); <-release }, 5)
	<-started
	for i := 0; i < 10; i++ {
		q.PushSized(func() { ran.Add(1) }, 7)
	}
	if n := q.Discard(); n != 70 {
		t.Fatalf("Discard = %d bytes, want 70", n)
	}
	done := make(chan struct{})
	q.PushNoWait(func() { close(done) })
	close(release)
	<-done
	if ran.Load() != 0 {
		t.Fatalf("%d discarded tasks ran", ran.Load())
	}
	if q.Bytes() != 0 {
		t.Fatalf("Bytes = %d after drain", q.Bytes())
	}
}
