package reports

import (
	"sort"
	"time"
)

// ProbeStat sums one consistency probe's samples.
type ProbeStat struct {
	Probe      string
	Samples    int
	Acked      int
	Lost       int
	StaleReads int
	Violations int
	// MaxLag is the largest last-stale-read minus acknowledgement.
	MaxLag time.Duration
}

// Lag is the sample's consistency lag: last stale read minus the write's
// acknowledgement, 0 when no stale read followed the ack (or no ack).
func (p ProbeSample) Lag() time.Duration {
	if p.Acked.IsZero() || p.LastStale.IsZero() || !p.LastStale.After(p.Acked) {
		return 0
	}
	return p.LastStale.Sub(p.Acked)
}

// ProbeStats sums the samples per probe, sorted by probe name.
func (r *Result) ProbeStats() []ProbeStat {
	idx := map[string]int{}
	var out []ProbeStat
	for _, s := range r.Probes {
		i, ok := idx[s.Probe]
		if !ok {
			i = len(out)
			idx[s.Probe] = i
			out = append(out, ProbeStat{Probe: s.Probe})
		}
		st := &out[i]
		st.Samples++
		if !s.Acked.IsZero() {
			st.Acked++
		}
		if s.Lost {
			st.Lost++
		}
		st.StaleReads += s.StaleReads
		st.Violations += s.Violations
		st.MaxLag = max(st.MaxLag, s.Lag())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Probe < out[j].Probe })
	return out
}
