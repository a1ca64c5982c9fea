package scenarios

import (
	"fmt"
	"sort"
	"strings"
)

const (
	allowedOps        = "<, <=, >, >=, ==, !="
	allowedQualifiers = "during fault(name), during phase(name), before fault(name), after fault(name), for duration"
)

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func errAt(t token, allowed, format string, args ...any) *ExprError {
	return &ExprError{Offset: t.off, Msg: fmt.Sprintf(format, args...), Allowed: allowed}
}

func (p *parser) expect(text, allowed string) (token, error) {
	t := p.next()
	if t.text != text || t.kind == tokEOF {
		return t, errAt(t, allowed, "expected %q, found %s", text, t)
	}
	return t, nil
}

func (p *parser) expectation() (*Expr, error) {
	if p.peek().kind == tokEOF {
		return nil, errAt(p.peek(), "an expectation such as availability(browse) >= 99.9%", "empty expectation")
	}
	e := &Expr{}
	left, err := p.operand()
	if err != nil {
		return nil, err
	}
	if left.Metric == nil {
		return nil, &ExprError{Offset: left.Offset, Msg: fmt.Sprintf("an expectation starts with a metric, found %q", left.Text), Allowed: "a metric on the left, e.g. p99(order) <= 250ms"}
	}
	e.Left = left
	m := Metrics[left.Metric.Name]
	if t := p.peek(); t.kind == tokOp {
		p.next()
		e.Op = t.text
		right, err := p.operand()
		if err != nil {
			return nil, err
		}
		e.Right = right
	} else if m.Unit == UnitBool {
		e.Op, e.Right = "==", Operand{Value: 1, Text: "true", Unit: UnitBool, Offset: t.off}
	} else if t.kind == tokEOF {
		return nil, errAt(t, allowedOps, "%s needs a comparison", left.Metric.Name)
	} else {
		return nil, errAt(t, allowedOps, "expected a comparison operator, found %s", t)
	}
	if err := typeCheck(e, m); err != nil {
		return nil, err
	}
	if err := p.qualifiers(e); err != nil {
		return nil, err
	}
	if e.Window != nil && m.Family == FamilyFault {
		return nil, &ExprError{Offset: e.Window.Offset, Msg: fmt.Sprintf("%s is measured over its fault's own window and takes no window qualifier", m.Name), Allowed: "no during/before/after"}
	}
	return e, nil
}

// typeCheck makes both sides agree on a unit.
func typeCheck(e *Expr, m Metric) error {
	e.Unit = m.Unit
	r := e.Right
	if r.Metric != nil {
		rm := Metrics[r.Metric.Name]
		if rm.Unit != m.Unit {
			return &ExprError{Offset: r.Offset, Msg: fmt.Sprintf("cannot compare %s (%s) with %s (%s)", m.Name, m.Unit, rm.Name, rm.Unit), Allowed: "metrics of the same unit"}
		}
	} else if r.Unit != m.Unit {
		return &ExprError{Offset: r.Offset, Msg: fmt.Sprintf("%s is a %s but %s is a %s", m.Name, m.Unit, r.Text, r.Unit), Allowed: literalHint[m.Unit]}
	}
	if m.Unit == UnitBool && e.Op != "==" && e.Op != "!=" {
		return &ExprError{Offset: e.Left.Offset, Msg: fmt.Sprintf("%s is true or false and can only be compared with == or !=", m.Name), Allowed: "==, !="}
	}
	return nil
}

// operand reads a metric (with optional arguments) or a literal.
func (p *parser) operand() (Operand, error) {
	t := p.next()
	switch t.kind {
	case tokLiteral:
		return literal(t)
	case tokIdent:
		if t.text == "true" || t.text == "false" {
			v := 0.0
			if t.text == "true" {
				v = 1
			}
			return Operand{Value: v, Text: t.text, Unit: UnitBool, Offset: t.off}, nil
		}
		return p.metric(t)
	}
	return Operand{}, errAt(t, "a metric such as availability(browse), or a bound such as 99.9%, 250ms, 0, 50/s", "expected a metric or a value, found %s", t)
}

// literal classifies a number with its unit suffix.
func literal(t token) (Operand, error) {
	o := Operand{Text: t.text, Offset: t.off}
	s := t.text
	switch {
	case strings.HasSuffix(s, "%"):
		v, err := ParsePercent(s)
		if err != nil {
			return o, errAt(t, allowedPercent, "bad percentage %q", s)
		}
		o.Value, o.Unit = v, UnitRatio
	case strings.Contains(s, "/"):
		r, err := ParseRate(s)
		if err != nil {
			return o, errAt(t, allowedRate, "bad rate %q", s)
		}
		o.Value, o.Unit = r.PerSecond(), UnitRate
	case strings.Trim(s, "0123456789.") == "":
		v, err := parseDecimal(s)
		if err != nil {
			return o, errAt(t, "a number such as 0 or 12", "bad number %q", s)
		}
		o.Value, o.Unit = v, UnitCount
	default:
		d, err := ParseDuration(s)
		if err != nil {
			return o, errAt(t, "a number with %, a duration unit (ms, s, m, h) or a rate (/s, /m)", "cannot read the value %q", s)
		}
		o.Value, o.Unit = d.Seconds(), UnitDuration
	}
	return o, nil
}

func (p *parser) metric(t token) (Operand, error) {
	m, ok := Metrics[t.text]
	if !ok {
		return Operand{}, errAt(t, "a metric: "+strings.Join(MetricNames(), ", "), "unknown metric %q%s", t.text, didYouMean(t.text, MetricNames()))
	}
	ref := &MetricRef{Name: m.Name, ArgOffset: t.off, VariantOffset: t.off}
	o := Operand{Metric: ref, Text: t.text, Unit: m.Unit, Offset: t.off}
	if p.peek().text == "(" && p.peek().kind == tokPunct {
		open := p.next()
		if err := p.args(ref, m, open); err != nil {
			return o, err
		}
	}
	if m.Arg == ArgFault && ref.Arg == "" {
		return o, errAt(t, m.Name+"(fault-name)", "%s needs the name of a fault", m.Name)
	}
	return o, nil
}

// args reads "(arg, key=value, ...)" after a metric name.
func (p *parser) args(ref *MetricRef, m Metric, open token) error {
	argHint := map[ArgKind]string{
		ArgNone: "key=value variant selectors only", ArgEndpoint: "an endpoint name, *, and key=value variant selectors",
		ArgProbe: "a probe name and key=value variant selectors", ArgFault: "a fault name and key=value variant selectors",
		ArgFaultOptional: "a fault name and key=value variant selectors",
	}[m.Arg]
	if p.peek().text == ")" {
		p.next()
		return nil
	}
	for {
		t := p.next()
		switch {
		case t.kind == tokIdent && p.peek().text == "=":
			p.next()
			v := p.next()
			if v.kind != tokIdent && v.kind != tokLiteral {
				return errAt(v, "key=value, e.g. patterns=off", "expected a value after %s=, found %s", t.text, v)
			}
			if ref.Variant == nil {
				ref.Variant, ref.VariantOffset = map[string]string{}, t.off
			}
			if _, dup := ref.Variant[t.text]; dup {
				return errAt(t, "each key once", "variant key %q given twice", t.text)
			}
			ref.Variant[t.text] = v.text
		case (t.kind == tokIdent || t.text == "*") && ref.Arg == "" && ref.Variant == nil:
			if m.Arg == ArgNone {
				return errAt(t, argHint, "%s takes no argument", m.Name)
			}
			if t.text == "*" && m.Arg != ArgEndpoint {
				return errAt(t, argHint, "* (each endpoint) only applies to endpoint metrics, not %s", m.Name)
			}
			if t.text != "*" && !IsName(t.text) {
				return errAt(t, allowedName, "%q is not a valid name", t.text)
			}
			ref.Arg, ref.ArgOffset = t.text, t.off
		default:
			return errAt(t, argHint, "unexpected %s in the arguments of %s", t, m.Name)
		}
		sep := p.next()
		if sep.text == ")" {
			return nil
		}
		if sep.text != "," {
			return errAt(sep, "\",\" or \")\"", "expected \",\" or \")\" in the arguments of %s, found %s", m.Name, sep)
		}
	}
}

// qualifiers reads the trailing during/before/after/for clauses.
func (p *parser) qualifiers(e *Expr) error {
	for {
		t := p.next()
		switch {
		case t.kind == tokEOF:
			return nil
		case t.kind == tokIdent && t.text == "for":
			if e.For > 0 || e.ForOffset > 0 {
				return errAt(t, "one for clause", "for is given twice")
			}
			d := p.next()
			v, err := ParseDuration(d.text)
			if d.kind != tokLiteral || err != nil || v <= 0 {
				return errAt(d, allowedDuration, "for needs a positive duration, found %s", d)
			}
			e.For, e.ForOffset = v, t.off
		case t.kind == tokIdent && (t.text == "during" || t.text == "before" || t.text == "after"):
			if e.Window != nil {
				return errAt(t, "one of during, before or after", "only one window qualifier is allowed")
			}
			w, err := p.window(t)
			if err != nil {
				return err
			}
			e.Window = w
		default:
			return errAt(t, allowedQualifiers, "unexpected %s after the comparison", t)
		}
	}
}

func (p *parser) window(q token) (*Window, error) {
	what := p.next()
	w := &Window{Offset: q.off}
	switch {
	case what.text == "fault" && q.text == "during":
		w.Kind = DuringFault
	case what.text == "phase" && q.text == "during":
		w.Kind = DuringPhase
	case what.text == "fault" && q.text == "before":
		w.Kind = BeforeFault
	case what.text == "fault" && q.text == "after":
		w.Kind = AfterFault
	default:
		allowed := "fault(name)"
		if q.text == "during" {
			allowed = "fault(name), phase(name)"
		}
		return nil, errAt(what, allowed, "expected fault(...) after %s, found %s", q.text, what)
	}
	if _, err := p.expect("(", "("); err != nil {
		return nil, err
	}
	name := p.next()
	if name.kind != tokIdent || !IsName(name.text) {
		return nil, errAt(name, allowedName, "expected a name, found %s", name)
	}
	if w.Kind == DuringPhase && !contains(PhaseNames, name.text) {
		return nil, errAt(name, strings.Join(PhaseNames, ", "), "unknown phase %q%s", name.text, didYouMean(name.text, PhaseNames))
	}
	w.Name, w.NameOffset = name.text, name.off
	if _, err := p.expect(")", ")"); err != nil {
		return nil, err
	}
	return w, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
