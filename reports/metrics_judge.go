package reports

import (
	"fmt"
	"math"
	"strings"

	"github.com/faultline/faultline/scenarios"
)

// Never is the observed value, in seconds, of a TTD or TTR that never
// happened (the fault was not detected, or the system did not recover
// before the run ended). It is 1e9 s (about 32 years): above any bound a
// scenario states, so "ttr(x) <= 5s" fails on it and "ttr(x) > 1s"
// passes, as they should; finite, so that a verdict encodes as JSON; and
// small enough to convert to a time.Duration without overflow in any
// formatter. Renderers should print it as "never"; the verdict's detail
// says so too.
const Never = 1e9

// FaultJudge evaluates the fault-family metrics of the expectation
// language (ttd, ttr, blast_radius.endpoints, .services, .requests,
// cascades, contained) on one result. It judges the steady state once
// and measures each fault once, however many expectations ask. It is not
// safe for concurrent use.
type FaultJudge struct {
	s *scenarios.Scenario
	p *scenarios.Plan
	r *Result
	// ss is built on first use; ssErr remembers why it could not be.
	ss      *SteadyState
	ssErr   error
	timings map[string]FaultTiming
	blasts  map[string]BlastRadius
}

// NewFaultJudge prepares to judge r, a run of s planned as p.
func NewFaultJudge(s *scenarios.Scenario, p *scenarios.Plan, r *Result) *FaultJudge {
	return &FaultJudge{s: s, p: p, r: r, timings: map[string]FaultTiming{}, blasts: map[string]BlastRadius{}}
}

// FaultMetric is NewFaultJudge(s, p, r).Metric(m), for a single question.
func FaultMetric(s *scenarios.Scenario, p *scenarios.Plan, r *Result, m *scenarios.MetricRef) (float64, string, error) {
	return NewFaultJudge(s, p, r).Metric(m)
}

func (fj *FaultJudge) steady() (*SteadyState, error) {
	if fj.ss == nil && fj.ssErr == nil {
		fj.ss, fj.ssErr = NewSteadyState(fj.s, fj.r)
	}
	return fj.ss, fj.ssErr
}

// Timing measures (once) the named fault's TTD and TTR.
func (fj *FaultJudge) Timing(fault string) (FaultTiming, error) {
	if ft, ok := fj.timings[fault]; ok {
		return ft, nil
	}
	ss, err := fj.steady()
	if err != nil {
		return FaultTiming{}, err
	}
	ft, err := MeasureFaultTiming(fj.r, fj.p, fault, ss)
	if err == nil {
		fj.timings[fault] = ft
	}
	return ft, err
}

// Blast measures (once) the named fault's blast radius.
func (fj *FaultJudge) Blast(fault string) (BlastRadius, error) {
	if b, ok := fj.blasts[fault]; ok {
		return b, nil
	}
	ss, err := fj.steady()
	if err != nil {
		return BlastRadius{}, err
	}
	b, err := MeasureBlastRadius(fj.r, fj.p, fault, ss)
	if err == nil {
		fj.blasts[fault] = b
	}
	return b, err
}

// Metric evaluates one fault metric, with a detail line naming the
// evidence. A metric on no fault (blast_radius.endpoints with no
// argument) is the worst over the run's faults: the highest radius, every
// cascade, and contained only if all are.
func (fj *FaultJudge) Metric(m *scenarios.MetricRef) (float64, string, error) {
	faults := []string{m.Arg}
	if m.Arg == "" || m.Arg == "*" {
		faults = faults[:0]
		for _, f := range fj.p.Faults {
			faults = append(faults, f.Name)
		}
		if len(faults) == 0 {
			return 0, "", fmt.Errorf("the scenario has no faults: %s needs one", m.Name)
		}
	}
	if _, err := fj.steady(); err != nil {
		return 0, "", fmt.Errorf("%s: %w", m.Name, err)
	}
	switch m.Name {
	case "ttd", "ttr":
		if len(faults) != 1 {
			return 0, "", fmt.Errorf("%s takes one fault, as in %s(kill-orders)", m.Name, m.Name)
		}
		ft, err := fj.Timing(faults[0])
		if err != nil {
			return 0, "", err
		}
		return timingValue(m.Name, ft)
	}
	var worst float64
	var details []string
	contained, cascades := true, 0
	for _, f := range faults {
		b, err := fj.Blast(f)
		if err != nil {
			return 0, "", err
		}
		v, d, err := blastValue(m.Name, b)
		if err != nil {
			return 0, "", err
		}
		worst = max(worst, v)
		contained = contained && b.Contained
		cascades += len(b.Cascades)
		if d != "" {
			details = append(details, d)
		}
	}
	switch m.Name {
	case "contained":
		worst = boolValue(contained)
	case "cascades":
		worst = float64(cascades)
	}
	return worst, strings.Join(details, "; "), nil
}

func timingValue(name string, ft FaultTiming) (float64, string, error) {
	if name == "ttd" {
		if !ft.Detected {
			return Never, fmt.Sprintf("%s never breached the steady state before %s", ft.Fault, ft.Horizon), nil
		}
		return ft.TTD.Seconds(), fmt.Sprintf("applied at %s, first breached slot at %s (±%s)", ft.Applied, ft.FirstBreach, ft.Resolution), nil
	}
	if !ft.Recovered {
		return Never, fmt.Sprintf("still breached at %s, the end of %s's window; recovery counted from %s at %s", ft.Horizon, ft.Fault, ft.RecoverEvent, ft.RecoverFrom), nil
	}
	return ft.TTR.Seconds(), fmt.Sprintf("recovery from %s at %s, back in steady state from %s (±%s)", ft.RecoverEvent, ft.RecoverFrom, ft.BackAt, ft.Resolution), nil
}

// blastValue picks one metric out of a measured blast radius.
func blastValue(name string, b BlastRadius) (float64, string, error) {
	judged := b.Component != "" && b.Services != nil
	switch name {
	case "blast_radius.endpoints":
		return b.EndpointRadius, fmt.Sprintf("%s: %d/%d endpoints breached %v", b.Fault, len(b.Breached), len(b.Endpoints), b.Breached), nil
	case "blast_radius.services":
		if math.IsNaN(b.ServiceRadius) {
			return 0, "", fmt.Errorf("%s: %s", b.Fault, strings.Join(b.Notes, "; "))
		}
		return b.ServiceRadius, fmt.Sprintf("%s: %d/%d services breached besides %s %v", b.Fault, len(b.BreachedServices), len(b.Services), b.Component, b.BreachedServices), nil
	case "blast_radius.requests":
		if math.IsNaN(b.RequestRadius) {
			return 0, "", fmt.Errorf("%s: no requests in [%s, %s)", b.Fault, b.From, b.To)
		}
		return b.RequestRadius, fmt.Sprintf("%s: %.0f excess errors of %d requests", b.Fault, b.Excess, b.Requests), nil
	case "contained", "cascades":
		if !judged {
			return 0, "", fmt.Errorf("%s: containment not judged: %s", b.Fault, strings.Join(b.Notes, "; "))
		}
		if len(b.Cascades) == 0 {
			return boolValue(b.Contained), fmt.Sprintf("%s: contained (%d breached endpoints, all dependents of %s)", b.Fault, len(b.Breached), b.Component), nil
		}
		var cs []string
		for _, c := range b.Cascades {
			cs = append(cs, c.String())
		}
		return boolValue(b.Contained), fmt.Sprintf("%s: cascades %s", b.Fault, strings.Join(cs, "; ")), nil
	}
	return 0, "", fmt.Errorf("%s: %s", name, NotMeasured)
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
