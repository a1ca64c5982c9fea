package reports

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// consistencyMetric evaluates a probe metric over the samples written in
// [from, to), for one probe or all of them.
func (j *judge) consistencyMetric(m *scenarios.MetricRef, from, to time.Duration) (float64, string, error) {
	if len(j.r.Probes) == 0 {
		return 0, "", fmt.Errorf("%s", NotMeasured)
	}
	if m.Name == "heal_convergence" {
		return j.healConvergence(m, from, to)
	}
	origin := j.r.Origin()
	var lags []time.Duration
	var stale, violations, lost, n int
	for _, p := range j.r.Probes {
		if m.Arg != "" && p.Probe != m.Arg {
			continue
		}
		at := p.Written.Sub(origin)
		if at < from || at >= to {
			continue
		}
		n++
		stale += p.StaleReads
		violations += p.Violations
		if p.Lost {
			lost++
		}
		if !p.Acked.IsZero() && !p.Lost {
			lags = append(lags, p.Lag())
		}
	}
	if n == 0 {
		return 0, "", fmt.Errorf("no probe samples written in [%s, %s)", from, to)
	}
	switch m.Name {
	case "stale_reads":
		return float64(stale), "", nil
	case "monotonic_violations":
		return float64(violations), "", nil
	case "lost_writes":
		return float64(lost), "", nil
	case "consistency_lag.p50":
		return lagQuantile(lags, 0.50, from, to)
	case "consistency_lag.p99":
		return lagQuantile(lags, 0.99, from, to)
	case "consistency_lag.max":
		return lagQuantile(lags, 1, from, to)
	}
	return 0, "", fmt.Errorf("%s", NotMeasured)
}

// lagQuantile is the exact nearest-rank quantile of the lags, in seconds.
func lagQuantile(lags []time.Duration, q float64, from, to time.Duration) (float64, string, error) {
	if len(lags) == 0 {
		return 0, "", fmt.Errorf("no acknowledged, visible probe writes in [%s, %s)", from, to)
	}
	sort.Slice(lags, func(a, b int) bool { return lags[a] < lags[b] })
	rank := int(math.Ceil(q*float64(len(lags)))) - 1
	rank = min(max(rank, 0), len(lags)-1)
	return lags[rank].Seconds(), fmt.Sprintf("%d samples", len(lags)), nil
}

// healConvergence judges heal_convergence(FAULT) in seconds: from the
// fault's heal, where TTR counts from (its last revert, or a killed
// instance's replacement), until every write acknowledged before it was
// visible on every read instance; Never when one never was.
func (j *judge) healConvergence(m *scenarios.MetricRef, from, to time.Duration) (float64, string, error) {
	if j.p == nil {
		return 0, "", fmt.Errorf("%s", NotMeasured)
	}
	if from != j.p.Warmup || to != j.p.Total {
		return 0, "", fmt.Errorf("%s is measured from its fault's heal to the end of the run and takes no window qualifier", m.Name)
	}
	pf, ok := j.p.Fault(m.Arg)
	if !ok {
		return 0, "", fmt.Errorf("no fault %q in the plan", m.Arg)
	}
	_, _, heal, event, notes := faultWindow(j.r, pf)
	h := MeasureHealConvergence(j.r, heal)
	healed := fmt.Sprintf("%s healed (%s) at %s", pf.Name, event, heal)
	if h.Writes == 0 {
		return 0, "", fmt.Errorf("no probe write was acknowledged before %s", healed)
	}
	var detail string
	if !h.Converged {
		shown := h.Never[:min(len(h.Never), 3)]
		detail = fmt.Sprintf("never: %d of %d writes acknowledged before %s were never visible by the end + grace (%s)",
			len(h.Never), h.Writes, healed, strings.Join(shown, "; "))
	} else {
		detail = fmt.Sprintf("%s; %d of %d writes acknowledged before it were stale after it", healed, h.Stale, h.Writes)
		if h.Stale > 0 {
			detail += fmt.Sprintf(", the last seen stale on %s %s after the heal, fresh by %s", h.Slowest, h.Time.Round(time.Millisecond), h.Upper.Round(time.Millisecond))
		}
	}
	if h.Unknown > 0 {
		detail += fmt.Sprintf("; %d writes of unknown visibility (run stopped, or an instance only answered with errors)", h.Unknown)
	}
	if len(notes) > 0 {
		detail += "; " + strings.Join(notes, "; ")
	}
	if !h.Converged {
		return Never, detail, nil
	}
	return h.Time.Seconds(), detail, nil
}
