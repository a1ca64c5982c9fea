package agents

import (
	"context"

	"github.com/faultline/faultline/reports"
)

// Load is what an agent needs from a load engine (agents/load.Engine
// satisfies it): run until done, change share, stop.
type Load interface {
	// Run sends one window per endpoint per second to out and blocks
	// until the load's schedule ends, ctx is done or Stop is called.
	Run(ctx context.Context, out chan<- reports.Window) error
	// SetShare changes this agent's fraction of the scenario rate.
	SetShare(f float64)
	// Stop ends Run early.
	Stop()
}

// LoadFactory builds the load for one assignment.
type LoadFactory func(a Assignment) (Load, error)
