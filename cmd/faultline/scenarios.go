package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/faultline/faultline/scenarios"
	"github.com/spf13/cobra"
)

func init() {
	rootCmd.AddCommand(&cobra.Command{
		Use:   "scenarios",
		Short: "List the built-in scenario catalogue",
		Long: `scenarios lists the built-in scenarios with one line of description each.
Any command that takes a scenario file also takes one of these names.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 8, 2, ' ', 0)
			for _, e := range scenarios.Catalog() {
				fmt.Fprintf(tw, "%s\t%s\n", e.Name, e.Description)
			}
			return tw.Flush()
		},
	})
}
