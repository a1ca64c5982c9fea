package coordinator

import (
	"errors"
	"io"
	"time"

	"github.com/faultline/faultline/agents/cluster"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
)

// Sink receives what a run records, in order (reports.Writer satisfies it).
type Sink interface {
	Agent(a reports.Agent) error
	Window(w reports.Window) error
	Event(e reports.Event) error
}

// Watcher sees every distinct window as it arrives and says whether the run
// must abort (reports' AbortWatcher sits behind it).
type Watcher interface {
	Observe(w reports.Window) (abort bool, reason string)
}

// Config configures one run.
type Config struct {
	// Node is the coordinator's cluster membership (role coordinator).
	Node *cluster.Node
	// RunID names the run; agents never serve one id twice.
	RunID string
	// Scenario supplies the load, the target and the seed.
	Scenario *scenarios.Scenario
	// MinAgents is how many agents must be live before load starts.
	MinAgents int
	// WaitAgents bounds that wait.
	WaitAgents time.Duration
	// Lease is the agents' lease on the run; heartbeats go out every
	// Lease/5 so that four can be lost before an agent gives up.
	Lease time.Duration
	// LeadTime is how far ahead of the assignments the load's clock
	// starts, so that every agent begins on the same schedule.
	LeadTime time.Duration
	// Drain is how long after the schedule ends (or a stop) the coordinator
	// waits for agents that have not said done, on top of the longest
	// endpoint timeout (requests in flight may take that long to end). A
	// run that ends normally stops waiting as soon as every agent is done
	// and its windows are in, so a generous drain costs nothing there.
	// Default 10 s: room for a loaded machine.
	Drain time.Duration
	// Sink records agents, windows and events. Required.
	Sink Sink
	// Watcher may abort the run; nil never aborts.
	Watcher Watcher
	// Progress is called about once a second with a snapshot; may be nil.
	Progress func(Snapshot)
	// Log receives coordinator diagnostics; nil discards.
	Log io.Writer
}

// Defaults.
const (
	DefaultWaitAgents = 30 * time.Second
	DefaultLeadTime   = time.Second
	DefaultDrain      = 10 * time.Second
	// acceptTimeout is how long an assigned agent has to accept (or send a
	// window) before it is left out of the split. Generous: on a loaded
	// machine a reliable send can take seconds, and dropping a healthy
	// agent costs more than waiting for a dead one (which membership
	// catches anyway).
	acceptTimeout = 10 * time.Second
	// stragglerQuiet and maxDrainFactor bound the wait for agents that are
	// still sending when the drain runs out (Coordinator.stillSending): one
	// heard from within stragglerQuiet is waited for, up to maxDrainFactor
	// drains after the schedule's end in all.
	stragglerQuiet = 3 * time.Second
	maxDrainFactor = 3
)

// ErrNotEnoughAgents is returned when fewer than MinAgents agents showed
// up in time. faultline exits 4 on it.
var ErrNotEnoughAgents = errors.New("not enough agents")

func (c *Config) defaults() error {
	if c.Node == nil || c.Scenario == nil || c.Sink == nil || c.RunID == "" {
		return errors.New("coordinator: Config needs Node, Scenario, Sink and RunID")
	}
	if c.MinAgents < 1 {
		c.MinAgents = 1
	}
	if c.WaitAgents <= 0 {
		c.WaitAgents = DefaultWaitAgents
	}
	if c.Lease <= 0 {
		c.Lease = 5 * time.Second
	}
	if c.LeadTime <= 0 {
		c.LeadTime = DefaultLeadTime
	}
	if c.Drain <= 0 {
		c.Drain = DefaultDrain
		var longest time.Duration
		for _, ep := range c.Scenario.Load.Mix {
			longest = max(longest, ep.Timeout)
		}
		c.Drain += longest
	}
	return nil
}
