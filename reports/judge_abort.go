package reports

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// AbortWatcher checks abort_when conditions on a live stream of windows.
// The coordinator feeds it every window of one time slot as the slot
// closes; it says when a condition has held for its "for" duration.
//
//	slot windows ─▶ merge per endpoint ─▶ condition true? ─▶ held since ─▶ trip
//
// A slot with no requests for an endpoint breaks that endpoint's streak:
// a condition must be seen to hold, never assumed. Each condition trips at
// most once. It is not safe for concurrent use.
type AbortWatcher struct {
	conds []*abortCond
}

type abortCond struct {
	pe      scenarios.PlannedExpectation
	e       *scenarios.Expr
	mix     []string
	since   map[string]time.Duration // endpoint ("" = all) -> streak start
	tripped bool
	worst   float64
	seen    bool
	// last is the slot observed before, so that a missing slot (no
	// windows at all) breaks every streak.
	last    time.Duration
	hasLast bool
}

// AbortTrip is an abort condition that has held for its duration.
type AbortTrip struct {
	Expectation string `json:"expectation"`
	// Endpoint is the endpoint it held on ("" for all endpoints together).
	Endpoint string `json:"endpoint,omitempty"`
	// Since is the start of the slot where it began to hold, At the end of
	// the slot where it had held long enough; offsets from the origin.
	Since    time.Duration `json:"since"`
	At       time.Duration `json:"at"`
	Observed float64       `json:"observed"`
	Bound    float64       `json:"bound"`
}

func (t AbortTrip) String() string {
	ep := ""
	if t.Endpoint != "" {
		ep = " on " + t.Endpoint
	}
	return fmt.Sprintf("%s held%s from %s to %s (observed %g, bound %g)", t.Expectation, ep, t.Since, t.At, t.Observed, t.Bound)
}

// NewAbortWatcher watches the abort_when conditions of s, each over the
// span p plans for it (the judged run, or a fault's window).
func NewAbortWatcher(s *scenarios.Scenario, p *scenarios.Plan) *AbortWatcher {
	a := &AbortWatcher{}
	var mix []string
	for _, e := range s.Load.Mix {
		mix = append(mix, e.Name)
	}
	i := 0
	for _, pe := range p.Expectations {
		if pe.Section != scenarios.SectionAbortWhen {
			continue
		}
		var e *scenarios.Expr
		if i < len(s.AbortWhen) {
			e = s.AbortWhen[i].Expr
		}
		i++
		if e == nil || e.Left.Metric == nil || scenarios.Metrics[e.Left.Metric.Name].Family != scenarios.FamilyLoad {
			continue // Validate refuses these in abort_when
		}
		a.conds = append(a.conds, &abortCond{pe: pe, e: e, mix: mix, since: map[string]time.Duration{}})
	}
	return a
}

// Observe takes every window of the slot starting at `at` (an offset from
// the origin; the slot is SlotLength long) and returns the conditions that
// trip now.
func (a *AbortWatcher) Observe(at time.Duration, windows []Window) []AbortTrip {
	per := map[string]*load{}
	all := newLoad()
	for i := range windows {
		w := &windows[i]
		l := per[w.Endpoint]
		if l == nil {
			l = newLoad()
			per[w.Endpoint] = l
		}
		l.addWindow(w)
		all.addWindow(w)
	}
	for _, l := range per {
		l.Span = SlotLength
	}
	all.Span = SlotLength
	var trips []AbortTrip
	for _, c := range a.conds {
		if c.tripped || at < c.pe.From || at >= c.pe.To {
			continue
		}
		if t, ok := c.observe(at, per, all); ok {
			c.tripped = true
			trips = append(trips, t)
		}
	}
	return trips
}

func (c *abortCond) observe(at time.Duration, per map[string]*load, all *load) (AbortTrip, bool) {
	if c.hasLast && at != c.last+SlotLength {
		clear(c.since)
	}
	c.last, c.hasLast = at, true
	m := c.e.Left.Metric
	keys := []string{m.Arg}
	switch m.Arg {
	case "":
		per = map[string]*load{"": all}
	case "*":
		keys = keys[:0]
		set := map[string]bool{}
		for _, ep := range c.mix {
			set[ep] = true
		}
		for ep := range per {
			set[ep] = true
		}
		for ep := range set {
			keys = append(keys, ep)
		}
		sort.Strings(keys)
	}
	bound := c.e.Right.Value
	for _, ep := range keys {
		l := per[ep]
		v := math.NaN()
		if l != nil {
			v = l.value(m.Name)
		}
		if math.IsNaN(v) || !c.e.Holds(v, bound) {
			delete(c.since, ep)
			continue
		}
		c.note(v)
		since, holding := c.since[ep]
		if !holding {
			since = at
			c.since[ep] = at
		}
		if end := at + SlotLength; end-since >= c.e.For {
			return AbortTrip{Expectation: c.pe.Source, Endpoint: ep, Since: since, At: end, Observed: v, Bound: bound}, true
		}
	}
	return AbortTrip{}, false
}

// note keeps the value most in breach, for the verdict.
func (c *abortCond) note(v float64) {
	lowIsBad := c.e.Op == "<" || c.e.Op == "<="
	if !c.seen || (lowIsBad && v < c.worst) || (!lowIsBad && v > c.worst) {
		c.worst, c.seen = v, true
	}
}

// abortVerdict replays the result's windows, slot by slot, through a
// watcher of this one condition. It passes when the condition never held
// for its duration.
func (j *judge) abortVerdict(p *scenarios.Plan, pe scenarios.PlannedExpectation, e *scenarios.Expr) Verdict {
	v := newVerdict(pe, e)
	if e == nil || e.Left.Metric == nil || e.Right.Metric != nil {
		v.Detail = "abort_when takes a load metric against a bound"
		return v
	}
	if scenarios.Metrics[e.Left.Metric.Name].Family != scenarios.FamilyLoad {
		v.Detail = NotMeasured + " (abort_when watches load metrics only)"
		return v
	}
	var mix []string
	for _, x := range j.s.Load.Mix {
		mix = append(mix, x.Name)
	}
	c := &abortCond{pe: pe, e: e, mix: mix, since: map[string]time.Duration{}}
	w := &AbortWatcher{conds: []*abortCond{c}}
	slots := j.r.slots()
	if len(slots) == 0 {
		v.Detail = "no windows in the result"
		return v
	}
	v.Bound = e.Right.Value
	for _, s := range slots {
		if trips := w.Observe(s.at, s.windows); len(trips) > 0 {
			t := trips[0]
			v.Observed, v.Status, v.Detail = t.Observed, StatusFail, "abort condition "+t.String()
			return v
		}
	}
	v.Pass, v.Status = true, StatusPass
	if c.seen {
		v.Observed = c.worst
		v.Detail = "held at times, never for " + e.For.String()
	} else {
		v.Detail = "never held"
	}
	return v
}

type slotWindows struct {
	at      time.Duration
	windows []Window
}

// slots groups the result's windows by slot, in time order.
func (r *Result) slots() []slotWindows {
	origin := r.Origin()
	idx := map[int64]int{}
	var out []slotWindows
	for _, w := range r.Windows {
		s := slot(origin, w.Start)
		i, ok := idx[s]
		if !ok {
			i = len(out)
			idx[s] = i
			out = append(out, slotWindows{at: time.Duration(s) * SlotLength})
		}
		out[i].windows = append(out[i].windows, w)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].at < out[b].at })
	return out
}
