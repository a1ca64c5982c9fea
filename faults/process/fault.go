package process

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/faultline/faultline/faults"
)

// Restarter starts an instance again; the supervisor provides it.
type Restarter func(ctx context.Context, t Target) error

// Fault is a process fault as a faults.Fault. kill, terminate and restart
// are one-shot (Revert is a no-op: a dead process is not un-killed, the
// supervisor replaces it); pause holds until Revert or its lease ends.
type Fault struct {
	Kind    string // kill, terminate, pause, restart
	Target  Target
	Grace   time.Duration // terminate
	Guard   Guard         // pause
	Restart Restarter     // restart

	mu     sync.Mutex
	paused *Paused
}

var _ faults.Fault = (*Fault)(nil)

// Apply implements faults.Fault.
func (f *Fault) Apply(ctx context.Context, lease time.Duration) error {
	switch f.Kind {
	case "kill":
		return Kill(f.Target)
	case "terminate":
		return Terminate(f.Target, f.Grace)
	case "restart":
		if f.Restart == nil {
			return fmt.Errorf("restart %s: no restart hook (the target's supervisor must provide one)", f.Target)
		}
		if err := Terminate(f.Target, f.Grace); err != nil {
			return err
		}
		return f.Restart(ctx, f.Target)
	case "pause":
		if lease <= 0 {
			lease = faults.DefaultLease
		}
		p, err := f.Guard.Pause(f.Target, lease)
		if err != nil {
			return err
		}
		f.mu.Lock()
		f.paused = p
		f.mu.Unlock()
		return nil
	}
	return fmt.Errorf("process fault kind %q (allowed: kill, terminate, pause, restart)", f.Kind)
}

// Renew implements faults.Fault.
func (f *Fault) Renew(_ context.Context, lease time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.paused == nil {
		return nil
	}
	return f.paused.Renew(lease)
}

// Revert implements faults.Fault.
func (f *Fault) Revert(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.paused == nil {
		return nil
	}
	p := f.paused
	f.paused = nil
	return p.Resume()
}
