package coordinator

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
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
// through it are fast again, and no load reaches the target.
func TestCoordinatorKilledFaultReverted(t *testing.T) {
	needBinary(t)
	if rerunWithoutRace(t, "TestCoordinatorKilledFaultReverted") {
		return
	}
	kf := keyFile(t)
	tg := newTarget(t)
	upstream := strings.TrimPrefix(tg.URL, "http://")
	px := startProxyProc(t, upstream)
	procs := threeAgents(t, "okc", kf)
	scn := writeScenario(t, "orphan-latency", "http://"+px.listen, procs[0].addr, 30, time.Minute, slowEdge(55*time.Second))
	co := startCoordProc(t, coordSpec{Scenario: scn, KeyFile: kf, Lease: orphanLease, Out: filepath.Join(t.TempDir(), "run"), Inventory: px.inventory(upstream)})

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
	gone, left := px.waitToxics(t, orphanLease+10*time.Second, func(n []string) bool { return len(n) == 0 })
	if gone.IsZero() {
		t.Fatalf("toxics %v still on link edge %s after the coordinator was SIGKILLed", left, time.Since(killed).Round(time.Millisecond))
	}
	t.Logf("coordinator SIGKILLed; the toxic vanished %s later (lease %s)", gone.Sub(killed).Round(time.Millisecond), orphanLease)
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
		if !p.alive() {
			t.Errorf("agent %s exited with its coordinator", p.id)
		}
	}
}

// An agent holding a latency fault is SIGKILLed mid-fault.
//
// Decision: the scenario asked for the fault for its whole window, so the
// experiment goes on: the coordinator sees the renewal fail, records the
// fault reverted by the lost executor, and applies it again on a live
// agent under a new id. The dead agent's own toxic is nobody's to renew,
// so the proxy drops it when its lease runs out, within lease + 1 s of
// the kill. The two never stack: a second 1 s toxic beside the first
// would double the latency the scenario asked for. At the end of the
// window the new holder reverts it, and the link is clean.
func TestAgentKilledHoldingFault(t *testing.T) {
	needBinary(t)
	if rerunWithoutRace(t, "TestAgentKilledHoldingFault") {
		return
	}
	kf := keyFile(t)
	tg := newTarget(t)
	upstream := strings.TrimPrefix(tg.URL, "http://")
	px := startProxyProc(t, upstream)
	procs := threeAgents(t, "oak", kf)
	const window = 20 * time.Second
	scn := writeScenario(t, "orphan-agent", "http://"+px.listen, procs[0].addr, 30, 25*time.Second, slowEdge(window))
	spec := coordSpec{Scenario: scn, KeyFile: kf, Lease: orphanLease, Out: filepath.Join(t.TempDir(), "run"), Inventory: px.inventory(upstream)}
	s, err := spec.session()
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		rep *Report
		err error
	}
	res := make(chan result, 1)
	go func() { r, err := s.Run(t.Context()); res <- result{r, err} }()

	first := "fl-slow-web-1-"
	if at, names := px.waitToxics(t, time.Minute, func(n []string) bool { return hasName(n, first) }); at.IsZero() {
		t.Fatalf("attempt 1's toxic never appeared (toxics %v)", names)
	}
	time.Sleep(2 * time.Second)
	// The timeline places a fault on the first live agent by sorted id.
	holder := procs[0]
	if err := syscall.Kill(-holder.cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()

	// Watch the link until the window is over: when the dead agent's
	// toxic goes, when the replacement comes, and whether both were there.
	var oldGone, newCame time.Time
	stacked := 0
	for time.Since(killed) < window {
		names := px.toxics(t)
		now := time.Now()
		if oldGone.IsZero() && !hasName(names, first) {
			oldGone = now
		}
		if newCame.IsZero() && hasName(names, "fl-slow-web-2-") {
			newCame = now
		}
		if len(names) > 1 {
			stacked++
			t.Logf("%s after the kill: toxics %v", now.Sub(killed).Round(time.Millisecond), names)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := <-res
	if r.err != nil {
		t.Fatal(r.err)
	}
	t.Logf("holder %s SIGKILLed; its toxic went %s later; the replacement came %s after the kill; %d polls saw toxics stacked",
		holder.id, oldGone.Sub(killed).Round(time.Millisecond), newCame.Sub(killed).Round(time.Millisecond), stacked)
	for _, e := range r.rep.Result.Events {
		if e.Fault != "" {
			t.Logf("event %s %s %s %s", e.Time.Format("15:04:05.000"), e.Kind, e.Agent, e.Detail)
		}
	}
	switch {
	case oldGone.IsZero():
		t.Errorf("the dead agent's toxic was still there %s after the kill", window)
	case oldGone.Sub(killed) > orphanLease+time.Second:
		t.Errorf("the dead agent's toxic stayed %s after the kill; must go within lease + 1 s", oldGone.Sub(killed).Round(time.Millisecond))
	}
	// Detection: a failed renewal (every lease/3) or a 5 s ack timeout.
	if newCame.IsZero() || newCame.Sub(killed) > orphanLease/3+5*time.Second+2*time.Second {
		t.Errorf("the fault was not re-applied on a live agent in time (at %v after the kill)", newCame.Sub(killed))
	}
	if stacked > 0 {
		t.Errorf("the dead agent's toxic and its replacement were on the link together in %d polls: the latency doubled", stacked)
	}
	if names := px.toxics(t); len(names) != 0 {
		t.Errorf("toxics %v left after the run", names)
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
		name := map[bool]string{false: "coordinator", true: "coordinator and every agent"}[killAgents]
		t.Run(name, func(t *testing.T) { pauseOrphan(t, killAgents) })
	}
}

func pauseOrphan(t *testing.T, killAgents bool) {
	kf := keyFile(t)
	tg := newTarget(t)
	victim := exec.Command("sleep", "120")
	victim.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // faults signal its group
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = victim.Process.Kill(); _ = victim.Wait() })
	pid := victim.Process.Pid
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
		for _, p := range procs {
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		}
	}
	resumed := waitState(pid, orphanLease+10*time.Second, func(s byte) bool { return s != 'T' })
	if resumed.IsZero() {
		t.Fatalf("pid %d still stopped %s after the kill", pid, time.Since(killed).Round(time.Millisecond))
	}
	t.Logf("killed %s; pid %d resumed %s later (lease %s)", map[bool]string{false: "the coordinator", true: "the coordinator and every agent"}[killAgents],
		pid, resumed.Sub(killed).Round(time.Millisecond), orphanLease)
	if resumed.Sub(killed) > orphanLease+time.Second {
		t.Errorf("the pause outlived the coordinator by %s; must end within lease + 1 s", resumed.Sub(killed).Round(time.Millisecond))
	}
}

// waitState polls pid's state every 10 ms until ok, for at most d; it
// returns when ok first held, or zero.
func waitState(pid int, d time.Duration, ok func(byte) bool) time.Time {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if s, err := process.State(pid); err == nil && ok(s) {
			return time.Now()
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Time{}
}
