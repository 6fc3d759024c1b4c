// Package serial runs a connection's tasks one at a time, in order, on a
// goroutine that exists only while there are tasks: idle connections cost
// no goroutine, and a busy one keeps its goroutine until its queue drains.
//
// A queue is bounded in tasks and, for tasks pushed with a size, in bytes:
// the bytes of a task count from Push until the task has returned, so the
// bound covers what the running task holds as well as what waits.
package serial

import (
	"runtime/debug"
	"sync"
)

// Queue is an ordered task runner. The zero value is not usable; use New.
type Queue struct {
	max      int
	maxBytes int
	onPanic  func(v any, stack []byte)

	mu      sync.Mutex
	notFull sync.Cond
	tasks   []entry
	bytes   int // sizes of the waiting tasks and of the running one
	running bool
	closed  bool
}

type entry struct {
	fn   func()
	size int
}

// New returns a queue holding at most max waiting tasks; Push blocks while
// it is full (backpressure on the connection's reader). onPanic receives
// a panic of a task; the queue goes on with the next task.
func New(max int, onPanic func(v any, stack []byte)) *Queue {
	q := &Queue{max: max, onPanic: onPanic}
	q.notFull.L = &q.mu
	return q
}

// SetMaxBytes bounds the bytes of the tasks pushed with PushSized (0: no
// byte bound). Call it before the first Push.
func (q *Queue) SetMaxBytes(n int) { q.maxBytes = n }

// Push adds a task, starting the runner goroutine if needed. It blocks
// while the queue is full, unless the queue was closed (then the task is
// still queued: tasks pushed after Close run too, so cleanup is never
// lost).
func (q *Queue) Push(task func()) { q.push(task, 0, true) }

// PushSized is Push for a task that holds size bytes until it returns. It
// also blocks while the bytes held would pass the byte bound, except when
// nothing is held (a task larger than the bound still runs, alone).
func (q *Queue) PushSized(task func(), size int) { q.push(task, size, true) }

// PushNoWait adds a task without waiting for room: for tasks that may be
// pushed from the runner goroutine itself (which would wait for itself).
func (q *Queue) PushNoWait(task func()) { q.push(task, 0, false) }

func (q *Queue) push(task func(), size int, wait bool) {
	q.mu.Lock()
	for wait && !q.closed && (len(q.tasks) >= q.max || q.overBytes(size)) {
		q.notFull.Wait()
	}
	q.tasks = append(q.tasks, entry{task, size})
	q.bytes += size
	if !q.running {
		q.running = true
		go q.run()
	}
	q.mu.Unlock()
}

func (q *Queue) overBytes(size int) bool {
	return q.maxBytes > 0 && size > 0 && q.bytes > 0 && q.bytes+size > q.maxBytes
}

// Close stops Push from blocking (a closed connection must not stall its
// reader); queued tasks still run.
func (q *Queue) Close() {
	q.mu.Lock()
	q.closed = true
	q.notFull.Broadcast()
	q.mu.Unlock()
}

// Discard drops every task that waits (not the running one) and returns
// how many bytes they held. Tasks pushed afterwards run as usual.
func (q *Queue) Discard() (bytes int) {
	q.mu.Lock()
	for i, e := range q.tasks {
		bytes += e.size
		q.tasks[i] = entry{}
	}
	q.tasks = q.tasks[:0]
	q.bytes -= bytes
	q.notFull.Broadcast()
	q.mu.Unlock()
	return bytes
}

// Bytes returns the bytes held by waiting and running tasks.
func (q *Queue) Bytes() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.bytes
}

func (q *Queue) run() {
	var sink byte
	growStack(&sink)
	for {
		q.mu.Lock()
		if len(q.tasks) == 0 {
			q.running = false
			q.tasks = nil
			q.mu.Unlock()
			return
		}
		e := q.tasks[0]
		q.tasks[0] = entry{}
		q.tasks = q.tasks[1:]
		q.notFull.Signal()
		q.mu.Unlock()
		q.safely(e.fn)
		if e.size > 0 {
			q.mu.Lock()
			q.bytes -= e.size
			q.notFull.Broadcast()
			q.mu.Unlock()
		}
	}
}

func (q *Queue) safely(task func()) {
	defer func() {
		if v := recover(); v != nil && q.onPanic != nil {
			q.onPanic(v, debug.Stack())
		}
	}()
	task()
}

// growStack makes the new runner goroutine's stack big enough for a
// typical handler at once, while it is nearly empty: growing it later, in
// the middle of a handler's JSON decoding, copies every frame and adjusts
// their pointers, once per burst of tasks (the goroutine ends when the
// queue is empty).
//
//go:noinline
func growStack(sink *byte) {
	var pad [6 << 10]byte
	*sink = pad[int(*sink)&(len(pad)-1)] // a read the compiler cannot drop
}
