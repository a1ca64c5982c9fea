package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/faultline/faultline/agents/cluster"
	"github.com/faultline/faultline/agents/coordinator"
	"github.com/faultline/faultline/reports"
)

type runFlags struct {
	out, keyFile, bind, advertise string
	quiet, verbose                bool
	quick                         bool   // run_quick.go
	metricsAddr                   string // run_metrics.go
	lease, waitAgents             time.Duration
}

func init() {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run FILE|NAME",
		Short: "Run a scenario: agents, load, faults, result and verdicts",
		Long: `run validates the scenario (exit 2 if invalid), checks its steady state
before any load (exit 1 if it already fails), starts or joins the agent
cluster, runs the load, and writes the run directory (default
runs/NAME-TIMESTAMP/). It prints the terminal report and exits 0 when every
expectation held, 1 when one failed, 3 when an abort condition fired or it
was interrupted (Ctrl-C still writes the report), 4 when faultline itself
failed (for example, not enough agents).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runScenario(cmd, args[0], f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.out, "out", "", "run directory (default runs/NAME-TIMESTAMP)")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress lines, only the final report")
	fl.BoolVar(&f.verbose, "verbose", false, "show cluster and agent diagnostics on stderr")
	fl.BoolVar(&f.quick, "quick", false, "run the catalogue scenario's quick version (NAME-quick), e.g. faultline run whitepaper --quick")
	fl.StringVar(&f.keyFile, "key-file", "", "gossip key of the cluster to join (agents.join); local agents get a fresh key")
	fl.StringVar(&f.bind, "bind", "", "address[:port] the coordinator gossips on (default 127.0.0.1, any port)")
	fl.StringVar(&f.advertise, "advertise", "", "address[:port] agents reach the coordinator at")
	fl.DurationVar(&f.lease, "lease", 5*time.Second, "agents stop load and revert faults after this long without the coordinator")
	fl.StringVar(&f.metricsAddr, "metrics-addr", "", "serve live Prometheus metrics (rate, errors, latency per endpoint, faults, agents) at host:port/metrics while the run goes")
	fl.DurationVar(&f.waitAgents, "wait-agents", coordinator.DefaultWaitAgents, "how long to wait for agents before giving up (exit 4)")
	rootCmd.AddCommand(cmd)
}

func runScenario(cmd *cobra.Command, arg string, f runFlags) error {
	sc, err := resolveRun(arg, f.quick)
	if err != nil {
		return withCode(ExitInvalid, err)
	}
	if err := checkTargetKind(sc); err != nil {
		return withCode(ExitHarness, err)
	}
	bh, bp, err := splitAddr(f.bind)
	if err != nil {
		return withCode(ExitInvalid, fmt.Errorf("--bind %q: %w", f.bind, err))
	}
	ah, ap, err := splitAddr(f.advertise)
	if err != nil {
		return withCode(ExitInvalid, fmt.Errorf("--advertise %q: %w", f.advertise, err))
	}
	if err := cluster.CheckBind(bh, ah, f.keyFile != ""); err != nil {
		return withCode(ExitInvalid, err)
	}
	var key []byte
	if f.keyFile != "" {
		if key, err = cluster.LoadKeyFile(f.keyFile); err != nil {
			return withCode(ExitInvalid, err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return withCode(ExitHarness, fmt.Errorf("find the faultline binary for local agents: %w", err))
	}
	dir := f.out
	if dir == "" {
		dir = filepath.Join("runs", sc.Name+"-"+time.Now().Format("20060102-150405"))
	}
	stderr := cmd.ErrOrStderr()
	var diag io.Writer
	if f.verbose {
		diag = stderr
	}
	s := &coordinator.Session{
		Scenario: sc, Dir: dir, Version: Version(), Exe: exe, Key: key,
		Bind: bh, BindPort: bp, Advertise: ah, AdvertisePort: ap,
		Lease: f.lease, WaitAgents: f.waitAgents,
		Steady: coordinator.ProbeSteady(sc), Log: diag,
		Judge: judgeFor(sc), NewWatcher: watcherFor(sc),
	}
	if !f.quiet {
		s.Progress = newProgress(stderr, sc.Name).print
	}
	stopMetrics, err := serveLiveMetrics(cmd, f.metricsAddr, s)
	if err != nil {
		return err
	}
	defer stopMetrics()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if sc.Target.Kind == "reference" || len(sc.Variants) > 0 {
		// run_passes.go: a target faultline starts, or one pass per variant.
		passes, cross := runPasses(ctx, cmd, *s, diag)
		return passesExit(cmd, sc, passes, cross)
	}
	rep, err := s.Run(ctx)
	if !f.quiet {
		fmt.Fprintln(stderr)
	}
	if rep != nil && rep.Result != nil {
		if werr := reports.WriteText(cmd.OutOrStdout(), rep.Result); werr != nil && err == nil {
			err = werr
		}
		fmt.Fprintf(cmd.OutOrStdout(), "\nrun directory: %s\n", rep.Dir)
		if g := gapLine(rep.Outcome); g != "" {
			fmt.Fprintln(cmd.OutOrStdout(), g)
		}
	}
	switch {
	case err != nil:
		return withCode(ExitHarness, err)
	case rep.Status == coordinator.Passed:
		return nil
	case rep.Status == coordinator.Aborted:
		return withCode(ExitAborted, errors.New(rep.Reason))
	default: // Failed, SteadyFailed
		return withCode(ExitFailed, errors.New(rep.Reason))
	}
}

// gapLine states how long lost agents' shares went unserved.
func gapLine(o *coordinator.Outcome) string {
	if o == nil || len(o.Gaps) == 0 {
		return ""
	}
	var parts []string
	for _, g := range o.Gaps {
		parts = append(parts, fmt.Sprintf("%s %s", g.Agent, g.Gap.Round(10*time.Millisecond)))
	}
	return "agents lost; share unserved until detection: " + strings.Join(parts, ", ")
}

// progress prints the live view: on a terminal one line rewritten every
// second, elsewhere (CI logs) a plain line every 5 s.
type progress struct {
	w     io.Writer
	name  string
	tty   bool
	last  time.Time
	every time.Duration
}

func newProgress(w io.Writer, name string) *progress {
	p := &progress{w: w, name: name, every: 5 * time.Second}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty, p.every = true, 0
	}
	return p
}

func (p *progress) print(s coordinator.Snapshot) {
	now := time.Now()
	if now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	var ag []string
	for _, a := range s.Agents {
		ag = append(ag, fmt.Sprintf("%s:%s/%.0f%%", a.ID, a.State, a.Share*100))
	}
	line := fmt.Sprintf("%s %s %s  rate %.0f/s (asked %.0f)  errors %d  p99 %s  agents %s",
		p.name, s.Phase, s.Elapsed.Round(time.Second), s.Rate, s.Intended, s.Errors, s.P99.Round(100*time.Microsecond), strings.Join(ag, " "))
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		return
	}
	fmt.Fprintln(p.w, line)
}
