package reference

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// portLockDir holds one file per port a running topology has claimed, so
// that topologies started at the same moment (parallel CI jobs, a test
// beside `faultline run`) never draw the same port. A file whose owner
// process is gone is stale and may be taken over.
var portLockDir = filepath.Join(os.TempDir(), "faultline-ports")

// claimPort claims port for this process; false if another live process
// holds it.
func claimPort(port int) bool {
	if err := os.MkdirAll(portLockDir, 0o777); err != nil {
		return true // no lock directory: fall back to the bind check alone
	}
	path := filepath.Join(portLockDir, strconv.Itoa(port))
	for range 2 {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.WriteString(strconv.Itoa(os.Getpid()))
			f.Close()
			return true
		}
		if !errors.Is(err, os.ErrExist) || !staleLock(path) {
			return false
		}
		os.Remove(path)
	}
	return false
}

// staleLock reports whether the process that wrote path is gone.
func staleLock(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return true
	}
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// releasePorts drops this process's claims on the given addresses.
func releasePorts(addrs []string) {
	for _, a := range addrs {
		if _, port, err := splitHostPort(a); err == nil {
			path := filepath.Join(portLockDir, strconv.Itoa(port))
			if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(os.Getpid()) {
				os.Remove(path)
			}
		}
	}
}
