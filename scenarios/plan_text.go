package scenarios

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// TimelineWidth is the number of characters of the one-line timeline.
const TimelineWidth = 60

// WriteText prints the plan for a person: a summary line, the one-line
// ASCII timeline with its legend, then tables of phases, faults and
// expectations.
func (p *Plan) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s: %s total (warmup %s + run %s), %s load at %g/s, seed %d\n\n",
		p.Scenario, p.Total, p.Warmup, p.Duration, p.Shape, p.RatePerSecond, p.Seed)
	b.WriteString(p.Timeline() + "\n")
	fmt.Fprintf(&b, "%-*s%s\n", TimelineWidth+1, "0s", p.Total)
	b.WriteString("legend: . warmup  - no fault")
	for i, f := range p.Faults {
		fmt.Fprintf(&b, "  %c %s", faultMark(i), f.Name)
	}
	if len(p.Faults) > 1 {
		b.WriteString("  # overlap")
	}
	b.WriteString("\n\n")

	tw := tabwriter.NewWriter(&b, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PHASE\tFROM\tTO\tLENGTH")
	for _, ph := range p.Phases {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ph.Name(), ph.From, ph.To, ph.To-ph.From)
	}
	tw.Flush()
	if len(p.Faults) > 0 {
		b.WriteString("\n")
		tw = tabwriter.NewWriter(&b, 2, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "FAULT\tKIND\tTARGET\tPICK\tAT\tUNTIL\tPARAMS")
		for _, f := range p.Faults {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Name, f.Kind, f.Target, f.Pick, f.At, f.Until, formatParams(f.Params))
		}
		tw.Flush()
	}
	if len(p.Expectations) > 0 {
		b.WriteString("\n")
		tw = tabwriter.NewWriter(&b, 2, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "SECTION\tEXPECTATION\tJUDGED OVER\tFROM\tTO")
		for _, e := range p.Expectations {
			section := e.Section
			if e.Claim != "" {
				section += " " + e.Claim
			}
			scope := e.Scope
			if e.Live {
				scope += ", live"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", section, e.Source, scope, e.From, e.To)
		}
		tw.Flush()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints the plan as indented JSON.
func (p *Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// faultMark is the timeline character of the i-th fault: A, B, ... Z, then
// a..z, then *.
func faultMark(i int) rune {
	switch {
	case i < 26:
		return rune('A' + i)
	case i < 52:
		return rune('a' + i - 26)
	}
	return '*'
}

// Timeline renders the plan as one line of TimelineWidth characters
// between bars: each character is Total/TimelineWidth of time, showing
// what is active at its midpoint.
func (p *Plan) Timeline() string {
	var b strings.Builder
	b.WriteByte('|')
	for i := range TimelineWidth {
		if p.Total <= 0 {
			b.WriteByte('-')
			continue
		}
		mid := time.Duration((float64(i) + 0.5) / TimelineWidth * float64(p.Total))
		b.WriteRune(p.markAt(mid))
	}
	b.WriteByte('|')
	return b.String()
}

func (p *Plan) markAt(t time.Duration) rune {
	if t < p.Warmup {
		return '.'
	}
	mark, n := '-', 0
	for i, f := range p.Faults {
		if f.At <= t && t < f.Until {
			mark, n = faultMark(i), n+1
		}
	}
	if n > 1 {
		return '#'
	}
	return mark
}

func formatParams(m map[string]any) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		v := m[k]
		switch t := v.(type) {
		case float64:
			if strings.Contains(k, "percent") || k == "toxicity" {
				v = formatFloat(t*100) + "%"
			}
		}
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	return strings.Join(parts, " ")
}
