package main

import (
	"github.com/faultline/faultline/scenarios"
	"github.com/spf13/cobra"
)

func init() {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plan FILE|NAME",
		Short: "Print a scenario's timeline (a dry run: nothing is contacted)",
		Long: `plan prints the timeline a run would follow: warmup, baseline, each fault's
window and overlaps, recovery, and which windows each expectation judges.
As a table with a one-line ASCII timeline, or as JSON with --json.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := scenarios.Resolve(args[0])
			if err != nil {
				printScenarioErrors(cmd, err)
				return withCode(ExitInvalid, nil)
			}
			p := scenarios.NewPlan(s)
			if asJSON {
				return p.WriteJSON(cmd.OutOrStdout())
			}
			return p.WriteText(cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	rootCmd.AddCommand(cmd)
}
