package coordinator

import (
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/targets"
)

// An agent holding a latency fault is SIGKILLed mid-fault.
//
// Decision: the scenario asked for the fault for its whole window, so the
// experiment goes on: the coordinator sees the renewal fail, records the
// fault reverted by the lost executor, and applies it again on a live
// agent under a new id. The dead agent's toxic is nobody's to renew: the
// new holder removes it as it applies its own (and the proxy would drop
// it when its lease ran out), so it is gone within lease + 1 s of the
// kill, and the two never stack: a second 1 s toxic beside the first
// would double the latency the scenario asked for. At the end of the
// window the new holder reverts it, and the link is clean.
func TestAgentKilledHoldingFault(t *testing.T) {
	needBinary(t)
	if rerunWithoutRace(t, "TestAgentKilledHoldingFault") {
		return
	}
	r := newProxyRig(t, "oak")
	px, procs := r.px, r.procs
	const window = 20 * time.Second
	scn := writeScenario(t, "orphan-agent", "http://"+px.listen, procs[0].addr, 30, 25*time.Second, slowEdge(window))
	res := runSession(t, r.spec(t, scn))

	first := "fl-slow-web-1-"
	if at, names := px.waitToxics(t, time.Minute, func(n []string) bool { return hasName(n, first) }); at.IsZero() {
		t.Fatalf("attempt 1's toxic never appeared (toxics %v)", names)
	}
	time.Sleep(2 * time.Second)
	holder, killed := killHolder(t, procs)

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
	rep := <-res
	logFaultEvents(t, rep)
	t.Logf("holder %s SIGKILLed; its toxic went %s later; the replacement came %s after the kill; %d polls saw toxics stacked",
		holder, oldGone.Sub(killed).Round(time.Millisecond), newCame.Sub(killed).Round(time.Millisecond), stacked)
	switch {
	case oldGone.IsZero():
		t.Errorf("the dead agent's toxic was still there %s after the kill", window)
	case oldGone.Sub(killed) > orphanLease+time.Second:
		t.Errorf("the dead agent's toxic stayed %s after the kill; must go within lease + 1 s", oldGone.Sub(killed).Round(time.Millisecond))
	}
	if newCame.IsZero() || newCame.Sub(killed) > maxReapply {
		t.Errorf("the fault was not applied again on a live agent within %s (at %v after the kill)", maxReapply, newCame.Sub(killed))
	}
	if stacked > 0 {
		t.Errorf("the dead agent's toxic and its replacement were on the link together in %d polls: the latency doubled", stacked)
	}
	if names := px.toxics(t); len(names) != 0 {
		t.Errorf("toxics %v left after the run", names)
	}
}

// maxReapply bounds how long a lost executor's fault goes unheld: a
// renewal (every lease/3) fails at once on a dead node, or after the 5 s
// ack timeout, then the apply on a live agent; 2 s of slack for a loaded
// machine.
const maxReapply = orphanLease/3 + 5*time.Second + 2*time.Second

// An agent holding a pause is SIGKILLed mid-fault. As with a network
// fault, the pause moves to a live agent for the rest of its window. The
// dead agent's guard must not end it: when its lease runs out while
// another executor's pause lease on the same process is live, it leaves
// the resume to that one. The process stays stopped until the window
// ends, then runs.
func TestAgentKilledHoldingPause(t *testing.T) {
	needBinary(t)
	if rerunWithoutRace(t, "TestAgentKilledHoldingPause") {
		return
	}
	kf := keyFile(t)
	tg := newTarget(t)
	pid := startVictim(t)
	procs := threeAgents(t, "oap", kf)
	const window = 16 * time.Second
	inv := fixedInventory{Insts: []targets.Instance{{Role: "sleeper", ID: "sleeper-1", PID: pid, State: targets.StateRunning}}}
	fault := "  - {name: freeze, at: 1s, duration: 16s, kind: pause, target: {instance: sleeper-1}}\n"
	scn := writeScenario(t, "orphan-agent-pause", tg.URL, procs[0].addr, 30, 20*time.Second, fault)
	res := runSession(t, coordSpec{Scenario: scn, KeyFile: kf, Lease: orphanLease, Out: filepath.Join(t.TempDir(), "run"), Inventory: inv})

	paused := waitState(pid, time.Minute, func(s byte) bool { return s == 'T' })
	if paused.IsZero() {
		t.Fatalf("pid %d was never paused", pid)
	}
	time.Sleep(2 * time.Second)
	holder, killed := killHolder(t, procs)
	// Sample until a second before the window's planned end.
	running, samples := 0, 0
	var firstRun time.Time
	for time.Now().Before(paused.Add(window - 3*time.Second)) {
		if s, err := processState(pid); err == nil && s != 'T' {
			running++
			if firstRun.IsZero() {
				firstRun = time.Now()
			}
		}
		samples++
		time.Sleep(10 * time.Millisecond)
	}
	resumed := waitState(pid, 10*time.Second, func(s byte) bool { return s != 'T' })
	rep := <-res
	logFaultEvents(t, rep)
	t.Logf("holder %s SIGKILLed; pid %d ran in %d of %d samples before the window's end; resumed %s after the pause began (window %s)",
		holder, pid, running, samples, resumed.Sub(paused).Round(time.Millisecond), window)
	if running > 0 {
		t.Errorf("the pause ended early: pid %d ran in %d of %d samples, from %s after its holder died", pid, running, samples, firstRun.Sub(killed).Round(time.Millisecond))
	}
	if resumed.IsZero() {
		t.Errorf("pid %d still stopped after the run", pid)
	}
}

// runSession runs spec's session in this process; the channel gives its
// report once it ends (the test fails if it errs).
func runSession(t *testing.T, spec coordSpec) <-chan *Report {
	t.Helper()
	s, err := spec.session()
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan *Report, 1)
	go func() {
		r, err := s.Run(t.Context())
		if err != nil {
			t.Error(err)
		}
		out <- r
	}()
	return out
}

// killHolder SIGKILLs the agent the timeline placed the fault on: the
// first live agent by sorted id.
func killHolder(t *testing.T, procs []*agentProc) (string, time.Time) {
	t.Helper()
	if err := syscall.Kill(-procs[0].cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	return procs[0].id, time.Now()
}

func logFaultEvents(t *testing.T, rep *Report) {
	t.Helper()
	if rep == nil || rep.Result == nil {
		return
	}
	for _, e := range rep.Result.Events {
		if e.Fault != "" {
			t.Logf("event %s %s %s %s", e.Time.Format("15:04:05.000"), e.Kind, e.Agent, e.Detail)
		}
	}
}

// startVictim starts a sleeping process in its own group (faults signal
// groups); it is killed at cleanup.
func startVictim(t *testing.T) int {
	t.Helper()
	victim := exec.Command("sleep", "120")
	victim.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = victim.Process.Kill(); _ = victim.Wait() })
	return victim.Process.Pid
}
