package coordinator

import (
	"context"
	"sync"
	"time"

	"github.com/faultline/faultline/agents/probes"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/targets"
)

// startProbes runs the scenario's consistency probes from the coordinator
// over the schedule [start, end): writes through the edge, reads from
// every read instance in s.ProbeReaders (else through the edge), each
// sample into the result. Probes are light (a few writes a second), so one
// process runs them; spreading them over agents is a
// later step. The returned wait blocks until every sample has resolved
// (its grace included) or ctx ends.
func (s *Session) startProbes(ctx context.Context, runID string, w *reports.Writer, start, end time.Time) (wait func()) {
	sc := s.Scenario
	if len(sc.Probes) == 0 {
		return func() {}
	}
	allow, err := targets.NewAllowlist(append([]string{sc.Target.BaseURL}, sc.Target.Allow...)...)
	var wg sync.WaitGroup
	for _, pr := range sc.Probes {
		var p *probes.Prober
		if err == nil {
			p, err = probes.New(probes.Config{RunID: runID, AgentID: "coordinator", Probe: pr, WriteURL: sc.Target.BaseURL,
				Readers: s.ProbeReaders[pr.Name], Allow: allow, Until: end, Seed: sc.Seed})
		}
		if err != nil {
			_ = w.Event(reports.Event{Kind: reports.EvNote, Time: time.Now(), Detail: "probe " + pr.Name + " not run: " + err.Error()})
			continue
		}
		out := make(chan reports.ProbeSample, 64)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for smp := range out {
				_ = w.Probe(smp)
			}
		}()
		go func() {
			defer wg.Done()
			defer close(out)
			t := time.NewTimer(time.Until(start))
			defer t.Stop()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			_ = p.Run(ctx, out)
		}()
	}
	return wg.Wait
}
