package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/faultline/faultline/agents"
	"github.com/faultline/faultline/agents/coordinator"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets/reference"
)

// e2eScenario: two agents, browse and order load, 300 ms on every link
// into inventory for 4 s, then one catalog instance killed.
const e2eScenario = `version: 1
name: e2e-faults
seed: 3
target: {kind: reference}
agents: {count: 2}
load:
  rate: 60/s
  warmup: 2s
  duration: 16s
  mix:
    - {name: browse, weight: 3, method: GET, path: '/catalog/items/item-{{rand 0 99}}', timeout: 2s}
    - {name: order, weight: 1, method: POST, path: /orders, body: '{"item": "item-{{rand 0 99}}", "qty": 1}', timeout: 3s}
steady_state:
  - availability(*) >= 99%
timeline:
  - {name: slow-inventory, at: 2s, duration: 4s, kind: latency, target: {service: inventory}, params: {latency: 300ms}}
  - {name: kill-catalog, at: 9s, duration: 4s, kind: kill, target: {service: catalog, pick: count(1)}}
expect:
  - p99(order) >= 300ms during fault(slow-inventory)
  - availability(browse) >= 90% during fault(kill-catalog)
`

// TestRunFaultsE2E runs a short reference scenario through real agents:
// the faults are applied and reverted by an agent, measured, and gone
// from every link's admin API afterwards.
func TestRunFaultsE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e: builds faultline, starts the reference topology and agents")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "faultline")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	sc, err := scenarios.Decode("e2e.yaml", []byte(e2eScenario))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	defer cancel()
	topo, err := reference.Start(ctx, reference.Config{Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	defer topo.Stop(context.Background())
	sc.Target.BaseURL = topo.BaseURL()
	insts, _ := topo.Instances(ctx)
	ref := &refTarget{topo: topo}
	s := &coordinator.Session{Scenario: sc, Dir: filepath.Join(dir, "run"), Version: "e2e", Exe: bin,
		Target: topo, Graph: depGraph(topo.Graph(), topo.Endpoints(), sc.Load.Mix, insts), TargetEvents: ref.events,
		Steady: coordinator.ProbeSteady(sc), Judge: judgeFor(sc), NewWatcher: watcherFor(sc)}
	if testing.Verbose() {
		s.Log = os.Stderr
	}
	rep, err := s.Run(ctx)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	res := rep.Result

	// Every fault was applied and reverted, by an agent, with its executor.
	spans := res.FaultSpans()
	byFault := map[string]int{}
	for _, sp := range spans {
		byFault[sp.Fault]++
		if sp.Agent == "" || sp.Executor == "" || !sp.WasReverted {
			t.Errorf("span %+v: want agent, executor and a revert", sp)
		}
	}
	if byFault["slow-inventory"] != 2 || byFault["kill-catalog"] != 1 {
		t.Fatalf("fault spans per fault %v, want slow-inventory on both inventory instances and one kill", byFault)
	}
	// The latency fault landed when planned: applied within 1 s of 4 s
	// (2 s warmup + 2 s), held about 4 s.
	for _, sp := range spans {
		if sp.Fault == "slow-inventory" {
			if sp.Applied < 4*time.Second || sp.Applied > 5*time.Second || sp.Reverted-sp.Applied < 3*time.Second {
				t.Errorf("slow-inventory applied at %s, reverted at %s; want ~4s..8s", sp.Applied, sp.Reverted)
			}
		}
	}
	replaced := false
	for _, e := range res.Events {
		replaced = replaced || e.Kind == reports.EvInstanceReplaced
	}
	if !replaced {
		t.Error("no instance_replaced event after the kill")
	}
	// Availability around the kill is measured (a verdict with a value),
	// and the latency fault shows in order's p99.
	for _, v := range res.Verdicts {
		if v.Kind == scenarios.SectionExpect && v.Status == reports.StatusError {
			t.Errorf("verdict %s not measured: %s", v.Expectation, v.Detail)
		}
		if v.Expectation == "p99(order) >= 300ms during fault(slow-inventory)" && !v.Pass {
			t.Errorf("latency fault not seen: order p99 %.3fs during the fault", v.Observed)
		}
	}
	// Nothing is left on any link.
	links, err := topo.Links(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	ac := agents.NewAdminClient()
	for _, l := range links {
		ts, err := ac.Toxics(ctx, l.Admin, l.Name)
		if err != nil {
			t.Fatalf("toxics of %s: %v", l.Name, err)
		}
		if len(ts) != 0 {
			t.Errorf("link %s still has toxics after the run: %+v", l.Name, ts)
		}
	}
}
