package scenarios

import (
	"fmt"
	"strings"
	"time"
)

// Expr is a parsed, type-checked expectation:
//
//	availability(browse) >= 99.9%
//	p99(order) <= 250ms during fault(kill-orders)
//	availability(*) < 90% for 5s
//	blast_radius.endpoints(patterns=off) > blast_radius.endpoints(patterns=on)
//
// A bare boolean metric ("contained(kill-orders)") is stored as
// "contained(kill-orders) == true". The grammar is in scenarios/README.md.
type Expr struct {
	Left  Operand `json:"left"`
	Op    string  `json:"op"`
	Right Operand `json:"right"`
	// Unit is the unit both sides share.
	Unit Unit `json:"unit"`
	// Window narrows which windows are judged; nil means the section's
	// default (see Plan).
	Window *Window `json:"window,omitempty"`
	// For is how long the condition must hold (abort_when only).
	For time.Duration `json:"for,omitempty"`
	// ForOffset is where "for" was written, for error positions.
	ForOffset int `json:"-"`
}

// Operand is one side of a comparison: a metric or a literal bound.
type Operand struct {
	Metric *MetricRef `json:"metric,omitempty"`
	// Value is a literal's value in canonical units (see Unit).
	Value float64 `json:"value,omitempty"`
	Text  string  `json:"text"`
	Unit  Unit    `json:"unit"`
	// Offset is the byte offset of the operand in the source line.
	Offset int `json:"-"`
}

// MetricRef is a metric with its argument and variant selection.
type MetricRef struct {
	Name string `json:"name"`
	// Arg is the endpoint, probe or fault name, "*" or "".
	Arg       string `json:"arg,omitempty"`
	ArgOffset int    `json:"-"`
	// Variant selects another pass of the scenario by target options
	// (patterns=off) or by name (variant=name).
	Variant       map[string]string `json:"variant,omitempty"`
	VariantOffset int               `json:"-"`
}

// Window kinds of a qualifier.
const (
	DuringFault = "during_fault"
	DuringPhase = "during_phase"
	BeforeFault = "before_fault"
	AfterFault  = "after_fault"
)

// Window is a window qualifier: during fault(x), during phase(p),
// before fault(x) or after fault(x).
type Window struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Offset     int    `json:"-"`
	NameOffset int    `json:"-"`
}

// ExprError is a problem at a byte offset of one expectation line.
type ExprError struct {
	Offset  int
	Msg     string
	Allowed string
}

func (e *ExprError) Error() string {
	s := fmt.Sprintf("column %d: %s", e.Offset+1, e.Msg)
	if e.Allowed != "" {
		s += " (allowed: " + e.Allowed + ")"
	}
	return s
}

// Holds reports whether observed op bound is true.
func (e *Expr) Holds(observed, bound float64) bool {
	switch e.Op {
	case "<":
		return observed < bound
	case "<=":
		return observed <= bound
	case ">":
		return observed > bound
	case ">=":
		return observed >= bound
	case "==":
		return observed == bound
	case "!=":
		return observed != bound
	}
	return false
}

// String renders the expression in canonical form.
func (e *Expr) String() string {
	s := e.Left.String() + " " + e.Op + " " + e.Right.String()
	if w := e.Window; w != nil {
		switch w.Kind {
		case DuringFault:
			s += " during fault(" + w.Name + ")"
		case DuringPhase:
			s += " during phase(" + w.Name + ")"
		case BeforeFault:
			s += " before fault(" + w.Name + ")"
		case AfterFault:
			s += " after fault(" + w.Name + ")"
		}
	}
	if e.For > 0 {
		s += " for " + e.For.String()
	}
	return s
}

// String renders an operand as written, canonically spaced.
func (o Operand) String() string {
	m := o.Metric
	if m == nil {
		return o.Text
	}
	var args []string
	if m.Arg != "" {
		args = append(args, m.Arg)
	}
	for _, k := range sortedKeys(m.Variant) {
		args = append(args, k+"="+m.Variant[k])
	}
	if len(args) == 0 {
		return m.Name
	}
	return m.Name + "(" + strings.Join(args, ", ") + ")"
}

// Metric returns the registry entry of the left-hand metric.
func (e *Expr) Metric() Metric { return Metrics[e.Left.Metric.Name] }

// MaxExpectationLen bounds one expectation line.
const MaxExpectationLen = 512

// ParseExpectation parses and type-checks one expectation line. It checks
// the grammar, metric names, argument kinds and units; names of endpoints,
// faults and probes are checked against a scenario by Validate. The error
// is an *ExprError.
func ParseExpectation(src string) (*Expr, error) {
	if len(src) > MaxExpectationLen {
		return nil, &ExprError{Offset: 0, Msg: fmt.Sprintf("expectation is longer than %d characters", MaxExpectationLen)}
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	return p.expectation()
}
