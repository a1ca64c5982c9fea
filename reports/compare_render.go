package reports

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// fmtMetric prints a compared value in its unit; shifts of ratios are in
// percentage points.
func fmtMetric(v float64, unit string, shift bool) string {
	if math.IsNaN(v) {
		return "-"
	}
	if unit == "ratio" {
		if shift {
			return strconv.FormatFloat(v*100, 'f', 3, 64) + "pt"
		}
		return fmtPct(v)
	}
	return fmtDur(time.Duration(v * float64(time.Second)))
}

func fmtP(p float64) string {
	if p < 0.0001 {
		return "<0.0001"
	}
	return strconv.FormatFloat(p, 'f', 4, 64)
}

// compareTitle states the verdict and the rules it was reached with.
func compareTitle(c Comparison) string {
	return fmt.Sprintf("%s vs %s: %s (confidence %s family-wise, tolerance %s of base, floors %s and %spt)",
		c.Head, c.Base, strings.ToUpper(c.Worst()), fmtPct(c.Config.Confidence), fmtPct(c.Config.Tolerance),
		fmtDur(c.Config.LatencyFloor), strconv.FormatFloat(c.Config.AvailabilityFloor*100, 'f', 2, 64))
}

func compareRow(d MetricDiff) []string {
	return []string{d.Endpoint, d.Metric, fmtMetric(d.BaseMedian, d.Unit, false), fmtMetric(d.HeadMedian, d.Unit, false),
		fmtMetric(d.Shift, d.Unit, true), "[" + fmtMetric(d.CILow, d.Unit, true) + ", " + fmtMetric(d.CIHigh, d.Unit, true) + "]",
		fmtP(d.PAdjusted), fmt.Sprintf("%d/%d", d.Test.NX, d.Test.NY), d.Verdict}
}

var compareHead = []string{"endpoint", "metric", "base median", "head median", "shift", "shift CI", "p (Holm)", "windows head/base", "verdict"}

// WriteCompareText renders comparisons as terminal tables.
func WriteCompareText(w io.Writer, cs []Comparison) error {
	p := &textPrinter{w: w}
	for _, c := range cs {
		var rows [][]string
		for _, d := range c.Diffs {
			rows = append(rows, compareRow(d))
		}
		if len(rows) == 0 {
			p.linef("%s: no endpoint has windows on either side", compareTitle(c))
			continue
		}
		p.table(compareTitle(c), compareHead, rows, 2, 3, 4, 6, 7)
	}
	return p.err
}

// WriteCompareMarkdown renders comparisons for a pull-request comment,
// the regressions first.
func WriteCompareMarkdown(w io.Writer, cs []Comparison) error {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "### faultline compare: %s\n\n", mdEscape(compareTitle(c)))
		b.WriteString("| " + strings.Join(compareHead, " | ") + " |\n|---|---|---:|---:|---:|---|---:|---:|---|\n")
		for _, want := range []string{Worse, Better, Insufficient, Same} {
			for _, d := range c.Diffs {
				if d.Verdict == want {
					row := compareRow(d)
					for i := range row {
						row[i] = mdEscape(row[i])
					}
					if want == Worse {
						row[8] = "**worse**"
					}
					b.WriteString("| " + strings.Join(row, " | ") + " |\n")
				}
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
