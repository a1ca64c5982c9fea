package agents

import (
	"context"
	"errors"
	"time"
)

// ErrNoExecutor is returned for fault commands when the agent has no
// executor for the fault's kind.
var ErrNoExecutor = errors.New("this agent has no executor for the fault kind")

// FaultExecutor applies faults for an agent. Implementations revert a
// fault by themselves when its lease ends without renewal; the agent also
// calls RevertAll when it loses its coordinator.
type FaultExecutor interface {
	// Apply applies cmd.Spec under cmd.ID for cmd.Lease.
	Apply(ctx context.Context, cmd FaultCommand) error
	// Renew extends the lease of the fault id.
	Renew(ctx context.Context, id string, lease time.Duration) error
	// Revert removes the fault id.
	Revert(ctx context.Context, id string) error
	// RevertAll removes every fault this executor applied.
	RevertAll(ctx context.Context) error
}

// NoFaults is the executor of an agent that cannot inject faults: it
// refuses every Apply and has nothing to revert.
type NoFaults struct{}

var _ FaultExecutor = NoFaults{}

// Apply refuses.
func (NoFaults) Apply(context.Context, FaultCommand) error { return ErrNoExecutor }

// Renew refuses.
func (NoFaults) Renew(context.Context, string, time.Duration) error { return ErrNoExecutor }

// Revert refuses.
func (NoFaults) Revert(context.Context, string) error { return ErrNoExecutor }

// RevertAll has nothing to do.
func (NoFaults) RevertAll(context.Context) error { return nil }
