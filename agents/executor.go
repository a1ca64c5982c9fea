package agents

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/faultline/faultline/faults/process"
	"github.com/faultline/faultline/targets"
)

// Executor is the agent's real FaultExecutor. It applies what the
// coordinator resolved (FaultCommand.Targets):
//
//	network kinds, partitions ─▶ toxics with a lease on each link's
//	                             Toxiproxy-compatible admin API
//	kill, terminate, restart  ─▶ signals by pid (faults/process)
//	pause                     ─▶ SIGSTOP under a guard process lease
//
// Every effect carries its own lease outside this process (the proxy
// removes an unrenewed toxic, the guard resumes an unrenewed pause), so an
// agent killed with SIGKILL leaves nothing behind once the lease runs out.
type Executor struct {
	// Admin talks to the links' admin APIs.
	Admin *AdminClient
	// Guard starts pause guards (zero value: this binary's "guard").
	Guard process.Guard
	// Allow is where admin APIs may live; nil means loopback only.
	Allow *targets.Allowlist

	mu     sync.Mutex
	active map[string]*appliedFault
}

var _ FaultExecutor = (*Executor)(nil)

// ErrFaultGone is returned by Renew when the fault is no longer applied
// (its lease ran out, or the process it paused is gone): the coordinator
// must apply it again, not renew it.
var ErrFaultGone = errors.New("fault is no longer applied")

// appliedFault is what one fault changed. Its mutex is held while the
// fault is being applied, so that a revert that comes meanwhile (the run
// stopped) waits and undoes all of it, not what was applied so far.
type appliedFault struct {
	mu     sync.Mutex
	toxics []ToxicTarget
	paused []*process.Paused
}

// NewExecutor returns an executor with default settings.
func NewExecutor() *Executor { return &Executor{Admin: NewAdminClient()} }

// terminateGrace bounds a terminate before SIGKILL when none is given.
const terminateGrace = 5 * time.Second

// Apply applies every resolved target of cmd. On any error, what was
// already applied is reverted: a fault is applied whole or not at all.
func (x *Executor) Apply(ctx context.Context, cmd FaultCommand) error {
	if cmd.Targets == nil || (len(cmd.Targets.Toxics) == 0 && len(cmd.Targets.Procs) == 0) {
		return fmt.Errorf("fault %s: no resolved targets in the command (the coordinator resolves selectors)", cmd.ID)
	}
	if cmd.Lease <= 0 {
		cmd.Lease = DefaultLease
	}
	if err := x.checkAdmins(slices.Concat(cmd.Targets.Toxics, cmd.Replaces)); err != nil {
		return fmt.Errorf("fault %s: %w", cmd.ID, err)
	}
	x.mu.Lock()
	if x.active == nil {
		x.active = map[string]*appliedFault{}
	}
	if _, dup := x.active[cmd.ID]; dup {
		x.mu.Unlock()
		return fmt.Errorf("fault %s is already applied by this agent", cmd.ID)
	}
	af := &appliedFault{}
	af.mu.Lock()
	x.active[cmd.ID] = af
	x.mu.Unlock()
	err := x.apply(ctx, af, cmd)
	if err != nil {
		x.undo(context.WithoutCancel(ctx), af)
	}
	af.mu.Unlock()
	if err != nil {
		x.mu.Lock()
		if x.active[cmd.ID] == af {
			delete(x.active, cmd.ID)
		}
		x.mu.Unlock()
	}
	return err
}

func (x *Executor) apply(ctx context.Context, af *appliedFault, cmd FaultCommand) error {
	for _, t := range cmd.Replaces {
		if err := x.Admin.RemoveToxic(ctx, t.Admin, t.Proxy, t.Toxic.Name); err != nil && !errors.Is(err, ErrToxicNotFound) {
			return fmt.Errorf("remove %s on %s, left by a lost executor: %w", t.Toxic.Name, t.Proxy, err)
		}
	}
	for _, t := range cmd.Targets.Toxics {
		if err := x.Admin.AddToxic(ctx, t.Admin, t.Proxy, t.Toxic, cmd.Lease); err != nil {
			return err
		}
		af.toxics = append(af.toxics, t)
	}
	for _, p := range cmd.Targets.Procs {
		if p.PID <= 1 {
			return fmt.Errorf("%s %s: no pid (the instance is not running)", p.Action, p.Instance)
		}
		t := process.Target{PID: p.PID, Group: true}
		grace := p.Grace
		if grace <= 0 {
			grace = terminateGrace
		}
		var err error
		switch p.Action {
		case "kill":
			err = process.Kill(t)
		case "terminate", "restart":
			// The target's supervisor starts the replacement; restart is a
			// terminate it replaces (the reference topology does).
			err = process.Signal(t, syscall.SIGTERM)
		case "pause":
			var pz *process.Paused
			if pz, err = x.Guard.Pause(t, cmd.Lease); err == nil {
				af.paused = append(af.paused, pz)
			}
		default:
			err = fmt.Errorf("process action %q (allowed: kill, terminate, pause, restart)", p.Action)
		}
		if err != nil {
			return fmt.Errorf("%s %s (pid %d): %w", p.Action, p.Instance, p.PID, err)
		}
	}
	return nil
}

// Renew extends every lease of fault id to lease from now.
func (x *Executor) Renew(ctx context.Context, id string, lease time.Duration) error {
	x.mu.Lock()
	af := x.active[id]
	x.mu.Unlock()
	if af == nil {
		return fmt.Errorf("fault %s: %w (this agent does not hold it)", id, ErrFaultGone)
	}
	af.mu.Lock()
	defer af.mu.Unlock()
	for _, t := range af.toxics {
		if err := x.Admin.RenewToxic(ctx, t.Admin, t.Proxy, t.Toxic.Name, lease); err != nil {
			if errors.Is(err, ErrToxicNotFound) {
				return fmt.Errorf("fault %s: %w: %v", id, ErrFaultGone, err)
			}
			return err
		}
	}
	for _, p := range af.paused {
		if err := p.Renew(lease); err != nil {
			return fmt.Errorf("fault %s: %w: %v", id, ErrFaultGone, err)
		}
	}
	return nil
}

// Revert removes fault id. Reverting a fault this agent does not hold is
// not an error: its lease already removed it, or another agent held it.
func (x *Executor) Revert(ctx context.Context, id string) error {
	x.mu.Lock()
	af := x.active[id]
	delete(x.active, id)
	x.mu.Unlock()
	if af == nil {
		return nil
	}
	return x.revert(ctx, af)
}

// RevertAll removes every fault this executor holds.
func (x *Executor) RevertAll(ctx context.Context) error {
	x.mu.Lock()
	all := x.active
	x.active = nil
	x.mu.Unlock()
	var errs []error
	for _, af := range all {
		errs = append(errs, x.revert(ctx, af))
	}
	return errors.Join(errs...)
}

// Active lists the ids of the faults this executor holds.
func (x *Executor) Active() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	out := make([]string, 0, len(x.active))
	for id := range x.active {
		out = append(out, id)
	}
	return out
}

// revert undoes af once its apply is over.
func (x *Executor) revert(ctx context.Context, af *appliedFault) error {
	af.mu.Lock()
	defer af.mu.Unlock()
	return x.undo(ctx, af)
}

// undo removes af's toxics and resumes its pauses; af.mu is held.
func (x *Executor) undo(ctx context.Context, af *appliedFault) error {
	var errs []error
	for _, t := range af.toxics {
		if err := x.Admin.RemoveToxic(ctx, t.Admin, t.Proxy, t.Toxic.Name); err != nil && !errors.Is(err, ErrToxicNotFound) {
			errs = append(errs, err)
		}
	}
	for _, p := range af.paused {
		if err := p.Resume(); err != nil && !errors.Is(err, process.ErrNoProcess) {
			errs = append(errs, err)
		}
	}
	af.toxics, af.paused = nil, nil // undone: a second undo has nothing to do
	return errors.Join(errs...)
}

func (x *Executor) checkAdmins(ts []ToxicTarget) error {
	allow := x.Allow
	if allow == nil {
		allow, _ = targets.NewAllowlist()
	}
	for _, t := range ts {
		if err := allow.CheckURL(t.Admin); err != nil {
			return fmt.Errorf("link %s admin %s: %w", t.Proxy, t.Admin, err)
		}
	}
	return nil
}
