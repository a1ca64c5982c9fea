package scenarios

import (
	"sort"
	"strings"
	"time"
)

// Plan is a scenario's timeline: what happens when, and which windows each
// expectation judges. It is a plain value (JSON-marshallable) that the
// coordinator runs and reports read back from the result header. Every
// offset counts from the start of the schedule, warmup included.
type Plan struct {
	Scenario string `json:"scenario"`
	Seed     int64  `json:"seed"`
	// Warmup is [0, Warmup); the judged run is [Warmup, Total).
	Warmup   time.Duration `json:"warmup"`
	Duration time.Duration `json:"duration"`
	Total    time.Duration `json:"total"`
	// RatePerSecond is the scenario's nominal rate (the shape moves it).
	RatePerSecond float64              `json:"rate_per_second"`
	Shape         string               `json:"shape"`
	Phases        []Phase              `json:"phases"`
	Faults        []PlannedFault       `json:"faults,omitempty"`
	Expectations  []PlannedExpectation `json:"expectations,omitempty"`
}

// PhaseKind classifies a phase of the timeline.
type PhaseKind string

// Phase kinds, in the order a simple run goes through them.
const (
	PhaseWarmup   PhaseKind = "warmup"   // load runs, nothing is judged
	PhaseBaseline PhaseKind = "baseline" // judged, before the first fault
	PhaseFault    PhaseKind = "fault"    // exactly one fault active
	PhaseOverlap  PhaseKind = "overlap"  // two or more faults active
	PhaseBetween  PhaseKind = "between"  // no fault, between two faults
	PhaseRecovery PhaseKind = "recovery" // after the last fault ends
)

// Phase is a span of the timeline in which the set of active faults does
// not change.
type Phase struct {
	// Label is Name(), kept in JSON for readers of the plan.
	Label  string        `json:"label"`
	Kind   PhaseKind     `json:"kind"`
	From   time.Duration `json:"from"`
	To     time.Duration `json:"to"`
	Faults []string      `json:"faults,omitempty"`
}

// Name is the phase's label: "baseline", "fault kill-orders",
// "overlap kill-orders+slow-db".
func (p Phase) Name() string {
	if len(p.Faults) == 0 {
		return string(p.Kind)
	}
	return string(p.Kind) + " " + strings.Join(p.Faults, "+")
}

// PlannedFault is one fault with absolute offsets.
type PlannedFault struct {
	Name   string         `json:"name"`
	Kind   string         `json:"kind"`
	Target string         `json:"target"`
	Pick   string         `json:"pick"`
	At     time.Duration  `json:"at"`
	Until  time.Duration  `json:"until"`
	Params map[string]any `json:"params,omitempty"`
}

// PlannedExpectation says which windows one expectation judges.
type PlannedExpectation struct {
	// Section is steady_state, abort_when, expect or claim.
	Section string `json:"section"`
	Claim   string `json:"claim,omitempty"`
	Source  string `json:"source"`
	// Scope names the span: "run", "baseline", "during fault(x)", ...
	Scope string        `json:"scope"`
	From  time.Duration `json:"from"`
	To    time.Duration `json:"to"`
	// Live is set for abort_when: checked on each window as it closes.
	Live bool          `json:"live,omitempty"`
	For  time.Duration `json:"for,omitempty"`
}

// NewPlan builds the timeline of a valid scenario (one Decode accepted).
func NewPlan(s *Scenario) *Plan {
	w := s.Load.Warmup
	p := &Plan{
		Scenario: s.Name, Seed: s.Seed, Warmup: w, Duration: s.Load.Duration,
		Total: w + s.Load.Duration, RatePerSecond: s.Load.Rate.PerSecond(), Shape: s.Load.Shape.Kind,
	}
	for _, f := range s.Timeline {
		p.Faults = append(p.Faults, PlannedFault{
			Name: f.Name, Kind: f.Kind, Target: f.Target.Key(), Pick: f.Target.Pick.String(),
			At: w + f.At, Until: w + f.At + f.Duration, Params: f.Params,
		})
	}
	p.Phases = p.phases()
	add := func(section, claim string, list []Expectation) {
		for _, e := range list {
			p.Expectations = append(p.Expectations, p.expectation(section, claim, e))
		}
	}
	add(SectionSteadyState, "", s.SteadyState)
	add(SectionAbortWhen, "", s.AbortWhen)
	add(SectionExpect, "", s.Expect)
	for _, c := range s.Claims {
		add(SectionClaim, c.ID, c.Rules)
	}
	return p
}

// phases cuts the timeline at every fault start and end.
func (p *Plan) phases() []Phase {
	cuts := []time.Duration{0, p.Warmup, p.Total}
	for _, f := range p.Faults {
		cuts = append(cuts, f.At, f.Until)
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i] < cuts[j] })
	first, last := p.Total, time.Duration(0)
	for _, f := range p.Faults {
		first, last = min(first, f.At), max(last, f.Until)
	}
	var out []Phase
	for i := 0; i+1 < len(cuts); i++ {
		from, to := cuts[i], cuts[i+1]
		if from == to || from >= p.Total {
			continue
		}
		ph := Phase{From: from, To: to}
		for _, f := range p.Faults {
			if f.At <= from && from < f.Until {
				ph.Faults = append(ph.Faults, f.Name)
			}
		}
		switch {
		case to <= p.Warmup:
			ph.Kind = PhaseWarmup
		case len(ph.Faults) == 1:
			ph.Kind = PhaseFault
		case len(ph.Faults) > 1:
			ph.Kind = PhaseOverlap
		case len(p.Faults) == 0 || to <= first:
			ph.Kind = PhaseBaseline
		case from >= last:
			ph.Kind = PhaseRecovery
		default:
			ph.Kind = PhaseBetween
		}
		ph.Label = ph.Name()
		out = append(out, ph)
	}
	return out
}

// Fault returns the planned fault called name.
func (p *Plan) Fault(name string) (PlannedFault, bool) {
	for _, f := range p.Faults {
		if f.Name == name {
			return f, true
		}
	}
	return PlannedFault{}, false
}

// PhaseSpan returns the span of a named phase (see PhaseNames): faulted
// runs from the first fault's start to the last one's end.
func (p *Plan) PhaseSpan(name string) (from, to time.Duration) {
	first, last := p.Total, p.Warmup
	for _, f := range p.Faults {
		first, last = min(first, f.At), max(last, f.Until)
	}
	switch name {
	case "warmup":
		return 0, p.Warmup
	case "baseline":
		return p.Warmup, first
	case "faulted":
		return first, last
	case "recovery":
		return last, p.Total
	}
	return p.Warmup, p.Total
}

// expectation works out the span one expectation judges.
func (p *Plan) expectation(section, claim string, e Expectation) PlannedExpectation {
	pe := PlannedExpectation{Section: section, Claim: claim, Source: e.Source, Scope: "run", From: p.Warmup, To: p.Total}
	x := e.Expr
	if x == nil {
		return pe
	}
	pe.For = x.For
	pe.Live = section == SectionAbortWhen
	if section == SectionSteadyState {
		pe.Scope = "baseline"
		pe.From, pe.To = p.PhaseSpan("baseline")
	}
	if m := x.Metric(); m.Family == FamilyFault {
		// Fault metrics look from the fault's start to the end of the run
		// (TTR needs the recovery after it).
		pe.Scope = "faults"
		pe.From, _ = p.PhaseSpan("faulted")
		if f, ok := p.Fault(x.Left.Metric.Arg); ok {
			pe.Scope, pe.From = "fault("+f.Name+") onward", f.At
		}
		return pe
	}
	w := x.Window
	if w == nil {
		return pe
	}
	f, _ := p.Fault(w.Name)
	switch w.Kind {
	case DuringFault:
		pe.Scope, pe.From, pe.To = "during fault("+w.Name+")", f.At, f.Until
	case BeforeFault:
		pe.Scope, pe.From, pe.To = "before fault("+w.Name+")", p.Warmup, f.At
	case AfterFault:
		pe.Scope, pe.From, pe.To = "after fault("+w.Name+")", f.Until, p.Total
	case DuringPhase:
		pe.Scope = w.Name
		pe.From, pe.To = p.PhaseSpan(w.Name)
	}
	return pe
}
