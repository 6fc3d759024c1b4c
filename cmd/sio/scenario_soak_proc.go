// Scheduler figures for the soak's samples: how long a process's threads
// waited for a CPU (the machine is shared; a stall of the server with work
// queued is told apart from a server that has nothing to do), and the
// machine's load average.

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// procRunWait returns the time every thread of process pid (0: this
// process) has spent runnable but waiting for a CPU: the second field of
// /proc/PID/task/TID/schedstat, summed over the threads alive now.
func procRunWait(pid int) (time.Duration, error) {
	dir := "/proc/self/task"
	if pid > 0 {
		dir = "/proc/" + strconv.Itoa(pid) + "/task"
	}
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	var sum time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(filepath.Join(dir, t.Name(), "schedstat"))
		if err != nil {
			continue // the thread exited
		}
		w, err := parseRunWait(string(b))
		if err != nil {
			return 0, err
		}
		sum += w
	}
	return sum, nil
}

// parseRunWait reads the run-queue wait (ns) from a schedstat line:
// "<on-CPU ns> <waiting ns> <timeslices>".
func parseRunWait(s string) (time.Duration, error) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0, fmt.Errorf("malformed schedstat %q", s)
	}
	ns, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("malformed schedstat %q", s)
	}
	return time.Duration(ns), nil
}

// loadAvg1 returns the one-minute load average, 0 if unreadable.
func loadAvg1() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
