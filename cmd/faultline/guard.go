package main

import (
	"errors"
	"time"

	"github.com/faultline/faultline/faults/process"
	"github.com/spf13/cobra"
)

// guard is started detached by a pause fault: it resumes the paused
// process when the lease file stops being renewed. People rarely run it.
func init() {
	var (
		pid       int
		pidfile   string
		group     bool
		leaseFile string
		maxLife   time.Duration
	)
	cmd := &cobra.Command{
		Use:    "guard",
		Short:  "Resume a paused process when its pause lease is not renewed (started by pause faults)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(_ *cobra.Command, _ []string) error {
			if leaseFile == "" || (pid == 0 && pidfile == "") {
				return withCode(ExitInvalid, errors.New("guard: need --lease-file and --pid or --pidfile"))
			}
			t := process.Target{PID: pid, PIDFile: pidfile, Group: group}
			if err := process.RunGuard(t, leaseFile, maxLife); err != nil {
				return withCode(ExitHarness, err)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&pid, "pid", 0, "paused process id")
	cmd.Flags().StringVar(&pidfile, "pidfile", "", "file holding the paused process id")
	cmd.Flags().BoolVar(&group, "group", false, "the pause is on the process group of the pid")
	cmd.Flags().StringVar(&leaseFile, "lease-file", "", "lease file: mtime = last renewal, content = lease length")
	cmd.Flags().DurationVar(&maxLife, "max-life", time.Hour, "resume after this long whatever happens")
	rootCmd.AddCommand(cmd)
}
