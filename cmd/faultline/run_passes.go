package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/faultline/faultline/agents/coordinator"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
)

// judgeFor is the session's judge: reports.Judge over the scenario's plan,
// minus the expectations that compare variants (judged once every pass has
// run, by JudgeVariants).
func judgeFor(sc *scenarios.Scenario) coordinator.Judge {
	plan := scenarios.NewPlan(sc)
	cross := crossSources(sc)
	return func(kind string, res *reports.Result) []reports.Verdict {
		var out []reports.Verdict
		for _, v := range reports.Judge(sc, plan, res, kind) {
			if !cross[v.Claim+"\x00"+v.Expectation] {
				out = append(out, v)
			}
		}
		return out
	}
}

// crossSources lists the expectations (claim, source) that compare variants.
func crossSources(sc *scenarios.Scenario) map[string]bool {
	out := map[string]bool{}
	add := func(claim string, list []scenarios.Expectation) {
		for _, e := range list {
			if reports.ComparesVariants(e.Expr) {
				out[claim+"\x00"+e.Source] = true
			}
		}
	}
	add("", sc.Expect)
	for _, c := range sc.Claims {
		add(c.ID, c.Rules)
	}
	return out
}

// watcherFor builds the live abort_when watcher over the schedule start.
func watcherFor(sc *scenarios.Scenario) func(*scenarios.Plan, time.Time) coordinator.Watcher {
	if len(sc.AbortWhen) == 0 {
		return nil
	}
	return func(p *scenarios.Plan, origin time.Time) coordinator.Watcher {
		return reports.NewStreamAbortWatcher(sc, p, origin)
	}
}

// pass is one execution of the scenario: the whole of it, or one variant.
type pass struct {
	variant scenarios.Variant
	dir     string
	rep     *coordinator.Report
	err     error
}

// runPasses runs the scenario once, or once per variant against a fresh
// target each time, and judges the cross-variant expectations at the end.
// It returns the passes and the verdicts across variants.
func runPasses(ctx context.Context, cmd *cobra.Command, base coordinator.Session, diag io.Writer) ([]*pass, []reports.Verdict) {
	sc := base.Scenario
	var passes []*pass
	if len(sc.Variants) == 0 {
		passes = append(passes, &pass{dir: base.Dir})
	}
	for _, v := range sc.Variants {
		passes = append(passes, &pass{variant: v, dir: filepath.Join(base.Dir, v.Name)})
	}
	stderr := cmd.ErrOrStderr()
	results := map[string]*reports.Result{}
	for _, p := range passes {
		if ctx.Err() != nil {
			p.err = fmt.Errorf("%w: interrupted before variant %s", coordinator.ErrHarness, p.variant.Name)
			continue
		}
		if p.variant.Name != "" {
			fmt.Fprintf(stderr, "== variant %s\n", p.variant.Name)
		}
		p.rep, p.err = runPass(ctx, base, p, diag)
		if p.rep != nil && p.rep.Result != nil {
			results[p.variant.Name] = p.rep.Result
		}
	}
	if len(sc.Variants) == 0 {
		return passes, nil
	}
	plan := scenarios.NewPlan(sc)
	var cross []reports.Verdict
	for _, kind := range []string{scenarios.SectionExpect, scenarios.SectionClaim} {
		cross = append(cross, reports.JudgeVariants(sc, plan, results, kind)...)
	}
	return passes, cross
}

// runPass starts the pass's target (when faultline owns it), runs one
// session against it, and stops the target whatever happens.
func runPass(ctx context.Context, base coordinator.Session, p *pass, diag io.Writer) (*coordinator.Report, error) {
	s := base
	sc := *base.Scenario
	s.Dir, s.Variant = p.dir, p.variant.Name
	if sc.Target.Kind == "reference" {
		ref, err := startReference(ctx, &sc, p.variant, diag)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", coordinator.ErrHarness, err)
		}
		defer ref.Stop()
		sc.Target.BaseURL = ref.topo.BaseURL()
		insts, _ := ref.topo.Instances(ctx)
		s.Target = ref.topo
		s.Graph = depGraph(ref.topo.Graph(), ref.topo.Endpoints(), sc.Load.Mix, insts)
		s.ProbeReaders = probeReaders(sc.Probes, ref.topo.Endpoints(), insts)
		h := newHarvester(ref.topo, sc.Load.Mix, ref.events)
		s.Traced = func(ctx context.Context) *reports.DepGraph { return h.traced(ctx, diag) }
		s.TargetEvents, s.Harvest = h.targetEvents, h.harvest
	}
	s.Scenario = &sc
	s.Steady = coordinator.ProbeSteady(&sc)
	s.Judge = judgeFor(&sc)
	s.NewWatcher = watcherFor(&sc)
	return s.Run(ctx)
}

// passesExit prints each pass's report and the cross-variant verdicts and
// returns the worst exit.
func passesExit(cmd *cobra.Command, sc *scenarios.Scenario, passes []*pass, cross []reports.Verdict) error {
	out := cmd.OutOrStdout()
	worst := ExitOK
	var why []string
	note := func(code int, msg string) {
		why = append(why, msg)
		worst = max(worst, code)
	}
	for _, p := range passes {
		name := p.variant.Name
		if name == "" {
			name = "run"
		}
		if p.rep != nil && p.rep.Result != nil {
			if len(passes) > 1 {
				fmt.Fprintf(out, "\n== variant %s\n", name)
			}
			_ = reports.WriteText(out, p.rep.Result)
			fmt.Fprintf(out, "\nrun directory: %s\n", p.rep.Dir)
			if g := gapLine(p.rep.Outcome); g != "" {
				fmt.Fprintln(out, g)
			}
		}
		switch {
		case p.err != nil:
			note(ExitHarness, name+": "+p.err.Error())
		case p.rep.Status == coordinator.Aborted:
			note(ExitAborted, name+": "+p.rep.Reason)
		case p.rep.Status != coordinator.Passed:
			note(ExitFailed, name+": "+p.rep.Reason)
		}
	}
	all := append([]reports.Verdict(nil), cross...)
	for _, p := range passes {
		if p.rep != nil && p.rep.Result != nil {
			all = append(all, p.rep.Result.Verdicts...)
		}
	}
	if sc != nil {
		writeScorecard(out, scorecard(sc, all))
	}
	if len(cross) > 0 {
		fmt.Fprintf(out, "\n== across variants\n")
		for _, v := range cross {
			fmt.Fprintf(out, "%-5s %s%s  observed %s, bound %s  %s\n", v.Status, claimPrefix(v.Claim), v.Expectation, num(v.Observed), num(v.Bound), v.Detail)
			if !v.Pass {
				note(ExitFailed, "across variants: "+v.Expectation)
			}
		}
	}
	if worst == ExitOK {
		return nil
	}
	return withCode(worst, errors.New(joinReasons(why)))
}

func claimPrefix(c string) string {
	if c == "" {
		return ""
	}
	return "[" + c + "] "
}

func num(f float64) string {
	if f == reports.Never {
		return "never"
	}
	return fmt.Sprintf("%.4g", f)
}

func joinReasons(r []string) string {
	s := ""
	for i, x := range r {
		if i > 0 {
			s += "; "
		}
		s += x
	}
	return s
}
