package scenarios

import (
	"fmt"
	"strings"
)

// Sections of a scenario that hold expectations; Verdict.Kind uses them.
const (
	SectionSteadyState = "steady_state"
	SectionAbortWhen   = "abort_when"
	SectionExpect      = "expect"
	SectionClaim       = "claim"
)

func (v *validator) expectations() {
	for _, e := range v.s.SteadyState {
		v.expectation(e, SectionSteadyState)
	}
	for _, e := range v.s.AbortWhen {
		v.expectation(e, SectionAbortWhen)
	}
	for _, e := range v.s.Expect {
		v.expectation(e, SectionExpect)
	}
	ids := map[string]bool{}
	for _, c := range v.s.Claims {
		if ids[c.ID] {
			v.add(c.Pos, "unique claim ids", "claim %q is listed twice", c.ID)
		}
		ids[c.ID] = true
		if len(c.Rules) == 0 {
			v.add(c.Pos, "at least one rule", "claim %q has no rules", c.ID)
		}
		for _, e := range c.Rules {
			before := len(v.list)
			v.expectation(e, SectionClaim)
			for _, err := range v.list[before:] {
				if e.library {
					err.Msg = fmt.Sprintf("claim %s, rule %q: %s", c.ID, e.Source, err.Msg)
				}
			}
		}
	}
}

// at returns the file position of byte off of e's source.
func (e Expectation) at(off int) Pos {
	p := e.Pos
	if e.col0 > 0 {
		p.Col = e.col0 + off
	}
	return p
}

// expectation checks the names an expression refers to, and which
// qualifiers its section allows.
func (v *validator) expectation(e Expectation, section string) {
	x := e.Expr
	if x == nil {
		var err error
		if x, err = ParseExpectation(e.Source); err != nil {
			ee, _ := err.(*ExprError)
			if ee == nil {
				ee = &ExprError{Msg: err.Error()}
			}
			v.addErr(&Error{Pos: e.at(ee.Offset), Msg: ee.Msg, Allowed: ee.Allowed})
			return
		}
	}
	if x.For > 0 && section != SectionAbortWhen {
		v.add(e.at(x.ForOffset), "for only in abort_when", "\"for\" only applies to abort_when, not %s", section)
	}
	if section == SectionAbortWhen && x.Left.Metric != nil && Metrics[x.Left.Metric.Name].Family != FamilyLoad {
		v.add(e.at(x.Left.Offset), "load metrics (availability, error_rate, p50..p999, service_p99, rate, requests, behind)", "abort_when is checked live on load windows; %s is not one", x.Left.Metric.Name)
	}
	for _, o := range []Operand{x.Left, x.Right} {
		if o.Metric != nil {
			v.metricRef(e, o.Metric, section)
		}
	}
	if w := x.Window; w != nil {
		v.window(e, w)
		v.targetWindow(e, x)
	}
}

// targetWindow refuses a window qualifier on the target metrics that
// describe the end of the pass or a fault, not a span.
func (v *validator) targetWindow(e Expectation, x *Expr) {
	for _, o := range []Operand{x.Left, x.Right} {
		if o.Metric == nil {
			continue
		}
		if why := TargetWholePass(o.Metric.Name); why != "" {
			v.add(e.at(x.Window.Offset), "no during/before/after on consumer_backlog, lost_deliveries or drain_time", "%s %s and takes no window qualifier", o.Metric.Name, why)
		}
	}
}

func (v *validator) metricRef(e Expectation, m *MetricRef, section string) {
	spec := Metrics[m.Name]
	if m.Arg != "" && m.Arg != "*" {
		var names []string
		what := ""
		switch spec.Arg {
		case ArgEndpoint:
			names, what = v.endpointNames(), "endpoint"
		case ArgProbe:
			what = "probe"
			for _, p := range v.s.Probes {
				names = append(names, p.Name)
			}
		case ArgFault, ArgFaultOptional:
			names, what = v.faultNames(), "fault"
		}
		if what != "" && !contains(names, m.Arg) {
			allowed := what + "s: " + strings.Join(names, ", ")
			if len(names) == 0 {
				allowed = "the scenario defines no " + what + "s"
			}
			v.add(e.at(m.ArgOffset), allowed, "%s(%s) names an unknown %s%s", m.Name, m.Arg, what, didYouMean(m.Arg, names))
		}
	}
	if spec.Family == FamilyFault && len(v.s.Timeline) == 0 {
		v.add(e.at(m.ArgOffset), "add a timeline of faults", "%s is measured against faults, and the timeline is empty", m.Name)
	}
	if spec.Family == FamilyConsistency && len(v.s.Probes) == 0 {
		v.add(e.at(m.ArgOffset), "add probes: to measure consistency", "%s needs probes, and the scenario has none", m.Name)
	}
	if len(m.Variant) > 0 {
		if section == SectionAbortWhen {
			v.add(e.at(m.VariantOffset), "no variant selectors in abort_when", "abort_when watches the running pass only")
		} else if !v.variantExists(m.Variant) {
			v.add(e.at(m.VariantOffset), "variants: "+strings.Join(v.variantNames(), ", "), "no variant matches %s", formatVariant(m.Variant))
		}
	}
}

func formatVariant(sel map[string]string) string {
	var parts []string
	for _, k := range sortedKeys(sel) {
		parts = append(parts, k+"="+sel[k])
	}
	return strings.Join(parts, ", ")
}

// VariantMatches reports whether variant x is selected by sel: every key
// equals the variant's option of that name (as text), and the key
// "variant" names the variant itself.
func VariantMatches(x Variant, sel map[string]string) bool {
	for k, want := range sel {
		if k == "variant" {
			if x.Name != want {
				return false
			}
			continue
		}
		got, ok := x.Options[k]
		if !ok || optionText(got) != want {
			return false
		}
	}
	return true
}

func optionText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case bool:
		if t {
			return "true"
		}
		return "false"
	case float64:
		return formatFloat(t)
	}
	return ""
}

func (v *validator) variantExists(sel map[string]string) bool {
	for _, x := range v.s.Variants {
		if VariantMatches(x, sel) {
			return true
		}
	}
	return false
}

func (v *validator) variantNames() []string {
	var out []string
	for _, x := range v.s.Variants {
		out = append(out, x.Name)
	}
	if len(out) == 0 {
		return []string{"(the scenario defines no variants)"}
	}
	return out
}

func (v *validator) faultNames() []string {
	var out []string
	for _, f := range v.s.Timeline {
		out = append(out, f.Name)
	}
	return out
}

func (v *validator) window(e Expectation, w *Window) {
	if w.Kind == DuringPhase {
		switch {
		case w.Name == "baseline" && v.firstFaultAt() == 0 && len(v.s.Timeline) > 0:
			v.add(e.at(w.NameOffset), "a phase that exists in this run", "the baseline phase is empty: a fault starts at 0s")
		case (w.Name == "recovery" || w.Name == "faulted") && len(v.s.Timeline) == 0:
			v.add(e.at(w.NameOffset), "warmup, baseline, run", "phase %s needs faults, and the timeline is empty", w.Name)
		case w.Name == "warmup" && v.s.Load.Warmup == 0:
			v.add(e.at(w.NameOffset), "baseline, faulted, recovery, run", "the scenario has no warmup")
		case w.Name == "recovery" && v.lastFaultEnd() >= v.s.Load.Duration:
			v.add(e.at(w.NameOffset), "a phase that exists in this run", "the recovery phase is empty: a fault lasts until the end of the run")
		}
		return
	}
	names := v.faultNames()
	if !contains(names, w.Name) {
		allowed := "faults: " + strings.Join(names, ", ")
		if len(names) == 0 {
			allowed = "the timeline defines no faults"
		}
		v.add(e.at(w.NameOffset), allowed, "unknown fault %q%s", w.Name, didYouMean(w.Name, names))
	}
}

func (v *validator) firstFaultAt() (at0 Duration) {
	for i, f := range v.s.Timeline {
		if i == 0 || f.At < at0 {
			at0 = f.At
		}
	}
	return at0
}

func (v *validator) lastFaultEnd() (end Duration) {
	for _, f := range v.s.Timeline {
		end = max(end, f.At+f.Duration)
	}
	return end
}
