package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/faultline/faultline/reports"
	"github.com/spf13/cobra"
)

func init() {
	var (
		format, failOn, tolerance, out string
		confidence                     float64
	)
	cmd := &cobra.Command{
		Use:   "compare BASE HEAD [MORE...]",
		Short: "Compare runs metric by metric (Mann-Whitney U, Hodges-Lehmann shift)",
		Long: `compare judges each HEAD (and MORE) against BASE, per endpoint and metric
(availability, p50, p90, p99, p99.9), on the per-window samples: a Mann-Whitney U
test (ties and continuity corrected, Holm-adjusted over all metrics), the
Hodges-Lehmann shift with its confidence interval, and a verdict of better,
worse or same. A significant shift within the tolerance is "same".

Each input is a result file, a run directory, or a directory of repeated runs
(their windows are pooled).`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			tol, err := parseTolerance(tolerance)
			if err != nil {
				return withCode(ExitInvalid, err)
			}
			if confidence <= 0 || confidence >= 1 {
				return withCode(ExitInvalid, fmt.Errorf("--confidence %v: give a fraction between 0 and 1, such as 0.95", confidence))
			}
			if failOn != "worse" && failOn != "never" {
				return withCode(ExitInvalid, fmt.Errorf("--fail-on %q: allowed are worse, never", failOn))
			}
			render := map[string]func(io.Writer, []reports.Comparison) error{
				"text": reports.WriteCompareText,
				"md":   reports.WriteCompareMarkdown,
				"html": reports.WriteCompareHTML,
			}[format]
			if render == nil {
				return withCode(ExitInvalid, fmt.Errorf("--format %q: allowed are text, md, html", format))
			}
			groups := make([]reports.Group, len(args))
			for i, a := range args {
				if groups[i], err = reports.LoadGroup(a); err != nil {
					return withCode(ExitInvalid, err)
				}
			}
			cfg := reports.CompareConfig{Confidence: confidence, Tolerance: tol}
			var cs []reports.Comparison
			for _, h := range groups[1:] {
				cs = append(cs, reports.Compare(groups[0], h, cfg))
			}
			w := cmd.OutOrStdout()
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return withCode(ExitHarness, err)
				}
				defer f.Close()
				w = f
			}
			if err := render(w, cs); err != nil {
				return withCode(ExitHarness, err)
			}
			for _, c := range cs {
				if failOn == "worse" && c.Worst() == reports.Worse {
					return withCode(ExitFailed, fmt.Errorf("%s is worse than %s", c.Head, c.Base))
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text|md|html")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&failOn, "fail-on", "never", "exit 1 when a verdict is this: worse|never")
	cmd.Flags().Float64Var(&confidence, "confidence", 0.95, "confidence of each verdict, family-wise over all metrics")
	cmd.Flags().StringVar(&tolerance, "tolerance", "5%", "relative shift of a latency below which a significant change is still 'same'")
	rootCmd.AddCommand(cmd)
}

// parseTolerance reads "5%" or "0.05".
func parseTolerance(s string) (float64, error) {
	v, pct := strings.CutSuffix(strings.TrimSpace(s), "%")
	f, err := strconv.ParseFloat(v, 64)
	if err == nil && pct {
		f /= 100
	}
	if err != nil || f < 0 || f >= 1 {
		return 0, fmt.Errorf("--tolerance %q: give a percentage such as 5%% or a fraction such as 0.05, below 100%%", s)
	}
	if f == 0 {
		f = -1 // CompareConfig reads a negative tolerance as none; 0 is the default
	}
	return f, nil
}
