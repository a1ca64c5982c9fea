package process

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Guard says how to start `faultline guard`. The zero value runs this
// executable with the "guard" subcommand and keeps lease files in the
// temporary directory.
type Guard struct {
	// Exe is the binary; empty means os.Executable().
	Exe string
	// Args come before the guard's flags; nil means ["guard"].
	Args []string
	// Env is added to the guard's environment.
	Env []string
	// Dir holds lease files; empty means os.TempDir().
	Dir string
	// MaxLife bounds a guard's life whatever happens; 0 means 1 hour.
	MaxLife time.Duration
}

// Paused is a paused target under lease.
type Paused struct {
	Target    Target
	LeaseFile string
	mu        sync.Mutex
	done      bool
}

// Pause stops the target (SIGSTOP) under lease: a detached guard resumes
// it unless Renew is called within each lease, even if this process dies.
// The guard is started before the SIGSTOP, so a paused target never lacks
// one.
func (g Guard) Pause(t Target, lease time.Duration) (*Paused, error) {
	if lease <= 0 {
		return nil, fmt.Errorf("pause %s: lease must be > 0, got %v", t, lease)
	}
	pid, err := t.resolve()
	if err != nil {
		return nil, err
	}
	dir := g.Dir
	if dir == "" {
		dir = os.TempDir()
	}
	f, err := os.CreateTemp(dir, leaseGlob("", pid))
	if err != nil {
		return nil, fmt.Errorf("pause %s: lease file: %w", t, err)
	}
	_ = f.Close()
	p := &Paused{Target: t, LeaseFile: f.Name()}
	if err := writeLease(p.LeaseFile, lease); err != nil {
		return nil, err
	}
	if err := g.start(t, p.LeaseFile); err != nil {
		_ = os.Remove(p.LeaseFile)
		return nil, err
	}
	if err := Signal(t, syscall.SIGSTOP); err != nil {
		_ = os.Remove(p.LeaseFile) // the guard sees it go and exits
		return nil, err
	}
	return p, nil
}

func (g Guard) start(t Target, leaseFile string) error {
	exe := g.Exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return fmt.Errorf("guard: %w", err)
		}
	}
	args := g.Args
	if args == nil {
		args = []string{"guard"}
	}
	maxLife := g.MaxLife
	if maxLife <= 0 {
		maxLife = time.Hour
	}
	args = append(append([]string(nil), args...), "--lease-file", filepath.Clean(leaseFile), "--max-life", maxLife.String())
	if t.PIDFile != "" {
		args = append(args, "--pidfile", t.PIDFile)
	} else {
		args = append(args, "--pid", strconv.Itoa(t.PID))
	}
	if t.Group {
		args = append(args, "--group")
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), g.Env...)
	// Its own session: no signal aimed at the agent's group or terminal
	// reaches it, and it outlives the agent.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start guard %s: %w", exe, err)
	}
	go func() { _ = cmd.Wait() }() // reap it if we are still here
	return nil
}

// Renew extends the lease to lease from now.
func (p *Paused) Renew(lease time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done {
		return fmt.Errorf("renew pause of %s: already resumed", p.Target)
	}
	if _, err := os.Stat(p.LeaseFile); err != nil {
		return fmt.Errorf("renew pause of %s: the guard already resumed it: %w", p.Target, err)
	}
	return writeLease(p.LeaseFile, lease)
}

// Resume continues the target now and dismisses the guard. While another
// executor's pause of the target is live, the target stays stopped: the
// pause is that executor's to end.
func (p *Paused) Resume() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = true
	_ = os.Remove(p.LeaseFile)
	if pid, err := p.Target.resolve(); err == nil && heldElsewhere(pid, p.LeaseFile) {
		return nil
	}
	return Resume(p.Target)
}

// Resume sends SIGCONT.
func Resume(t Target) error { return Signal(t, syscall.SIGCONT) }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
