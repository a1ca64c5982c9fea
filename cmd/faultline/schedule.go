package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/faultline/faultline/reports/gameday"
	"github.com/spf13/cobra"
)

func init() {
	var spec, archive string
	var once bool
	cmd := &cobra.Command{
		Use:   "schedule --cron SPEC SCENARIO --archive DIR",
		Short: "Run a scenario on a cron schedule, keeping every run in an archive",
		Long: `schedule runs "faultline run SCENARIO" on a cron schedule (5 fields, e.g.
"0 10 * * MON", or "@every 1h"). Each run writes its own directory in the
archive (DIR/NAME-YYYYMMDD-HHMMSS, with run.log beside the result). A run
never overlaps another: a tick while one is going, here or in another
process on the same archive, is skipped and logged. Stop with Ctrl-C; a run
in progress is stopped as by Ctrl-C on run.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if spec == "" || archive == "" {
				return withCode(ExitInvalid, errors.New("--cron and --archive are required"))
			}
			exe, err := os.Executable()
			if err != nil {
				return withCode(ExitHarness, err)
			}
			scenario := args[0]
			name := strings.TrimSuffix(filepath.Base(scenario), filepath.Ext(scenario))
			logf := func(f string, a ...any) { fmt.Fprintf(cmd.ErrOrStderr(), "schedule: "+f+"\n", a...) }
			s, err := gameday.New(gameday.Config{Spec: spec, Archive: archive, Name: name, Logf: logf,
				Run: func(ctx context.Context, dir string) error { return runOnce(ctx, exe, scenario, dir) }})
			if err != nil {
				return withCode(ExitInvalid, err)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if once {
				dir, err := s.Tick(ctx)
				logf("run %s: %v", dir, errOrOK(err))
				return nil
			}
			logf("%q: next run at %s; archive %s", spec, s.Next(time.Now()).Format("2006-01-02 15:04:05 MST"), archive)
			return s.Run(ctx)
		},
	}
	cmd.Flags().StringVar(&spec, "cron", "", `cron schedule: "MIN HOUR DOM MON DOW" or @every DURATION`)
	cmd.Flags().StringVar(&archive, "archive", "", "directory that keeps every run directory")
	cmd.Flags().BoolVar(&once, "once", false, "run once now (with the same lock and archive), then exit")
	rootCmd.AddCommand(cmd)
}

// runOnce runs "faultline run" as a child process into dir, its output in
// dir/run.log. An expectation failing (exit 1) or an abort (exit 3) is a
// finished game day, not a scheduler error; it is reported.
func runOnce(ctx context.Context, exe, scenario, dir string) error {
	logFile, err := os.Create(filepath.Join(dir, "run.log"))
	if err != nil {
		return err
	}
	defer logFile.Close()
	c := exec.CommandContext(ctx, exe, "run", scenario, "--out", dir)
	c.Stdout, c.Stderr = logFile, logFile
	c.Cancel = func() error { return c.Process.Signal(os.Interrupt) }
	err = c.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("faultline run exited %d (see %s)", ee.ExitCode(), logFile.Name())
	}
	return err
}

func errOrOK(err error) any {
	if err == nil {
		return "finished"
	}
	return err
}
