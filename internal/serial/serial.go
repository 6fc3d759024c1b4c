// Package serial runs a connection's tasks one at a time, in order, on a
// goroutine that exists only while there are tasks: idle connections cost
// no goroutine, and a busy one keeps its goroutine until its queue drains.
package serial

import (
	"runtime/debug"
	"sync"
)

// Queue is an ordered task runner. The zero value is not usable; use New.
type Queue struct {
	max     int
	onPanic func(v any, stack []byte)

	mu      sync.Mutex
	notFull sync.Cond
	tasks   []func()
	running bool
	closed  bool
}

// New returns a queue holding at most max waiting tasks; Push blocks while
// it is full (backpressure on the connection's reader). onPanic receives
// a panic of a task; the queue goes on with the next task.
func New(max int, onPanic func(v any, stack []byte)) *Queue {
	q := &Queue{max: max, onPanic: onPanic}
	q.notFull.L = &q.mu
	return q
}

// Push adds a task, starting the runner goroutine if needed. It blocks
// while the queue is full, unless the queue was closed (then the task is
// still queued: tasks pushed after Close run too, so cleanup is never
// lost).
func (q *Queue) Push(task func()) { q.push(task, true) }

// PushNoWait adds a task without waiting for room: for tasks that may be
// pushed from the runner goroutine itself (which would wait for itself).
func (q *Queue) PushNoWait(task func()) { q.push(task, false) }

func (q *Queue) push(task func(), wait bool) {
	q.mu.Lock()
	for wait && len(q.tasks) >= q.max && !q.closed {
		q.notFull.Wait()
	}
	q.tasks = append(q.tasks, task)
	if !q.running {
		q.running = true
		go q.run()
	}
	q.mu.Unlock()
}

// Close stops Push from blocking (a closed connection must not stall its
// reader); queued tasks still run.
func (q *Queue) Close() {
	q.mu.Lock()
	q.closed = true
	q.notFull.Broadcast()
	q.mu.Unlock()
}

func (q *Queue) run() {
	for {
		q.mu.Lock()
		if len(q.tasks) == 0 {
			q.running = false
			q.tasks = nil
			q.mu.Unlock()
			return
		}
		task := q.tasks[0]
		q.tasks[0] = nil
		q.tasks = q.tasks[1:]
		q.notFull.Signal()
		q.mu.Unlock()
		q.safely(task)
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
