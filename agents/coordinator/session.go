package coordinator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/faultline/faultline/agents/cluster"
	"github.com/faultline/faultline/agents/probes"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

// Status is how a session ended, before it becomes an exit code.
type Status int

// Statuses, in the order of DESIGN §7's exit codes.
const (
	Passed       Status = iota // every expectation held
	Failed                     // an expectation (or the steady state before load) failed
	Aborted                    // an abort_when condition fired, or Ctrl-C
	SteadyFailed               // the steady-state check failed; load never started
)

// Judge evaluates one kind of expectation (steady_state, expect, ...) over
// a result. reports' judge sits behind it.
type Judge func(kind string, res *reports.Result) []reports.Verdict

// SteadyCheck probes the target before load and returns the windows it
// measured; the session judges steady_state on them.
type SteadyCheck func(ctx context.Context, runID string) ([]reports.Window, error)

// Session is one `faultline run`: agents, load, result and verdicts.
type Session struct {
	Scenario *scenarios.Scenario
	// Dir is the run directory (created; must not hold a result yet).
	Dir string
	// Version is faultline's, recorded in the header.
	Version string
	// Exe is the faultline binary local agents are started from.
	Exe string
	// Key is the gossip key; nil generates one (local agents only).
	Key []byte
	// Bind and Advertise place the coordinator's node ("" = loopback).
	Bind          string
	BindPort      int
	Advertise     string
	AdvertisePort int
	Lease         time.Duration
	WaitAgents    time.Duration
	Judge         Judge
	Steady        SteadyCheck
	// NewWatcher builds the abort watcher for the run, whose window
	// offsets count from origin (the schedule start); nil never aborts.
	NewWatcher func(plan *scenarios.Plan, origin time.Time) Watcher
	// Variant names the variant this pass runs (header.variant).
	Variant string
	// Target is the live target when faultline started it (the reference
	// topology): the timeline resolves selectors over it. nil for an
	// external target, which then cannot take faults.
	Target Inventory
	// Graph is the target's dependency graph for the header (blast radius).
	Graph *reports.DepGraph
	// ProbeReaders, keyed by probe name, are the read instances a probe
	// polls directly (each query instance, say), so per-instance lag
	// shows and probe reads never go through the edge's throttle. A probe
	// without an entry reads through the edge.
	ProbeReaders map[string][]probes.Reader
	// Traced, when set, returns the dependencies the target's tracing saw;
	// it is read once the load has stopped and written as a traced event
	// (blast radius is then traced, not only declared).
	Traced func(ctx context.Context) *reports.DepGraph
	// Harvest, when set, returns the target's own measurements as events,
	// read with Traced once the load has stopped (target metrics).
	Harvest func(ctx context.Context) []reports.Event
	// TargetEvents, when set, is polled for the target's lifecycle events
	// (kills, replacements) since a time, which go into the result.
	TargetEvents func(since time.Time) []reports.Event
	Progress     func(Snapshot)
	// Tap, when set, sees every agent record, window and event the run
	// writes, as it writes them (live metrics sit behind it).
	Tap Sink
	// Log receives diagnostics (agents' too); nil discards.
	Log io.Writer
}

// Report is what a session hands back.
type Report struct {
	Dir     string
	RunID   string
	Status  Status
	Reason  string
	Outcome *Outcome
	Result  *reports.Result
}

// ErrHarness marks failures of faultline itself (exit 4).
var ErrHarness = errors.New("harness failure")

// Run executes the session. Errors wrap ErrHarness or ErrNotEnoughAgents;
// everything about the target's behaviour is in the Report instead.
func (s *Session) Run(ctx context.Context) (*Report, error) {
	sc := s.Scenario
	allow, err := targets.NewAllowlist(append([]string{sc.Target.BaseURL}, sc.Target.Allow...)...)
	if err == nil {
		err = allow.CheckURL(sc.Target.BaseURL)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: target: %v", ErrHarness, err)
	}
	runID := uuid.NewString()
	w, err := reports.NewWriter(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrHarness, err)
	}
	plan := scenarios.NewPlan(sc)
	rep := &Report{Dir: s.Dir, RunID: runID}
	// Closed by finish on every path that gets that far; this one covers
	// harness failures before it.
	end := reports.End{ExitCode: 4, Reason: "harness failure"}
	defer func() {
		if end.Ended.IsZero() {
			end.Ended = time.Now()
		}
		_ = w.Close(end)
	}()
	// The header is written once the schedule start is known (every
	// offset of the plan and the judge counts from Header.Started); what
	// happens before it (the steady-state check) is written after it.
	hdr := reports.Header{Schema: reports.Schema, RunID: runID, Scenario: sc.Name, Variant: s.Variant, Version: s.Version, Seed: sc.Seed, Spec: sc, Plan: plan, Target: sc.Target.BaseURL, Graph: s.Graph}
	var early []func() error
	headerOut := false
	writeHeader := func(started time.Time) error {
		if headerOut {
			return nil
		}
		headerOut = true
		hdr.Started = started
		if err := w.Header(hdr); err != nil {
			return fmt.Errorf("%w: %v", ErrHarness, err)
		}
		for _, f := range early {
			if err := f(); err != nil {
				return fmt.Errorf("%w: %v", ErrHarness, err)
			}
		}
		return nil
	}
	defer func() { _ = writeHeader(time.Now()) }() // before the Close above runs
	finish := func(st Status, reason string, code int) (*Report, error) {
		if err := writeHeader(time.Now()); err != nil {
			return nil, err
		}
		rep.Status, rep.Reason = st, reason
		end = reports.End{Ended: time.Now(), ExitCode: code, Reason: reason}
		if err := w.Close(end); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrHarness, err)
		}
		res, err := reports.Load(filepath.Join(s.Dir, reports.JSONLName))
		if err != nil {
			return nil, fmt.Errorf("%w: read back the result: %v", ErrHarness, err)
		}
		rep.Result = res
		return rep, nil
	}

	if ok, why, err := s.steady(ctx, runID, &early, w); err != nil {
		return nil, err
	} else if !ok {
		return finish(SteadyFailed, why, 1)
	}
	node, local, err := s.cluster(ctx, runID)
	if err != nil {
		note := reports.Event{Time: time.Now(), Kind: reports.EvNote, Detail: err.Error()}
		early = append(early, func() error { return w.Event(note) })
		_, _ = finish(Aborted, err.Error(), 4)
		return nil, err
	}
	defer func() {
		_ = node.Leave(500 * time.Millisecond)
		_ = node.Shutdown()
		if local != nil {
			local.Stop(5 * time.Second)
		}
	}()
	sink := tee(w, s.Tap)
	co, err := New(Config{Node: node, RunID: runID, Scenario: sc, MinAgents: s.minAgents(), WaitAgents: s.WaitAgents, Lease: s.Lease, Sink: sink, Progress: s.Progress, Log: s.Log})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrHarness, err)
	}
	tl, err := NewTimeline(TimelineConfig{Node: node, RunID: runID, Scenario: sc, Plan: plan, Inventory: s.Target, Lease: s.Lease, Sink: sink, Log: s.Log})
	if err != nil {
		_, _ = finish(Aborted, err.Error(), 4)
		return nil, fmt.Errorf("%w: %v", ErrHarness, err)
	}
	co.SetTimeline(tl)
	err = co.WaitAgents(ctx)
	if err == nil {
		start := time.Now().Add(co.cfg.LeadTime)
		co.StartAt(start)
		if s.NewWatcher != nil {
			co.cfg.Watcher = s.NewWatcher(plan, start)
		}
		if err := writeHeader(start); err != nil {
			return nil, err
		}
		stopEvents := s.streamTargetEvents(w)
		waitProbes := s.startProbes(ctx, runID, w, start, start.Add(sc.Load.Warmup+sc.Load.Duration))
		var out *Outcome
		out, err = co.Run(ctx)
		waitProbes() // samples resolve within their grace
		stopEvents() // the last kills and replacements, before the result closes
		s.writeTraced(ctx, w)
		return s.afterRun(ctx, w, rep, out, err, finish)
	}
	return s.afterRun(ctx, w, rep, nil, err, finish)
}

// afterRun turns the coordinator's outcome into the report.
func (s *Session) afterRun(ctx context.Context, w *reports.Writer, rep *Report, out *Outcome, err error, finish func(Status, string, int) (*Report, error)) (*Report, error) {
	if err != nil && ctx.Err() != nil {
		return finish(Aborted, "interrupted while waiting for agents", 3)
	}
	if err != nil {
		_, _ = finish(Aborted, err.Error(), 4)
		return nil, err
	}
	rep.Outcome = out
	if out.SinkErr != nil {
		return nil, fmt.Errorf("%w: writing the result: %v", ErrHarness, out.SinkErr)
	}
	switch {
	case out.Aborted:
		return finish(Aborted, "aborted: "+out.AbortReason, 3)
	case out.Interrupted:
		return finish(Aborted, "interrupted", 3)
	}
	return s.judgeExpect(w, rep, finish)
}

func (s *Session) minAgents() int {
	a := s.Scenario.Agents
	if len(a.Join) > 0 {
		if a.Min > 0 {
			return a.Min
		}
		return 1
	}
	return a.Local()
}

// judgeExpect reads the result back, judges expect and closes the run.
func (s *Session) judgeExpect(w *reports.Writer, rep *Report, finish func(Status, string, int) (*Report, error)) (*Report, error) {
	if len(s.Scenario.Expect) == 0 && len(s.Scenario.Claims) == 0 {
		return finish(Passed, "", 0)
	}
	if s.Judge == nil {
		// Never a pass nobody judged.
		why := "expectations were not judged: this build has no judge"
		_ = w.Event(reports.Event{Time: time.Now(), Kind: reports.EvNote, Detail: why})
		if _, err := finish(Failed, why, 4); err != nil {
			return nil, err
		}
		return rep, fmt.Errorf("%w: %s", ErrHarness, why)
	}
	// The writer has synced every record it returned from; read them.
	res, err := reports.Load(filepath.Join(s.Dir, reports.JSONLName))
	if err != nil {
		return nil, fmt.Errorf("%w: read back the result: %v", ErrHarness, err)
	}
	failed := 0
	for _, kind := range []string{"expect", "claim"} {
		for _, v := range s.Judge(kind, res) {
			if err := w.Verdict(v); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrHarness, err)
			}
			if !v.Pass {
				failed++
			}
		}
	}
	if failed > 0 {
		return finish(Failed, fmt.Sprintf("%d expectation(s) failed", failed), 1)
	}
	return finish(Passed, "", 0)
}

// steady runs the steady-state check, records its verdicts, and says
// whether load may start.
// Its records wait in early until the header is out.
func (s *Session) steady(ctx context.Context, runID string, early *[]func() error, w *reports.Writer) (bool, string, error) {
	if len(s.Scenario.SteadyState) == 0 {
		return true, "", nil
	}
	if s.Steady == nil || s.Judge == nil {
		return false, "", fmt.Errorf("%w: the scenario has a steady_state hypothesis but this build cannot check it (no judge)", ErrHarness)
	}
	ev := reports.Event{Time: time.Now(), Kind: reports.EvPhase, Detail: "steady-state check"}
	*early = append(*early, func() error { return w.Event(ev) })
	wins, err := s.Steady(ctx, runID)
	if err != nil {
		return false, "", fmt.Errorf("%w: steady-state check: %v", ErrHarness, err)
	}
	res := &reports.Result{Header: reports.Header{Schema: reports.Schema, RunID: runID, Scenario: s.Scenario.Name}, Windows: wins}
	if len(wins) > 0 {
		// The plan gives steady_state the judged span of the run; shift the
		// origin so that the check's windows fall inside it.
		res.Header.Started = wins[0].Start.Add(-steadyFrom(s.Scenario))
	}
	ok, why := true, ""
	for _, v := range s.Judge("steady_state", res) {
		*early = append(*early, func() error { return w.Verdict(v) })
		if !v.Pass && ok {
			ok = false
			why = fmt.Sprintf("steady state does not hold before load: %s (observed %g, bound %g) %s", v.Expectation, v.Observed, v.Bound, v.Detail)
		}
	}
	return ok, why, nil
}

// cluster starts the coordinator's node and either joins the scenario's
// cluster or spawns local agents.
func (s *Session) cluster(ctx context.Context, runID string) (*cluster.Node, *Local, error) {
	key := s.Key
	var keyFile string
	if key == nil {
		if len(s.Scenario.Agents.Join) > 0 {
			return nil, nil, fmt.Errorf("%w: joining a cluster needs its gossip key (--key-file)", ErrHarness)
		}
		k, err := cluster.GenerateKey()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrHarness, err)
		}
		key = k
	}
	cfg := cluster.LocalConfig()
	if len(s.Scenario.Agents.Join) > 0 {
		cfg = cluster.LANConfig()
		cfg.BindPort = 0
	}
	cfg.ID, cfg.Role, cfg.Version, cfg.Key = "coordinator-"+runID[:8], cluster.RoleCoordinator, s.Version, key
	if s.Bind != "" {
		cfg.BindAddr = s.Bind
	} else {
		cfg.BindAddr = "127.0.0.1"
	}
	cfg.BindPort = s.BindPort
	cfg.AdvertiseAddr, cfg.AdvertisePort = s.Advertise, s.AdvertisePort
	cfg.Log = s.Log
	node, err := cluster.New(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrHarness, err)
	}
	if join := s.Scenario.Agents.Join; len(join) > 0 {
		if _, err := node.Join(join); err != nil {
			_ = node.Shutdown()
			return nil, nil, fmt.Errorf("%w: %v", ErrNotEnoughAgents, err)
		}
		return node, nil, nil
	}
	dir, err := os.MkdirTemp("", "faultline-run-")
	if err != nil {
		_ = node.Shutdown()
		return nil, nil, fmt.Errorf("%w: %v", ErrHarness, err)
	}
	// The key file only lives until the agents have read it.
	defer os.RemoveAll(dir)
	keyFile = filepath.Join(dir, "gossip.key")
	if err := cluster.WriteKeyFile(keyFile, key); err != nil {
		_ = node.Shutdown()
		return nil, nil, fmt.Errorf("%w: %v", ErrHarness, err)
	}
	local, err := SpawnLocal(SpawnSpec{Exe: s.Exe, Count: s.Scenario.Agents.Local(), Join: node.Addr(), KeyFile: keyFile, IDPrefix: "local-" + runID[:4] + "-", Stderr: s.Log})
	if err != nil {
		_ = node.Shutdown()
		return nil, nil, fmt.Errorf("%w: %v", ErrHarness, err)
	}
	// Wait until the agents are in before the key file goes away.
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for len(node.Agents()) < s.Scenario.Agents.Local() && wctx.Err() == nil {
		select {
		case <-node.Changed():
		case <-time.After(100 * time.Millisecond):
		case <-wctx.Done():
		}
	}
	return node, local, nil
}

// steadyFrom is where the plan's steady_state span starts.
func steadyFrom(sc *scenarios.Scenario) time.Duration {
	for _, pe := range scenarios.NewPlan(sc).Expectations {
		if pe.Section == scenarios.SectionSteadyState {
			return pe.From
		}
	}
	return 0
}
