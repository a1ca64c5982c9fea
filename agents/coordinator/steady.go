package coordinator

import (
	"context"
	"time"

	"github.com/faultline/faultline/agents/load"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

// Steady-state probe: a short, gentle run of the scenario's own mix from
// the coordinator, before any agent starts, so that a target that is
// already unhealthy is never load-tested (or blamed on a fault).
const (
	SteadyDuration = 3 * time.Second // three one-second windows
	SteadyMaxRate  = 50.0            // per second: a look, not a load test
)

// ProbeSteady returns the SteadyCheck for sc: its mix at min(rate, 50/s),
// constant, for SteadyDuration.
func ProbeSteady(sc *scenarios.Scenario) SteadyCheck {
	return func(ctx context.Context, runID string) ([]reports.Window, error) {
		allow, err := targets.NewAllowlist(append([]string{sc.Target.BaseURL}, sc.Target.Allow...)...)
		if err != nil {
			return nil, err
		}
		ld := sc.Load
		rate := min(ld.Rate.PerSecond(), SteadyMaxRate)
		if rate <= 0 {
			rate = SteadyMaxRate
		}
		ld.Rate = scenarios.Rate{Freq: rate, Per: time.Second}
		ld.Shape = scenarios.Shape{Kind: "constant"}
		ld.Warmup, ld.Duration = 0, SteadyDuration
		eng, err := load.New(load.Config{RunID: runID + "-steady", AgentID: "coordinator", BaseURL: sc.Target.BaseURL, Allow: allow, Load: ld, Share: 1, Seed: sc.Seed})
		if err != nil {
			return nil, err
		}
		out := make(chan reports.Window, 64)
		errc := make(chan error, 1)
		go func() { errc <- eng.Run(ctx, out); close(out) }()
		var wins []reports.Window
		for w := range out {
			wins = append(wins, w)
		}
		return wins, <-errc
	}
}
