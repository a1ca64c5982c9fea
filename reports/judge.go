package reports

import (
	"fmt"
	"math"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// Verdict statuses.
const (
	StatusPass  = "pass"
	StatusFail  = "fail"
	StatusError = "error"
)

// NotMeasured is the Detail of a verdict whose metric this run did not
// measure: never a made-up number.
const NotMeasured = "not measured in this run"

// Judge evaluates a scenario's expectations against a result, over the
// windows the plan gives each one (scenarios.PlannedExpectation). kind
// selects a section: steady_state, abort_when, expect or claim; "" judges
// them all. Offsets count from r.Origin(), which must be the start of the
// schedule (warmup included), as the plan's do.
//
// Load metrics merge every window's counts and HDR histograms over the
// span, so percentiles are exact across agents, never averages of
// percentiles. Consistency metrics come from probe samples written in the
// span. Metrics this run did not measure yield Status "error" with Detail
// NotMeasured.
func Judge(s *scenarios.Scenario, p *scenarios.Plan, r *Result, kind string) []Verdict {
	j := &judge{s: s, p: p, r: r, summaries: map[summaryKey]Summary{}}
	var out []Verdict
	i := 0
	for _, pe := range p.Expectations {
		e := j.expr(pe, &i)
		if kind != "" && pe.Section != kind {
			continue
		}
		if pe.Section == scenarios.SectionAbortWhen {
			out = append(out, j.abortVerdict(p, pe, e))
			continue
		}
		out = append(out, j.verdict(pe, e))
	}
	return out
}

type judge struct {
	s *scenarios.Scenario
	p *scenarios.Plan
	r *Result
	// exprs lists the scenario's expressions in plan order, built lazily.
	exprs []*scenarios.Expr
	// summaries memoises merged endpoint spans: many expectations share
	// one span, and merging histograms is the judge's main cost.
	summaries map[summaryKey]Summary
	// faults judges fault metrics, built on first use (metrics_judge.go).
	faults *FaultJudge
}

type summaryKey struct {
	endpoint string
	from, to time.Duration
}

// summary is r.Summary, memoised.
func (j *judge) summary(endpoint string, from, to time.Duration) Summary {
	k := summaryKey{endpoint, from, to}
	if s, ok := j.summaries[k]; ok {
		return s
	}
	s := j.r.Summary(endpoint, from, to)
	j.summaries[k] = s
	return s
}

// expr returns the parsed expression of the i-th planned expectation; the
// plan lists them in the scenario's order (steady_state, abort_when,
// expect, then each claim's rules).
func (j *judge) expr(pe scenarios.PlannedExpectation, i *int) *scenarios.Expr {
	if j.exprs == nil {
		add := func(list []scenarios.Expectation) {
			for _, e := range list {
				j.exprs = append(j.exprs, e.Expr)
			}
		}
		add(j.s.SteadyState)
		add(j.s.AbortWhen)
		add(j.s.Expect)
		for _, c := range j.s.Claims {
			add(c.Rules)
		}
	}
	defer func() { *i++ }()
	if *i < len(j.exprs) && j.exprs[*i] != nil {
		return j.exprs[*i]
	}
	e, _ := scenarios.ParseExpectation(pe.Source)
	return e
}

func newVerdict(pe scenarios.PlannedExpectation, e *scenarios.Expr) Verdict {
	v := Verdict{Kind: pe.Section, Claim: pe.Claim, Expectation: pe.Source, From: pe.From, To: pe.To, Status: StatusError}
	if e != nil {
		v.Unit = unitName(e.Unit)
	}
	return v
}

// unitName is how Verdict.Unit reads.
func unitName(u scenarios.Unit) string {
	switch u {
	case scenarios.UnitDuration:
		return "seconds"
	case scenarios.UnitRate:
		return "per_second"
	}
	return string(u)
}

// verdict judges one expectation over its planned span.
func (j *judge) verdict(pe scenarios.PlannedExpectation, e *scenarios.Expr) Verdict {
	v := newVerdict(pe, e)
	if e == nil {
		v.Detail = "expectation does not parse"
		return v
	}
	left, detail, err := j.operand(e, e.Left, pe.From, pe.To)
	if err != nil {
		v.Detail = err.Error()
		return v
	}
	right, _, err := j.operand(e, e.Right, pe.From, pe.To)
	if err != nil {
		v.Detail = err.Error()
		return v
	}
	v.Observed, v.Bound, v.Detail = left, right, detail
	v.Pass = e.Holds(left, right)
	v.Status = StatusFail
	if v.Pass {
		v.Status = StatusPass
	}
	return v
}

// operand evaluates a literal or a metric over [from, to).
func (j *judge) operand(e *scenarios.Expr, o scenarios.Operand, from, to time.Duration) (float64, string, error) {
	if o.Metric == nil {
		return o.Value, "", nil
	}
	m := o.Metric
	if len(m.Variant) > 0 && !j.isVariant(m.Variant) {
		return 0, "", fmt.Errorf("needs the result of the variant with %s; this result is variant %q (compare judges across variants)", variantText(m.Variant), j.r.Header.Variant)
	}
	spec := scenarios.Metrics[m.Name]
	switch spec.Family {
	case scenarios.FamilyLoad:
		return j.loadMetric(e, m, from, to)
	case scenarios.FamilyConsistency:
		return j.consistencyMetric(m, from, to)
	case scenarios.FamilyTarget:
		return j.targetMetric(e, m, from, to)
	case scenarios.FamilyFault:
		if j.p != nil {
			if j.faults == nil {
				j.faults = NewFaultJudge(j.s, j.p, j.r)
			}
			return j.faults.Metric(m)
		}
	}
	return 0, "", fmt.Errorf("%s", NotMeasured)
}

// isVariant reports whether this result's variant is selected by sel.
func (j *judge) isVariant(sel map[string]string) bool {
	for _, x := range j.s.Variants {
		if x.Name == j.r.Header.Variant {
			return scenarios.VariantMatches(x, sel)
		}
	}
	return false
}

func variantText(sel map[string]string) string {
	s := ""
	for k, v := range sel {
		if s != "" {
			s += ", "
		}
		s += k + "=" + v
	}
	return s
}

// finite turns NaN (no data) into an error naming the span.
func finite(v float64, what string, from, to time.Duration) (float64, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("no %s in [%s, %s)", what, from, to)
	}
	return v, nil
}
