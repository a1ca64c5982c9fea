package coordinator

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/faults/process"
	"github.com/faultline/faultline/targets"
)

// orphanLease is the lease of the orphan tests (`--lease 5s`, the default).
const orphanLease = 5 * time.Second

// slowEdge is a timeline item: 1 s of latency on web-1 (link edge) for
// most of the run.
func slowEdge(d time.Duration) string {
	return fmt.Sprintf(`  - {name: slow-web, at: 1s, duration: %s, kind: latency, target: {instance: web-1}, params: {latency: 1s}}
`, d)
}

// Issue #4: the coordinator is SIGKILLed while a latency fault it leased
// is in place on a real `faultline proxy`, under load from three agent
// processes. Within lease + 1 s the proxy has no toxic left, requests
// through it are fast again, and no load reaches the target. With every
// agent SIGKILLed too, the proxy's own lease on the toxic does it alone.
func TestCoordinatorKilledFaultReverted(t *testing.T) {
	needBinary(t)
	if rerunWithoutRace(t, "TestCoordinatorKilledFaultReverted") {
		return
	}
	for _, killAgents := range []bool{false, true} {
		t.Run(killedWhat(killAgents), func(t *testing.T) { latencyOrphan(t, killAgents) })
	}
}

func latencyOrphan(t *testing.T, killAgents bool) {
	r := newProxyRig(t, "okc")
	tg, px, procs := r.tg, r.px, r.procs
	scn := writeScenario(t, "orphan-latency", "http://"+px.listen, procs[0].addr, 30, time.Minute, slowEdge(55*time.Second))
	co := startCoordProc(t, r.spec(t, scn))

	// The fault is in place: on the admin API, and in what a request takes.
	if at, names := px.waitToxics(t, time.Minute, func(n []string) bool { return len(n) > 0 }); at.IsZero() {
		t.Fatalf("no toxic on link edge within a minute (toxics %v)", names)
	}
	if d := px.get(t); d < 900*time.Millisecond {
		t.Fatalf("a request through the faulted link took %s, want >= 1 s of injected latency", d)
	} else {
		t.Logf("faulted: a request through the link took %s", d.Round(time.Millisecond))
	}
	if tg.n.Load() == 0 {
		t.Fatal("no load reached the target")
	}

	killed := co.kill(t)
	if killAgents {
		killAll(procs)
	}
	gone, left := px.waitToxics(t, orphanLease+10*time.Second, func(n []string) bool { return len(n) == 0 })
	if gone.IsZero() {
		t.Fatalf("toxics %v still on link edge %s after the kill", left, time.Since(killed).Round(time.Millisecond))
	}
	t.Logf("killed %s at %s; the toxic vanished at %s, %s later (lease %s)", killedWhat(killAgents),
		killed.Format("15:04:05.000"), gone.Format("15:04:05.000"), gone.Sub(killed).Round(time.Millisecond), orphanLease)
	if gone.Sub(killed) > orphanLease+time.Second {
		t.Errorf("the toxic stayed %s after the coordinator died; must go within lease + 1 s = %s", gone.Sub(killed).Round(time.Millisecond), orphanLease+time.Second)
	}

	// No load after lease + 1 s: read the target's last request before
	// our own requests below reach it.
	time.Sleep(time.Until(killed.Add(orphanLease + 2*time.Second)))
	last := time.Unix(0, tg.last.Load())
	t.Logf("last load request reached the target %s after the kill", last.Sub(killed).Round(time.Millisecond))
	if last.Sub(killed) > orphanLease+time.Second {
		t.Errorf("load went on %s after the coordinator died; must stop within lease + 1 s", last.Sub(killed).Round(time.Millisecond))
	}
	var worst time.Duration
	for range 5 {
		worst = max(worst, px.get(t))
	}
	t.Logf("after: the slowest of 5 requests through the link took %s", worst.Round(time.Millisecond))
	if worst > 500*time.Millisecond {
		t.Errorf("requests through the link still slow after the revert: %s (the fault added 1 s)", worst)
	}
	for _, p := range procs {
		if !killAgents && !p.alive() {
			t.Errorf("agent %s exited with its coordinator", p.id)
		}
	}
}

func killedWhat(agents bool) string {
	if agents {
		return "the coordinator and every agent"
	}
	return "the coordinator"
}

// killAll SIGKILLs every agent process.
func killAll(procs []*agentProc) {
	for _, p := range procs {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// Issue #4 for process faults: a pause (SIGSTOP) is in place when the
// coordinator is SIGKILLed. The agent that holds it resumes it when it
// stops hearing the coordinator; when that agent is SIGKILLed too, the
// detached `faultline guard` it started resumes it once the pause's lease
// runs out. Either way the process runs again within lease + 1 s.
func TestCoordinatorKilledPauseResumed(t *testing.T) {
	needBinary(t)
	if rerunWithoutRace(t, "TestCoordinatorKilledPauseResumed") {
		return
	}
	for _, killAgents := range []bool{false, true} {
		t.Run(killedWhat(killAgents), func(t *testing.T) { pauseOrphan(t, killAgents) })
	}
}

func pauseOrphan(t *testing.T, killAgents bool) {
	kf := keyFile(t)
	tg := newTarget(t)
	pid := startVictim(t)
	procs := threeAgents(t, "opz", kf)
	inv := fixedInventory{Insts: []targets.Instance{{Role: "sleeper", ID: "sleeper-1", PID: pid, State: targets.StateRunning}}}
	fault := "  - {name: freeze, at: 1s, duration: 50s, kind: pause, target: {instance: sleeper-1}}\n"
	scn := writeScenario(t, "orphan-pause", tg.URL, procs[0].addr, 30, time.Minute, fault)
	co := startCoordProc(t, coordSpec{Scenario: scn, KeyFile: kf, Lease: orphanLease, Out: filepath.Join(t.TempDir(), "run"), Inventory: inv})

	if waitState(pid, time.Minute, func(s byte) bool { return s == 'T' }).IsZero() {
		t.Fatalf("pid %d was never paused", pid)
	}
	time.Sleep(2 * time.Second) // some renewals
	killed := co.kill(t)
	if killAgents {
		killAll(procs)
	}
	resumed := waitState(pid, orphanLease+10*time.Second, func(s byte) bool { return s != 'T' })
	if resumed.IsZero() {
		t.Fatalf("pid %d still stopped %s after the kill", pid, time.Since(killed).Round(time.Millisecond))
	}
	t.Logf("killed %s; pid %d resumed %s later (lease %s)", killedWhat(killAgents), pid, resumed.Sub(killed).Round(time.Millisecond), orphanLease)
	if resumed.Sub(killed) > orphanLease+time.Second {
		t.Errorf("the pause outlived the coordinator by %s; must end within lease + 1 s", resumed.Sub(killed).Round(time.Millisecond))
	}
}

// waitState polls pid's state every 10 ms until ok, for at most d; it
// returns when ok first held, or zero.
func waitState(pid int, d time.Duration, ok func(byte) bool) time.Time {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if s, err := processState(pid); err == nil && ok(s) {
			return time.Now()
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Time{}
}

// processState is the state letter of pid (T: stopped).
var processState = process.State
