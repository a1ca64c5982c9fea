package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/faultline/faultline/reports"
	"github.com/spf13/cobra"
)

func init() {
	var htmlOut string
	cmd := &cobra.Command{
		Use:   "history ARCHIVE",
		Short: "Print the trend of each verdict and key metric across archived runs",
		Long: `history reads every run directory in ARCHIVE (as "faultline schedule" keeps
them), prints each verdict and each endpoint's availability and p99 across the
runs, and writes an HTML trend page (default ARCHIVE/history.html).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			runs, skipped, err := reports.LoadArchive(args[0])
			for _, s := range skipped {
				fmt.Fprintln(cmd.ErrOrStderr(), "history: skipped "+s)
			}
			if err != nil {
				return withCode(ExitInvalid, err)
			}
			if err := reports.WriteHistoryText(cmd.OutOrStdout(), runs); err != nil {
				return withCode(ExitHarness, err)
			}
			if htmlOut == "" {
				htmlOut = filepath.Join(args[0], "history.html")
			}
			f, err := os.Create(htmlOut)
			if err != nil {
				return withCode(ExitHarness, err)
			}
			defer f.Close()
			if err := reports.WriteHistoryHTML(f, runs); err != nil {
				return withCode(ExitHarness, err)
			}
			fmt.Fprintln(cmd.ErrOrStderr(), "history: trend page "+htmlOut)
			return nil
		},
	}
	cmd.Flags().StringVar(&htmlOut, "html", "", "where to write the HTML trend page (default ARCHIVE/history.html)")
	rootCmd.AddCommand(cmd)
}
