package coordinator

import (
	"context"
	"math"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/agents/cluster"
)

// Three agent processes; one is killed with SIGKILL mid-run. The survivors
// take its share once membership declares it dead; the offered total holds
// within 3% of what was asked once the detection gap (reported) is taken
// out; and no window is counted twice.
func TestAgentKilledMidRun(t *testing.T) {
	needBinary(t)
	if rerunWithoutRace(t, "TestAgentKilledMidRun") {
		return
	}
	const rate, dur = 300.0, 16 * time.Second
	kf := keyFile(t)
	tg := newTarget(t)
	co := loopNode(t, "coordinator", cluster.RoleCoordinator)
	co.Meta() // started
	var procs []*agentProc
	for _, id := range []string{"e2e-a", "e2e-b", "e2e-c"} {
		procs = append(procs, startAgentProc(t, id, kf, co.Addr()))
	}
	sink := newMemSink()
	c, err := New(Config{Node: co, RunID: "run-kill", Scenario: scenario(tg.URL, rate, dur), MinAgents: 3, WaitAgents: time.Minute, LeadTime: 2 * time.Second, Sink: sink, Log: testLog()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	type result struct {
		out *Outcome
		err error
	}
	res := make(chan result, 1)
	go func() { o, err := c.Run(ctx); res <- result{o, err} }()

	// Kill the second agent 5 s into the load.
	deadline := time.Now().Add(time.Minute)
	for tg.n.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(5 * time.Second)
	victim := procs[1]
	if err := syscall.Kill(-victim.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	out := r.out

	reported, intended, _ := sink.totals(t) // also fails on a window written twice
	asked := rate * dur.Seconds()
	for _, e := range sink.events {
		t.Logf("event %s %s %s %s", e.Time.Format("15:04:05.000"), e.Kind, e.Agent, e.Detail)
	}
	if len(out.Gaps) != 1 || out.Gaps[0].Agent != victim.id {
		t.Fatalf("gaps %+v, want one for %s", out.Gaps, victim.id)
	}
	gap := out.Gaps[0]
	// While undetected, the victim's third of the rate went unserved.
	unserved := rate / 3 * gap.Gap.Seconds()
	t.Logf("asked %.0f; reported %d (intended %d); server saw %d; victim killed %s after its last window, detected after %s: %.0f requests unserved; %d duplicate windows dropped",
		asked, reported, intended, tg.n.Load(), killed.Sub(gap.LastWindow).Round(time.Millisecond), gap.Gap.Round(time.Millisecond), unserved, out.Duplicates)
	if d := math.Abs(float64(reported) - (asked - unserved)); d > 0.03*asked {
		t.Errorf("reported %d requests; asked %.0f minus %.0f unserved during detection: off by %.0f (> 3%%)", reported, asked, unserved, d)
	}
	// What the server saw beyond the windows is the victim's last,
	// never-reported second.
	if extra := tg.n.Load() - reported; extra < 0 || float64(extra) > rate/3*1.5+5 {
		t.Errorf("server saw %d requests, windows report %d: %d unaccounted", tg.n.Load(), reported, extra)
	}
	if gap.Gap > 15*time.Second {
		t.Errorf("detection took %s", gap.Gap)
	}
	for _, a := range out.Agents {
		last := a.Shares[len(a.Shares)-1].Fraction
		switch {
		case a.ID == victim.id && (a.Lost.IsZero() || last != 0):
			t.Errorf("victim %s: lost %v, last share %v", a.ID, a.Lost, last)
		case a.ID != victim.id && math.Abs(last-0.5) > 1e-9:
			t.Errorf("survivor %s: last share %v, want 0.5", a.ID, last)
		}
	}
	for _, p := range []*agentProc{procs[0], procs[2]} {
		if !p.alive() {
			t.Errorf("survivor %s exited", p.id)
		}
	}
}
