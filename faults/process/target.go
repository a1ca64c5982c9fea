package process

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Target addresses the process(es) a fault hits.
type Target struct {
	// PID is the process id (or, with Group, any member of the group).
	PID int `json:"pid,omitempty"`
	// PIDFile, when set, is read for the pid at each signal.
	PIDFile string `json:"pidfile,omitempty"`
	// Group signals the whole process group of PID.
	Group bool `json:"group,omitempty"`
}

// ErrNoProcess is returned when the target does not exist (any more).
var ErrNoProcess = errors.New("no such process")

func (t Target) String() string {
	switch {
	case t.PIDFile != "":
		return "pidfile " + t.PIDFile
	case t.Group:
		return fmt.Sprintf("process group of %d", t.PID)
	}
	return fmt.Sprintf("pid %d", t.PID)
}

// resolve returns the pid to pass to kill(2): negative for a group.
func (t Target) resolve() (int, error) {
	pid := t.PID
	if t.PIDFile != "" {
		b, err := os.ReadFile(t.PIDFile)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", t, err)
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return 0, fmt.Errorf("%s: not a pid: %q", t, strings.TrimSpace(string(b)))
		}
	}
	if pid <= 1 {
		return 0, fmt.Errorf("%s: refusing pid %d (must be > 1)", t, pid)
	}
	if pid == os.Getpid() {
		return 0, fmt.Errorf("%s: refusing to signal faultline itself", t)
	}
	if t.Group {
		pgid, err := syscall.Getpgid(pid)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", t, ErrNoProcess)
		}
		if pgid == syscall.Getpgrp() {
			return 0, fmt.Errorf("%s: refusing to signal faultline's own process group", t)
		}
		return -pgid, nil
	}
	return pid, nil
}

// Signal sends sig to the target.
func Signal(t Target, sig syscall.Signal) error {
	pid, err := t.resolve()
	if err != nil {
		return err
	}
	if err := syscall.Kill(pid, sig); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("%s: %w", t, ErrNoProcess)
		}
		return fmt.Errorf("%s: %v: %w", t, sig, err)
	}
	return nil
}

// Kill sends SIGKILL.
func Kill(t Target) error { return Signal(t, syscall.SIGKILL) }

// Terminate sends SIGTERM, waits up to grace for the target to exit, then
// sends SIGKILL. It returns once the target is gone (or after a further
// grace when even SIGKILL did not take, which is an error).
func Terminate(t Target, grace time.Duration) error {
	pid, err := t.resolve()
	if err != nil {
		return err
	}
	if err := Signal(t, syscall.SIGTERM); err != nil {
		return err
	}
	if waitGone(pid, grace) {
		return nil
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("%s: SIGKILL after %v grace: %w", t, grace, err)
	}
	if !waitGone(pid, max(grace, time.Second)) {
		return fmt.Errorf("%s: still running after SIGKILL", t)
	}
	return nil
}

// waitGone polls until pid (or group, negative) no longer exists or is a
// zombie (exited, not yet reaped by its parent).
func waitGone(pid int, d time.Duration) bool {
	end := time.Now().Add(d)
	for {
		if !alive(pid) {
			return true
		}
		if time.Now().After(end) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	if pid > 0 {
		if st, err := State(pid); err == nil && (st == 'Z' || st == 'X') {
			return false
		}
	}
	return true
}

// State returns the process state letter from /proc/PID/stat: R running,
// S sleeping, T stopped, Z zombie, ...
func State(pid int) (byte, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("pid %d: %w", pid, ErrNoProcess)
	}
	// The command name is in parentheses and may contain anything.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 || i+2 >= len(b) {
		return 0, fmt.Errorf("pid %d: unreadable /proc stat", pid)
	}
	return b[i+2], nil
}
