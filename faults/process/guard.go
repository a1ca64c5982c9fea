package process

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// GuardPoll is how often the guard checks its lease file: the resume
// happens at most this late after the lease ends.
const GuardPoll = 100 * time.Millisecond

// writeLease renews: the file's mtime becomes now, its content the lease.
func writeLease(path string, lease time.Duration) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(lease.String()+"\n"), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// readLease returns the last renewal and the lease length.
func readLease(path string) (time.Time, time.Duration, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}, 0, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return time.Time{}, 0, err
	}
	d, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil || d <= 0 {
		return time.Time{}, 0, fmt.Errorf("lease file %s: bad lease %q", path, strings.TrimSpace(string(b)))
	}
	return fi.ModTime(), d, nil
}

// RunGuard is the body of `faultline guard`: it watches the lease file of
// a paused target and sends SIGCONT when the lease runs out, when the
// file is removed (Resume), or when the file becomes unreadable - in
// doubt, resume. While another executor's lease on the same target is
// live (the fault moved to it when this one's executor was lost), the
// guard waits instead: a SIGCONT now would end that executor's pause.
// It returns when the target is resumed or gone; the longest it runs is
// bounded by maxLife as a last resort.
func RunGuard(t Target, leaseFile string, maxLife time.Duration) error {
	pid, err := t.resolve()
	if err != nil {
		return err
	}
	defer os.Remove(leaseFile)
	start := time.Now()
	for {
		if !alive(pid) {
			return nil
		}
		renewed, lease, err := readLease(leaseFile)
		why := ""
		switch {
		case errors.Is(err, os.ErrNotExist):
			why = "lease file removed"
		case err != nil:
			why = err.Error()
		case time.Since(renewed) > lease:
			why = "lease expired"
		}
		switch {
		case maxLife > 0 && time.Since(start) > maxLife:
			return resume(pid, "guard's maximum life reached")
		case why != "" && !heldElsewhere(pid, leaseFile):
			return resume(pid, why)
		}
		time.Sleep(GuardPoll)
	}
}

// leaseGlob matches the lease files of every pause of pid in dir.
func leaseGlob(dir string, pid int) string {
	return filepath.Join(dir, fmt.Sprintf("faultline-pause-%d-*.lease", abs(pid)))
}

// heldElsewhere reports whether a lease file other than own, beside it,
// holds a live pause of pid. Executors on one host share the directory
// (os.TempDir by default), as they share the pid space.
func heldElsewhere(pid int, own string) bool {
	files, _ := filepath.Glob(leaseGlob(filepath.Dir(own), pid))
	for _, f := range files {
		if f == own {
			continue
		}
		if renewed, lease, err := readLease(f); err == nil && time.Since(renewed) <= lease {
			return true
		}
	}
	return false
}

func resume(pid int, why string) error {
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("guard: SIGCONT %d (%s): %w", pid, why, err)
	}
	fmt.Fprintf(os.Stderr, "faultline guard: resumed %s (%s)\n", strconv.Itoa(pid), why)
	return nil
}
