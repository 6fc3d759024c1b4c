package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat. USER_HZ is
// 100 on every Linux architecture Go supports (sysconf(_SC_CLK_TCK)).
const clockTick = 10 * time.Millisecond

// procCPU returns utime+stime of process pid (0: this process) from
// /proc/PID/stat: CPU time in user and kernel mode of all its threads.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(procPath(pid, "stat"))
	if err != nil {
		return 0, err
	}
	// The command name is in parentheses and may hold spaces: split after
	// the last ')'. Then field 3 (state) is at index 0, utime (field 14)
	// at index 11 and stime (field 15) at index 12.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("malformed %s", procPath(pid, "stat"))
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short %s", procPath(pid, "stat"))
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("malformed %s", procPath(pid, "stat"))
	}
	return time.Duration(ut+st) * clockTick, nil
}

// procRSS returns VmRSS of process pid (0: this process) in KiB, from
// /proc/PID/status.
func procRSS(pid int) (int64, error) {
	b, err := os.ReadFile(procPath(pid, "status"))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in %s", procPath(pid, "status"))
}

func procPath(pid int, file string) string {
	if pid == 0 {
		return "/proc/self/" + file
	}
	return "/proc/" + strconv.Itoa(pid) + "/" + file
}

// cpuMeter measures the CPU time of the server (if pid > 0) and of this
// process between start and stop.
type cpuMeter struct {
	pid                int
	wall               time.Time
	server, self       time.Duration
	serverErr          error
	dWall, dSrv, dSelf time.Duration
}

func startMeter(pid int) *cpuMeter {
	m := &cpuMeter{pid: pid}
	if pid > 0 {
		m.server, m.serverErr = procCPU(pid)
	}
	m.self, _ = procCPU(0)
	m.wall = time.Now()
	return m
}

func (m *cpuMeter) stop() {
	m.dWall = time.Since(m.wall)
	if m.pid > 0 && m.serverErr == nil {
		s, err := procCPU(m.pid)
		m.serverErr = err
		m.dSrv = s - m.server
	}
	s, _ := procCPU(0)
	m.dSelf = s - m.self
}
