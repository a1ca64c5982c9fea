package main

import (
	"github.com/spf13/cobra"
)

// Exit codes, as DESIGN §7 gives them.
const (
	ExitOK      = 0 // every expectation passed
	ExitFailed  = 1 // an expectation failed
	ExitInvalid = 2 // invalid input
	ExitAborted = 3 // an abort condition fired
	ExitHarness = 4 // the harness itself failed
)

// exitError carries the process exit code up to main. A nil err exits
// with code silently (the command already printed what it had to say).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// withCode wraps err so that main exits with code.
func withCode(code int, err error) error {
	return &exitError{code: code, err: err}
}

var rootCmd = &cobra.Command{
	Use:   "faultline",
	Short: "Chaos and load testing harness for microservice systems",
	Long: `faultline drives a gossip cluster of agents that generate open-loop load,
inject faults (latency, partitions, kills) into a target, and judge
availability, latency, consistency lag and blast radius against stated
resilience claims.`,
	SilenceUsage:  true,
	SilenceErrors: true,
}

func init() {
	rootCmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return withCode(ExitInvalid, err)
	})
}
