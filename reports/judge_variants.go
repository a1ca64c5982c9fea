package reports

import (
	"fmt"

	"github.com/faultline/faultline/scenarios"
)

// ComparesVariants reports whether an expectation names a variant on
// either side (blast_radius.endpoints(variant=off) > ...): it can only be
// judged across the results of a scenario's variants, by JudgeVariants.
func ComparesVariants(e *scenarios.Expr) bool {
	if e == nil {
		return false
	}
	return (e.Left.Metric != nil && len(e.Left.Metric.Variant) > 0) ||
		(e.Right.Metric != nil && len(e.Right.Metric.Variant) > 0)
}

// JudgeVariants judges the expectations of section kind ("" for all) that
// compare variants. results maps a variant's name to its pass's result;
// each side of an expectation is evaluated on the result of the variant
// its selector names, over the plan's span for that expectation. A metric
// side without a selector is an error when the scenario has more than one
// variant: which pass it means is ambiguous, and a guess would lie.
func JudgeVariants(s *scenarios.Scenario, p *scenarios.Plan, results map[string]*Result, kind string) []Verdict {
	var out []Verdict
	i := 0
	base := &judge{s: s, p: p}
	for _, pe := range p.Expectations {
		e := base.expr(pe, &i)
		if (kind != "" && pe.Section != kind) || !ComparesVariants(e) {
			continue
		}
		out = append(out, judgeAcross(s, p, results, pe, e))
	}
	return out
}

func judgeAcross(s *scenarios.Scenario, p *scenarios.Plan, results map[string]*Result, pe scenarios.PlannedExpectation, e *scenarios.Expr) Verdict {
	v := newVerdict(pe, e)
	side := func(o scenarios.Operand) (float64, string, error) {
		if o.Metric == nil {
			return o.Value, "", nil
		}
		r, name, err := variantResult(s, results, o.Metric.Variant)
		if err != nil {
			return 0, "", err
		}
		j := &judge{s: s, p: p, r: r, summaries: map[summaryKey]Summary{}}
		x, d, err := j.operand(e, o, pe.From, pe.To)
		if err != nil {
			return 0, "", fmt.Errorf("variant %s: %w", name, err)
		}
		if d != "" {
			d = name + ": " + d
		}
		return x, d, nil
	}
	left, ld, err := side(e.Left)
	if err != nil {
		v.Detail = err.Error()
		return v
	}
	right, rd, err := side(e.Right)
	if err != nil {
		v.Detail = err.Error()
		return v
	}
	v.Observed, v.Bound = left, right
	v.Detail = joinDetail(ld, rd)
	v.Pass = e.Holds(left, right)
	v.Status = StatusFail
	if v.Pass {
		v.Status = StatusPass
	}
	return v
}

// variantResult finds the one variant sel selects, and its result.
func variantResult(s *scenarios.Scenario, results map[string]*Result, sel map[string]string) (*Result, string, error) {
	var names []string
	for _, x := range s.Variants {
		if scenarios.VariantMatches(x, sel) {
			names = append(names, x.Name)
		}
	}
	switch {
	case len(names) == 0:
		return nil, "", fmt.Errorf("no variant matches %s", variantText(sel))
	case len(names) > 1:
		return nil, "", fmt.Errorf("%s matches %d variants (%v); name one with variant=NAME", variantText(sel), len(names), names)
	}
	r := results[names[0]]
	if r == nil {
		return nil, names[0], fmt.Errorf("variant %s has no result (it did not run to the end)", names[0])
	}
	return r, names[0], nil
}

func joinDetail(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
