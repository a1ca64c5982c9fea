package coordinator

import (
	"context"
	"errors"
	"fmt"
	"io"

	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Local is a set of agent processes this coordinator started from its own
// binary. They are always cleaned up: Stop signals their process groups,
// and each child also dies with its parent (Pdeathsig), so even a
// coordinator killed with SIGKILL leaves no agent behind.
type Local struct {
	mu    sync.Mutex
	procs []*exec.Cmd
	waits []chan struct{}
}

// SpawnSpec says how to start local agents.
type SpawnSpec struct {
	// Exe is the faultline binary (os.Executable()).
	Exe string
	// Count is how many agents to start.
	Count int
	// Join is the coordinator's cluster address.
	Join string
	// KeyFile holds the gossip key.
	KeyFile string
	// IDPrefix names the agents IDPrefix-1..N.
	IDPrefix string
	// Stderr receives the agents' logs; nil discards.
	Stderr io.Writer
}

// SpawnLocal starts Count agents on loopback. On error, the ones already
// started are stopped.
func SpawnLocal(s SpawnSpec) (*Local, error) {
	if s.Count < 1 {
		return nil, errors.New("spawn: count must be at least 1")
	}
	l := &Local{}
	for i := 1; i <= s.Count; i++ {
		id := s.IDPrefix + strconv.Itoa(i)
		cmd := exec.Command(s.Exe, "agent", "--id", id, "--bind", "127.0.0.1", "--join", s.Join, "--key-file", s.KeyFile, "--exit-with-parent")
		cmd.Stdout, cmd.Stderr = s.Stderr, s.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Setpgid: true, // its own group: Stop can signal everything it started
			// Dies with the coordinator. SIGTERM, not SIGKILL, so that it
			// still reverts its faults on the way out.
			Pdeathsig: syscall.SIGTERM,
		}
		if err := cmd.Start(); err != nil {
			l.Stop(time.Second)
			return nil, fmt.Errorf("start local agent %s: %w", id, err)
		}
		w := make(chan struct{})
		go func() { _ = cmd.Wait(); close(w) }()
		l.mu.Lock()
		l.procs = append(l.procs, cmd)
		l.waits = append(l.waits, w)
		l.mu.Unlock()
	}
	return l, nil
}

// PIDs returns the agents' process ids.
func (l *Local) PIDs() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]int, len(l.procs))
	for i, p := range l.procs {
		out[i] = p.Process.Pid
	}
	return out
}

// Stop sends SIGTERM to every agent's process group, waits up to grace,
// then SIGKILLs what is left.
func (l *Local) Stop(grace time.Duration) {
	l.mu.Lock()
	procs, waits := l.procs, l.waits
	l.mu.Unlock()
	for _, p := range procs {
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGTERM)
	}
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	for i, p := range procs {
		select {
		case <-waits[i]:
		case <-ctx.Done():
			_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
			<-waits[i]
		}
	}
}

// Exited reports whether every agent process has ended.
func (l *Local) Exited() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, w := range l.waits {
		select {
		case <-w:
		default:
			return false
		}
	}
	return true
}
