package reports

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// consistencyMetric evaluates a probe metric over the samples written in
// [from, to), for one probe or all of them.
func (j *judge) consistencyMetric(m *scenarios.MetricRef, from, to time.Duration) (float64, string, error) {
	if len(j.r.Probes) == 0 {
		return 0, "", fmt.Errorf("%s", NotMeasured)
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
