package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
)

// Claim verdicts on the scorecard.
const (
	claimHolds       = "HOLDS"
	claimFails       = "FAILS"
	claimNotMeasured = "NOT MEASURED"
)

// scoreLine is one claim's row: its verdict and the evidence in one line.
type scoreLine struct {
	ID, Section, Verdict, Evidence string
}

// scorecard judges each claim of sc from its rules' verdicts (the passes'
// and the cross-variant ones): it holds when every rule passed, fails when
// one failed, and is not measured when a rule could not be evaluated (with
// the reason) and none failed. Never a pass nobody measured.
func scorecard(sc *scenarios.Scenario, verdicts []reports.Verdict) []scoreLine {
	var out []scoreLine
	for _, c := range sc.Claims {
		line := scoreLine{ID: c.ID, Section: c.Section, Verdict: claimHolds}
		var ev []string
		fails, unmeasured, seen := 0, 0, 0
		for _, v := range verdicts {
			if v.Claim != c.ID {
				continue
			}
			seen++
			switch {
			case v.Status == reports.StatusError:
				unmeasured++
				ev = append(ev, fmt.Sprintf("%s: not measured (%s)", v.Expectation, v.Detail))
			case v.Pass:
				ev = append(ev, fmt.Sprintf("%s: %s vs %s ok", v.Expectation, fmtVal(v.Observed, v.Unit), fmtVal(v.Bound, v.Unit)))
			default:
				fails++
				ev = append(ev, fmt.Sprintf("%s: %s vs %s FAILED", v.Expectation, fmtVal(v.Observed, v.Unit), fmtVal(v.Bound, v.Unit)))
			}
		}
		switch {
		case fails > 0:
			line.Verdict = claimFails
		case unmeasured > 0 || seen == 0:
			line.Verdict = claimNotMeasured
		}
		if seen == 0 {
			ev = append(ev, "no verdict: the run did not get far enough to judge it")
		}
		line.Evidence = strings.Join(ev, "; ")
		out = append(out, line)
	}
	return out
}

// writeScorecard prints the claims scorecard: claim, verdict, evidence.
func writeScorecard(w io.Writer, lines []scoreLine) {
	if len(lines) == 0 {
		return
	}
	held := 0
	for _, l := range lines {
		if l.Verdict == claimHolds {
			held++
		}
	}
	fmt.Fprintf(w, "\nClaims scorecard: %d of %d hold\n", held, len(lines))
	for _, l := range lines {
		fmt.Fprintf(w, "%-24s %-12s %s\n", l.ID, l.Verdict, l.Evidence)
	}
}

// fmtVal renders a verdict value in its unit.
func fmtVal(v float64, unit string) string {
	if v == reports.Never {
		return "never"
	}
	switch unit {
	case "ratio":
		return fmt.Sprintf("%.3g%%", v*100)
	case "seconds":
		return time.Duration(v * float64(time.Second)).Round(100 * time.Microsecond).String()
	case "bool":
		return fmt.Sprint(v != 0)
	case "per_second":
		return fmt.Sprintf("%.4g/s", v)
	}
	return fmt.Sprintf("%.4g", v)
}
