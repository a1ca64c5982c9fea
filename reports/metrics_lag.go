package reports

import (
	"math"
	"sort"
	"time"
)

// LagDist is a distribution of consistency lags: exact nearest-rank
// quantiles of the raw samples (the same rule the judge uses, so a report
// and a verdict agree), and the HDR histogram of them for merging and
// charts.
type LagDist struct {
	Count         int
	P50, P99, Max time.Duration
	Hist          *Hist
}

func newLagDist(lags []time.Duration) LagDist {
	d := LagDist{Count: len(lags), Hist: NewHist()}
	if len(lags) == 0 {
		return d
	}
	sorted := append([]time.Duration(nil), lags...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	rank := func(q float64) time.Duration {
		i := int(math.Ceil(q*float64(len(sorted)))) - 1
		return sorted[min(max(i, 0), len(sorted)-1)]
	}
	d.P50, d.P99, d.Max = rank(0.50), rank(0.99), sorted[len(sorted)-1]
	for _, l := range sorted {
		d.Hist.Record(l)
	}
	return d
}

// VisibilityPoint is one point of the t-visibility curve.
type VisibilityPoint struct {
	T time.Duration
	// P is the share of acknowledged writes visible on every read
	// instance within T of the acknowledgement.
	P float64
}

// InstanceLag is the lag on one read instance: its last stale read
// minus the acknowledgement.
type InstanceLag struct {
	Instance string
	LagDist
	// Never counts followed writes this instance never served.
	Never int
}

// Consistency is one probe's (or every probe's) consistency over the
// samples written in a span.
type Consistency struct {
	Probe    string
	From, To time.Duration
	// Samples written; Acked of them acknowledged; Followed of those
	// resolved (visible on every instance, or lost); Unresolved
	// acknowledged but neither (Error set: the run was stopped, or some
	// instance never served the write by end + grace).
	Samples, Acked, Followed, Unresolved int
	// Lag over followed writes that became visible (lost ones excluded).
	Lag LagDist
	// FirstFresh is first fresh read minus ack, kept beside the lag.
	FirstFresh  LagDist
	Visibility  []VisibilityPoint
	PerInstance []InstanceLag
	StaleReads  int
	ReadErrors  int
	Violations  int
	Lost        int
	// Errors counts samples by their error text (unacknowledged writes,
	// skipped writes, instances never visible).
	Errors map[string]int
}

// visibilityLadder is where the curve is read: 1-2-5 steps from 1 ms to
// 60 s, then the largest lag so that the curve ends at its top.
var visibilityLadder = func() []time.Duration {
	var out []time.Duration
	for d := time.Millisecond; d <= time.Minute; d *= 10 {
		out = append(out, d, 2*d, 5*d)
	}
	return out
}()

// MeasureConsistency sums the samples of probe ("" for all probes) written
// in [from, to), offsets from the origin; to <= 0 means to the end.
func MeasureConsistency(r *Result, probe string, from, to time.Duration) Consistency {
	c := Consistency{Probe: probe, From: from, To: to, Errors: map[string]int{}}
	origin := r.Origin()
	var lags, fresh []time.Duration
	perLag := map[string][]time.Duration{}
	perNever := map[string]int{}
	for _, s := range r.Probes {
		at := s.Written.Sub(origin)
		if (probe != "" && s.Probe != probe) || at < from || (to > 0 && at >= to) {
			continue
		}
		c.Samples++
		c.StaleReads += s.StaleReads
		c.ReadErrors += s.ReadErrors
		c.Violations += s.Violations
		if s.Error != "" {
			c.Errors[s.Error]++
		}
		if s.Acked.IsZero() {
			continue
		}
		c.Acked++
		if s.Lost {
			c.Followed++
			c.Lost++
			continue
		}
		// A sample with an error was cut short, or never reached some
		// instance: its lag is unknown, but the instances it did reach
		// still tell their own lag.
		if s.Error == "" && !s.FirstFresh.IsZero() {
			c.Followed++
			lags = append(lags, s.Lag())
			fresh = append(fresh, max(0, s.FirstFresh.Sub(s.Acked)))
		} else {
			c.Unresolved++
		}
		for inst := range s.PerInstance {
			l := time.Duration(0)
			if ls, ok := s.LastStaleBy[inst]; ok && ls.After(s.Acked) {
				l = ls.Sub(s.Acked)
			}
			perLag[inst] = append(perLag[inst], l)
		}
		for inst := range s.LastStaleBy {
			if _, ok := s.PerInstance[inst]; !ok {
				perNever[inst]++
			}
		}
	}
	c.Lag, c.FirstFresh = newLagDist(lags), newLagDist(fresh)
	c.Visibility = visibilityCurve(lags, c.Followed)
	c.PerInstance = instanceLags(perLag, perNever)
	return c
}

// visibilityCurve reads P(visible within t) at the ladder's steps, over
// n followed writes (lost writes count as never visible). A write whose
// sample names an instance it never reached is not among lags.
func visibilityCurve(lags []time.Duration, n int) []VisibilityPoint {
	if n == 0 {
		return nil
	}
	sorted := append([]time.Duration(nil), lags...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	var top time.Duration
	if len(sorted) > 0 {
		top = sorted[len(sorted)-1]
	}
	at := func(t time.Duration) VisibilityPoint {
		k := sort.Search(len(sorted), func(i int) bool { return sorted[i] > t })
		return VisibilityPoint{T: t, P: float64(k) / float64(n)}
	}
	out := []VisibilityPoint{at(0)}
	for _, t := range visibilityLadder {
		if t >= top {
			break
		}
		out = append(out, at(t))
	}
	return append(out, at(top))
}

func instanceLags(per map[string][]time.Duration, never map[string]int) []InstanceLag {
	set := map[string]bool{}
	for k := range per {
		set[k] = true
	}
	for k := range never {
		set[k] = true
	}
	out := make([]InstanceLag, 0, len(set))
	for inst := range set {
		out = append(out, InstanceLag{Instance: inst, LagDist: newLagDist(per[inst]), Never: never[inst]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Instance < out[j].Instance })
	return out
}

// HealConvergence is how long the read side took, after a fault healed,
// to show every write acknowledged before the heal on every read
// instance: "after a partition heals, the read model converges".
//
// It is read off the probe samples with the lag's rule: an instance is
// proven behind until its last stale read of the write (stamped when the
// read was sent), so Time is the latest such read after the heal, minus
// the heal, over every write acknowledged before the heal (all probes)
// and every instance; 0 when none was stale after it. Upper is the other
// side of the bracket: the latest first fresh read after the heal. The
// truth lies between the two, and the max over writes makes Time tight:
// the youngest stale write is polled the most often (pollGap).
type HealConvergence struct {
	// Heal is the offset convergence counts from.
	Heal time.Duration
	// Writes were acknowledged before Heal; Stale of them were still
	// missing on some instance at or after it.
	Writes, Stale int
	// Converged is false when some write acknowledged before the heal was
	// lost, or never visible on some instance by run end + grace; Never
	// then names them ("key on instance", or "key lost").
	Converged bool
	Never     []string
	// Time and Upper bracket the convergence (see the type's doc).
	Time, Upper time.Duration
	// Slowest is the instance, and Key the write, that set Time.
	Slowest, Key string
	// Unknown counts writes whose visibility is unknown: the run was
	// stopped, or no read instance answered.
	Unknown int
}

// MeasureHealConvergence measures convergence after a heal at offset heal
// from the result's origin.
func MeasureHealConvergence(r *Result, heal time.Duration) HealConvergence {
	h := HealConvergence{Heal: heal, Converged: true}
	at := r.Origin().Add(heal)
	for _, s := range r.Probes {
		if s.Acked.IsZero() || !s.Acked.Before(at) {
			continue
		}
		h.Writes++
		if s.Lost {
			h.Stale++
			h.Never = append(h.Never, s.Key+" lost")
			continue
		}
		never := len(h.Never)
		stale := false
		for inst, ls := range s.LastStaleBy {
			if _, seen := s.PerInstance[inst]; !seen {
				stale = true
				h.Never = append(h.Never, s.Key+" on "+inst)
				continue
			}
			if d := ls.Sub(at); d >= 0 {
				stale = true
				if d >= h.Time {
					h.Time, h.Slowest, h.Key = d, inst, s.Key
				}
			}
		}
		for _, fresh := range s.PerInstance {
			h.Upper = max(h.Upper, fresh.Sub(at))
		}
		if stale {
			h.Stale++
		}
		// Cut short, or some instance only ever answered with errors:
		// what it saw is counted, the rest is unknown.
		if s.Error != "" && len(h.Never) == never {
			h.Unknown++
		}
	}
	sort.Strings(h.Never)
	h.Converged = len(h.Never) == 0
	return h
}
