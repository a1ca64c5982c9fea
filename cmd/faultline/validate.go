package main

import (
	"fmt"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets/reference"
	"github.com/spf13/cobra"
)

func init() {
	// The reference topology owns its options; checking them here makes a
	// typo in target.options fail validate and plan, before anything runs.
	scenarios.RegisterOptionChecker("reference", func(m map[string]any) error {
		_, err := reference.FromOptions(m)
		return err
	})

	var schema bool
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check scenario files (or catalogue names) without running anything",
		Long: `validate decodes and checks each scenario: syntax, unknown keys, values,
references between names, the fault timeline and every expectation. It prints
"ok FILE" per valid file, or one line per problem as file:line:col: what is
wrong (allowed: ...), and exits 2 if any file is invalid.

With --schema it prints the JSON Schema of the scenario language instead.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if schema {
				if len(args) > 0 {
					return withCode(ExitInvalid, fmt.Errorf("validate --schema takes no files"))
				}
				_, err := cmd.OutOrStdout().Write(scenarios.JSONSchema())
				return err
			}
			if len(args) == 0 {
				return withCode(ExitInvalid, fmt.Errorf("validate needs at least one scenario file or catalogue name"))
			}
			bad := false
			for _, f := range args {
				if _, err := scenarios.Resolve(f); err != nil {
					bad = true
					printScenarioErrors(cmd, err)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "ok %s\n", f)
			}
			if bad {
				return withCode(ExitInvalid, nil)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&schema, "schema", false, "print the scenario JSON Schema and exit")
	rootCmd.AddCommand(cmd)
}

// printScenarioErrors writes one line per scenario problem to stderr.
func printScenarioErrors(cmd *cobra.Command, err error) {
	list := scenarios.Errors(err)
	if list == nil {
		fmt.Fprintln(cmd.ErrOrStderr(), err)
		return
	}
	for _, e := range list {
		fmt.Fprintln(cmd.ErrOrStderr(), e)
	}
}
