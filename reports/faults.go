package reports

import (
	"sort"
	"time"
)

// FaultSpan is one fault on one instance as the events prove it: when it
// was applied and reverted, and by whom.
type FaultSpan struct {
	Fault    string
	Instance string
	Agent    string
	Executor string
	Params   map[string]any
	// Applied and Reverted are offsets from the run's origin.
	Applied time.Duration
	// Reverted is meaningful only when WasReverted is set.
	Reverted    time.Duration
	WasReverted bool
}

// FaultSpans pairs fault_applied and fault_reverted events by fault and
// instance, in order of application. A fault with no revert event has
// WasReverted false: the report must say so, never assume it ended.
func (r *Result) FaultSpans() []FaultSpan {
	origin := r.Origin()
	type key struct{ fault, instance string }
	open := map[key][]int{}
	var spans []FaultSpan
	evs := append([]Event(nil), r.Events...)
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	for _, e := range evs {
		k := key{e.Fault, e.Instance}
		switch e.Kind {
		case EvFaultApplied:
			open[k] = append(open[k], len(spans))
			spans = append(spans, FaultSpan{Fault: e.Fault, Instance: e.Instance, Agent: e.Agent,
				Executor: e.Executor, Params: e.Params, Applied: e.Time.Sub(origin)})
		case EvFaultReverted:
			if q := open[k]; len(q) > 0 {
				s := &spans[q[0]]
				s.Reverted, s.WasReverted = e.Time.Sub(origin), true
				open[k] = q[1:]
			}
		}
	}
	return spans
}
