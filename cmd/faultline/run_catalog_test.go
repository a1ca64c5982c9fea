package main

import (
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// TestWhitepaperSchedule guards the game day's design, whose verdicts
// flipped when it was wrong: the load spike overlapped kill-notify's
// window (its 429s were charged to the dead consumer), and a killed bus
// node's outage spilled into the next fault. Each case is one rule the
// schedule must keep, checked on both the full and the quick version.
func TestWhitepaperSchedule(t *testing.T) {
	// killSettle is how long after a bus kill orders stay down while the
	// replacement catches up (~6 s measured); nothing may be judged there.
	const killSettle = 6 * time.Second
	for _, name := range []string{"whitepaper", "whitepaper-quick"} {
		sc, err := scenarios.Resolve(name)
		if err != nil {
			t.Fatal(err)
		}
		p := scenarios.NewPlan(sc)
		sh := sc.Load.Shape
		t.Run(name+": the spike overlaps no fault and no bus kill's settling", func(t *testing.T) {
			if sh.Kind != "spike" {
				t.Fatalf("shape %q, want the spike that tests throttling", sh.Kind)
			}
			for _, f := range p.Faults {
				until := f.Until
				if f.Kind == "kill" && f.Name == "kill-bus" {
					until = max(until, f.At+killSettle)
				}
				if sh.At < until && f.At < sh.At+sh.For {
					t.Errorf("spike %s..%s overlaps %s %s..%s", sh.At, sh.At+sh.For, f.Name, f.At, until)
				}
			}
		})
		t.Run(name+": faults do not overlap, and one follows a bus kill only after it settled", func(t *testing.T) {
			for i, f := range p.Faults {
				for _, g := range p.Faults[i+1:] {
					end := f.Until
					if f.Name == "kill-bus" {
						end = max(end, f.At+killSettle)
					}
					if g.At < end && f.At < g.Until {
						t.Errorf("%s %s..%s overlaps %s %s..%s", f.Name, f.At, end, g.Name, g.At, g.Until)
					}
				}
			}
		})
		t.Run(name+": a replaced kill has clean windows before the next fault", func(t *testing.T) {
			// The supervisor replaces after ~2 s; TTR is judged up to the
			// next fault's start, so a kill needs at least 2 s after its
			// window ends before the next fault.
			for i, f := range p.Faults {
				if f.Name != "kill-catalog" || i+1 >= len(p.Faults) {
					continue
				}
				if gap := p.Faults[i+1].At - f.Until; gap < 2*time.Second {
					t.Errorf("%s is followed by %s after %s, want >= 2s", f.Name, p.Faults[i+1].Name, gap)
				}
			}
		})
	}
	t.Run("quick fits its budget: four passes of at most 36 s", func(t *testing.T) {
		sc, err := scenarios.Resolve("whitepaper-quick")
		if err != nil {
			t.Fatal(err)
		}
		if p := scenarios.NewPlan(sc); p.Total > 36*time.Second || len(sc.Variants) != 4 {
			t.Errorf("total %s with %d variants", p.Total, len(sc.Variants))
		}
	})
}

// TestWhitepaperLagBoundJudgesConvergence: a write made when a partition
// starts is stale for the whole partition, so a lag bound shorter than a
// partition fails by construction. Every partition must be shorter than
// every consistency_lag bound of the game day's claims, with room left to
// converge.
func TestWhitepaperLagBoundJudgesConvergence(t *testing.T) {
	for _, name := range []string{"whitepaper", "whitepaper-quick"} {
		sc, err := scenarios.Resolve(name)
		if err != nil {
			t.Fatal(err)
		}
		p := scenarios.NewPlan(sc)
		for _, c := range sc.Claims {
			for _, r := range c.Rules {
				x := r.Expr
				if x == nil || x.Left.Metric == nil || x.Right.Metric != nil || (x.Left.Metric.Name != "consistency_lag.p99" && x.Left.Metric.Name != "consistency_lag.max") {
					continue
				}
				bound := time.Duration(x.Right.Value * float64(time.Second))
				for _, f := range p.Faults {
					if f.Kind == "partition" && f.Until-f.At > bound-time.Second {
						t.Errorf("%s: partition %s lasts %s, but %s bounds lag at %s: it fails by construction", name, f.Name, f.Until-f.At, r.Source, bound)
					}
				}
			}
		}
	}
}
