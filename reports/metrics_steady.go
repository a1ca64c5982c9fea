package reports

import (
	"errors"
	"math"
	"sort"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// ErrNoSteadyState is returned when a metric needs the steady-state
// hypothesis to tell a breach and the scenario states none it can check
// per window.
var ErrNoSteadyState = errors.New("no steady_state expectation on a load metric (for example availability(*) >= 99%) to tell a breached window")

// SteadyState is a scenario's steady-state hypothesis judged on every
// one-second slot of a result: for the system as a whole (TTD, TTR) and
// for each endpoint (blast radius). A slot without requests for what an
// expectation measures cannot breach it: a breach is seen, never assumed.
type SteadyState struct {
	// Sources are the expectations judged, as written.
	Sources []string
	slots   []time.Duration
	// breached maps a slot to its breached endpoints; "" means the
	// system-wide expectations (no endpoint argument) failed.
	breached map[time.Duration]map[string]bool
	system   map[time.Duration]bool
}

// NewSteadyState judges s's steady_state load expectations on every slot
// of r. Expectations on other metric families are skipped (they have no
// per-window value). Window qualifiers are ignored: the hypothesis is what
// "normal" means, at any time.
func NewSteadyState(s *scenarios.Scenario, r *Result) (*SteadyState, error) {
	var exprs []*scenarios.Expr
	ss := &SteadyState{breached: map[time.Duration]map[string]bool{}, system: map[time.Duration]bool{}}
	for _, e := range s.SteadyState {
		x := e.Expr
		if x == nil || x.Left.Metric == nil || scenarios.Metrics[x.Left.Metric.Name].Family != scenarios.FamilyLoad {
			continue
		}
		if x.Right.Metric != nil && scenarios.Metrics[x.Right.Metric.Name].Family != scenarios.FamilyLoad {
			continue
		}
		exprs = append(exprs, x)
		ss.Sources = append(ss.Sources, e.Source)
	}
	if len(exprs) == 0 {
		return nil, ErrNoSteadyState
	}
	sl := newSlotLoads(exprs)
	for _, sw := range r.slots() {
		ss.slots = append(ss.slots, sw.at)
		per, all := sl.merge(sw.windows)
		for _, x := range exprs {
			ss.judgeSlot(sw.at, x, per, all)
		}
	}
	return ss, nil
}

// slotLoads merges one slot's windows per endpoint into loads reused from
// slot to slot, merging only the histograms some expectation reads: a
// decoded histogram is a few hundred KB, and a long run has thousands of
// slots.
type slotLoads struct {
	per           map[string]*load
	all           *load
	latency, serv bool
}

func newSlotLoads(exprs []*scenarios.Expr) *slotLoads {
	sl := &slotLoads{per: map[string]*load{}, all: newLoad()}
	for _, x := range exprs {
		for _, o := range []scenarios.Operand{x.Left, x.Right} {
			if o.Metric == nil {
				continue
			}
			switch o.Metric.Name {
			case "p50", "p90", "p99", "p999":
				sl.latency = true
			case "service_p99":
				sl.serv = true
			}
		}
	}
	return sl
}

// merge returns the slot's loads per endpoint and in all; only endpoints
// with windows in the slot are in per.
func (sl *slotLoads) merge(ws []Window) (map[string]*load, *load) {
	for _, l := range sl.per {
		resetLoad(l)
	}
	resetLoad(sl.all)
	in := map[string]*load{}
	for i := range ws {
		w := &ws[i]
		l := sl.per[w.Endpoint]
		if l == nil {
			l = newLoad()
			sl.per[w.Endpoint] = l
		}
		in[w.Endpoint] = l
		sl.add(l, w)
		sl.add(sl.all, w)
	}
	return in, sl.all
}

func (sl *slotLoads) add(l *load, w *Window) {
	l.Requests += w.Requests
	l.Good += w.Good
	l.Intended += w.Intended
	l.Behind = max(l.Behind, w.Behind)
	if sl.latency {
		l.Latency.Merge(w.Latency)
	}
	if sl.serv {
		l.Service.Merge(w.Service)
	}
}

// resetLoad empties a load for the next slot, keeping its histograms.
func resetLoad(l *load) {
	l.Requests, l.Good, l.Intended, l.Behind, l.Span = 0, 0, 0, 0, SlotLength
	for _, h := range []*Hist{l.Latency, l.Service} {
		if h.H != nil {
			h.H.Reset()
		}
	}
}

// judgeSlot records which endpoints breach x in the slot at `at`.
func (ss *SteadyState) judgeSlot(at time.Duration, x *scenarios.Expr, per map[string]*load, all *load) {
	mark := func(ep string) {
		if ss.breached[at] == nil {
			ss.breached[at] = map[string]bool{}
		}
		ss.breached[at][ep] = true
	}
	eval := func(o scenarios.Operand, l *load) float64 {
		if o.Metric == nil {
			return o.Value
		}
		return l.value(o.Metric.Name)
	}
	holds := func(l *load) bool {
		a, b := eval(x.Left, l), eval(x.Right, l)
		return math.IsNaN(a) || math.IsNaN(b) || x.Holds(a, b)
	}
	switch arg := x.Left.Metric.Arg; arg {
	case "", "*":
		// A system-wide bound also applies to each endpoint alone: an
		// endpoint at 50% under "availability >= 99%" is breached even if
		// the others hide it in the total.
		if arg == "" && !holds(all) {
			ss.system[at] = true
			mark("")
		}
		for ep, l := range per {
			if !holds(l) {
				mark(ep)
				if arg == "*" {
					ss.system[at] = true
				}
			}
		}
	default:
		if l := per[arg]; l != nil && !holds(l) {
			mark(arg)
			ss.system[at] = true
		}
	}
}

// Slots returns the starts of the slots that had windows, in order.
func (ss *SteadyState) Slots() []time.Duration { return ss.slots }

// Holds reports whether the system met its steady state in the slot
// starting at `at` (an offset from the origin).
func (ss *SteadyState) Holds(at time.Duration) bool { return !ss.system[at] }

// EndpointHolds reports whether endpoint met the steady state in the slot
// starting at `at`.
func (ss *SteadyState) EndpointHolds(endpoint string, at time.Duration) bool {
	return !ss.breached[at][endpoint]
}

// Breached returns the endpoints that breached in any slot of [from, to),
// sorted.
func (ss *SteadyState) Breached(from, to time.Duration) []string {
	set := map[string]bool{}
	for _, at := range ss.slots {
		if at+SlotLength <= from || at >= to {
			continue
		}
		for ep := range ss.breached[at] {
			if ep != "" {
				set[ep] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for ep := range set {
		out = append(out, ep)
	}
	sort.Strings(out)
	return out
}
