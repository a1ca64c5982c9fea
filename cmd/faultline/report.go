package main

import (
	"errors"
	"os"
	"strings"

	"github.com/faultline/faultline/reports"
	"github.com/spf13/cobra"
)

func init() {
	var format, out string
	cmd := &cobra.Command{
		Use:   "report RESULT",
		Short: "Render a run's result (a run directory, result.json or result.jsonl)",
		Long: `report renders a run's result. RESULT is a run directory, its result.json, or
its result.jsonl (a run cut off mid-way still renders its complete windows).

Formats: ` + strings.Join(reports.Formats(), ", ") + `.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := reports.Load(args[0])
			if err != nil {
				return withCode(ExitInvalid, err)
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
			if err := reports.Render(w, res, format); err != nil {
				if errors.Is(err, reports.ErrFormat) {
					return withCode(ExitInvalid, err)
				}
				return withCode(ExitHarness, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: "+strings.Join(reports.Formats(), "|"))
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	rootCmd.AddCommand(cmd)
}
