package probes

import (
	"context"
	"testing"
	"time"

	"github.com/faultline/faultline/reports"
)

// Ground truth for reports' heal_convergence: a read model whose q2 is cut
// off from 300 ms to 1.3 s and catches up a known time after the heal,
// probed by a real Prober over loopback. The measured convergence must be
// within 10% of the catch-up, and "never" when q2 never catches up.
func TestHealConvergenceGroundTruth(t *testing.T) {
	const cut, heal = 300 * time.Millisecond, 1300 * time.Millisecond
	for _, tc := range []struct {
		name    string
		catchUp time.Duration
		never   bool
	}{
		{"catches up in 1s", time.Second, false},
		{"catches up in 2s", 2 * time.Second, false},
		{"never catches up", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The truth is always inside [Time, Upper]. A starved CPU (the
			// machine is shared) can stall the reads and leave Time low in
			// a wide bracket: such a run is made again, up to three times.
			for run := 1; run <= 3; run++ {
				h := measureHeal(t, cut, heal, tc.catchUp, tc.never)
				// 20 writes a second over a 1 s cut: about 20 stale after the
				// heal, unless the prober itself was starved of CPU.
				if h.Stale < 5 {
					t.Logf("run %d: only %d writes stale after the heal (the prober fell behind its schedule); measuring again", run, h.Stale)
					continue
				}
				if tc.never {
					if h.Converged || len(h.Never) != h.Stale {
						t.Errorf("converged %v with %d of %d stale writes never visible; want never, with all of them", h.Converged, len(h.Never), h.Stale)
					}
					return
				}
				tol := tc.catchUp / 10
				if !h.Converged || h.Slowest != "q2" || h.Time > tc.catchUp+tol || h.Upper < tc.catchUp {
					t.Fatalf("converged %v in %s..%s on %q; want q2 with %s inside", h.Converged, h.Time, h.Upper, h.Slowest, tc.catchUp)
				}
				if h.Time >= tc.catchUp-tol {
					return
				}
				// Low, with the bracket's top close: no stall to blame.
				if h.Upper-h.Time <= tc.catchUp/4 {
					t.Fatalf("converged in %s (fresh by %s); want %s ± %s", h.Time, h.Upper, tc.catchUp, tol)
				}
				t.Logf("run %d: %s, low, in a bracket %s..%s (a CPU stall between reads); measuring again", run, h.Time, h.Time, h.Upper)
			}
			t.Skip("every run was disturbed by CPU stalls: the bracket held the truth each time, but could not be judged to ±10%")
		})
	}
}

// measureHeal probes a fresh read model whose q2 is cut off from cut to
// heal and catches up catchUp after it (never if never), and measures.
func measureHeal(t *testing.T, cut, heal, catchUp time.Duration, never bool) reports.HealConvergence {
	t.Helper()
	m := newReadModel(t, map[string]instanceBehaviour{
		"q1": {},
		"q2": {cutFrom: cut, healAt: heal, catchUp: catchUp, neverCatchUp: never},
	})
	// 20 writes a second until 1 s past the catch-up, then 3 s of grace
	// (generous: the machine is shared): at most about 90 writes, done in
	// under 8 s.
	p, err := New(Config{RunID: "heal", AgentID: "a", Probe: orderProbe(20, 3*time.Second), WriteURL: m.write.URL,
		Readers: m.readerList(), Until: m.start.Add(heal + catchUp + time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r := &reports.Result{Header: reports.Header{Started: m.start}, Probes: collect(t, ctx, p)}
	h := reports.MeasureHealConvergence(r, heal)
	t.Logf("%d writes before the heal, %d stale after it; converged %v in %s (fresh by %s) on %s; %d never visible",
		h.Writes, h.Stale, h.Converged, h.Time, h.Upper, h.Slowest, len(h.Never))
	return h
}
