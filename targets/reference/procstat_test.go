package reference

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat (USER_HZ):
// 100 Hz on every Linux architecture Go supports, and unreadable without
// cgo's sysconf.
const clockTick = 10 * time.Millisecond

// procCPU returns the user+system CPU time a process has used so far.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseProcStat(string(b))
}

// parseProcStat reads utime+stime from a /proc/PID/stat line. The command
// name is in parentheses and may itself hold spaces and parentheses, so the
// fields are counted from the last ')'.
func parseProcStat(s string) (time.Duration, error) {
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("proc stat: no ')' after the command name")
	}
	// After ')': state(3) ppid pgrp session tty_nr tpgid flags minflt
	// cminflt majflt cmajflt utime(14) stime(15), numbered as in proc(5).
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("proc stat: %d fields after the command name, want >= 13", len(f))
	}
	var ticks int64
	for _, v := range f[11:13] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 || n > 1<<40 { // 2^40 ticks: centuries, and no overflow below
			return 0, fmt.Errorf("proc stat: cpu field %q is not a tick count", v)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// machineLoad is the load average and CPU pressure now, for the record:
// latency measured on a busy machine is not a verdict.
func machineLoad() string {
	load, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(load))
	out := "load average " + strings.Join(f[:min(3, len(f))], " ")
	if p, err := os.ReadFile("/proc/pressure/cpu"); err == nil {
		line, _, _ := strings.Cut(string(p), "\n")
		out += ", cpu pressure " + line
	}
	return out
}

func TestParseProcStat(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       time.Duration
		ok         bool
	}{
		{"plain", "42 (faultline) S 1 42 42 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 8 0 1000", 3250 * time.Millisecond, true},
		// A command name may hold spaces and parentheses.
		{"odd command name", "7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0", 30 * time.Millisecond, true},
		{"no command name", "42 faultline S 1", 0, false},
		{"too few fields", "42 (x) S 1 2 3", 0, false},
		{"negative ticks", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 -1 2 0 0", 0, false},
		{"overflowing ticks", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 9223372036854775807 2 0 0", 0, false},
		{"not a number", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 1 z 0 0", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseProcStat(tc.line)
			if (err == nil) != tc.ok || got != tc.want {
				t.Errorf("parseProcStat = %v, %v; want %v, ok %v", got, err, tc.want, tc.ok)
			}
		})
	}
	if d, err := procCPU(os.Getpid()); err != nil || d < 0 {
		t.Errorf("procCPU(self) = %v, %v", d, err)
	}
}

func FuzzParseProcStat(f *testing.F) {
	f.Add("42 (faultline) S 1 42 42 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 8 0 1000")
	f.Add("7 (a (b) c) R 1 7 7 0 -1 0 0 0 0 0 1 2 0 0")
	f.Fuzz(func(t *testing.T, line string) {
		if d, err := parseProcStat(line); err == nil && d < 0 {
			t.Errorf("negative CPU time %v from %q", d, line)
		}
	})
}
