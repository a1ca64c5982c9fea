package reports

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown renders a short report for a pull-request comment: the
// outcome, one row per endpoint, the verdicts and the faults.
func WriteMarkdown(w io.Writer, r *Result) error {
	var b strings.Builder
	pass, fail := 0, 0
	for _, v := range r.Verdicts {
		if verdictStatus(v) == "pass" {
			pass++
		} else {
			fail++
		}
	}
	outcome := "PASS"
	switch {
	case r.Truncated:
		outcome = "INCOMPLETE"
	case fail > 0:
		outcome = "FAIL"
	case len(r.Verdicts) == 0:
		outcome = "NO VERDICTS"
	}
	name := r.Header.Scenario
	if r.Header.Variant != "" {
		name += " [" + r.Header.Variant + "]"
	}
	fmt.Fprintf(&b, "### faultline: %s: %s (%d of %d verdicts passed)\n\n", mdEscape(name), outcome, pass, pass+fail)
	fmt.Fprintf(&b, "run `%s` · seed %d · %s covered", mdEscape(r.Header.RunID), r.Header.Seed, fmtDur(r.Span()))
	if r.End != nil {
		fmt.Fprintf(&b, " · exit %d", r.End.ExitCode)
	}
	b.WriteString("\n\n")
	if r.Truncated {
		fmt.Fprintf(&b, "> **Truncated:** the result has no end record; this covers the %d complete windows written.\n\n", len(r.Windows))
	}
	if eps := r.Endpoints(); len(eps) > 0 {
		b.WriteString("| endpoint | requests | availability | p50 | p99 | p99.9 | errors | schedule |\n")
		b.WriteString("|---|---:|---:|---:|---:|---:|---|---|\n")
		for _, ep := range eps {
			s := r.Summary(ep, 0, 0)
			lag := scheduleLag(s)
			if lag == "" {
				lag = "on schedule"
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s |\n", mdEscape(ep), s.Requests, fmtPct(s.Availability),
				fmtDur(s.P50), fmtDur(s.P99), fmtDur(s.P999), mdEscape(fmtCounts(s.ErrorClasses)), mdEscape(lag))
		}
		b.WriteString("\n")
	}
	if len(r.Verdicts) > 0 {
		b.WriteString("| | expectation | observed | bound |\n|---|---|---:|---:|\n")
		for _, v := range r.Verdicts {
			// In a code span GitHub shows entities literally, so only the
			// pipe (which would end the cell) is escaped there.
			exp := "`" + strings.NewReplacer("`", "'", "|", `\|`, "\n", " ").Replace(v.Expectation) + "`"
			if v.Claim != "" {
				exp = mdEscape(v.Claim) + ": " + exp
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", verdictStatus(v), exp,
				fmtValue(v.Observed, v.Unit), fmtValue(v.Bound, v.Unit))
		}
		b.WriteString("\n")
	}
	if spans := r.FaultSpans(); len(spans) > 0 {
		b.WriteString("<details><summary>Faults</summary>\n\n| fault | instance | executor | applied | reverted |\n|---|---|---|---:|---:|\n")
		for _, s := range spans {
			rev := "NOT REVERTED"
			if s.WasReverted {
				rev = fmtOffset(s.Reverted)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdEscape(s.Fault), mdEscape(orDash(s.Instance)),
				mdEscape(orDash(s.Executor)), fmtOffset(s.Applied), rev)
		}
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape keeps a cell inside its table: pipes and newlines would break
// the row, and < would start HTML.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;").Replace(s)
}
