package coordinator

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// The coordinator (`faultline run` joined to three agent processes) is
// killed with SIGKILL mid-run. Every agent's load stops within lease + 1 s,
// the agents stay up, and they serve the next run.
func TestCoordinatorKilledAgentsStop(t *testing.T) {
	needBinary(t)
	if rerunWithoutRace(t, "TestCoordinatorKilledAgentsStop") {
		return
	}
	const lease = 5 * time.Second
	kf := keyFile(t)
	tg := newTarget(t)
	first := startAgentProc(t, "ck-a", kf)
	procs := []*agentProc{first, startAgentProc(t, "ck-b", kf, first.addr), startAgentProc(t, "ck-c", kf, first.addr)}

	dir := t.TempDir()
	scn := func(name string, d time.Duration) string {
		p := filepath.Join(dir, name+".yaml")
		y := fmt.Sprintf(`version: 1
name: %s
target: {kind: external, base_url: %q}
agents: {join: [%s], min: 3}
load:
  rate: 150/s
  duration: %s
  mix:
    - {name: home, path: /, timeout: 2s}
`, name, tg.URL, first.addr, d)
		if err := os.WriteFile(p, []byte(y), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	run := exec.Command(faultlineBin, "run", scn("long", 60*time.Second), "--key-file", kf, "--quiet", "--out", filepath.Join(dir, "run1"), "--lease", lease.String())
	run.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(-run.Process.Pid, syscall.SIGKILL); _ = run.Wait() })

	// Let load flow for 3 s, then kill the coordinator outright.
	deadline := time.Now().Add(time.Minute)
	for tg.n.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if tg.n.Load() == 0 {
		t.Fatal("no load reached the target within a minute")
	}
	time.Sleep(3 * time.Second)
	if err := syscall.Kill(run.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	_ = run.Wait()
	before := tg.n.Load()

	time.Sleep(lease + 3*time.Second)
	last := time.Unix(0, tg.last.Load())
	after := tg.n.Load() - before
	t.Logf("coordinator killed; %d requests after the kill, last one %s after it (lease %s)", after, last.Sub(killed).Round(time.Millisecond), lease)
	if last.Sub(killed) > lease+time.Second {
		t.Errorf("load went on %s after the coordinator died; must stop within lease + 1 s = %s", last.Sub(killed).Round(time.Millisecond), lease+time.Second)
	}
	for _, p := range procs {
		if !p.alive() {
			t.Fatalf("agent %s exited with its coordinator", p.id)
		}
	}

	// The same agents serve the next run.
	n0 := tg.n.Load()
	next := exec.Command(faultlineBin, "run", scn("next", 3*time.Second), "--key-file", kf, "--quiet", "--out", filepath.Join(dir, "run2"))
	out, err := next.CombinedOutput()
	if err != nil {
		t.Fatalf("next run: %v\n%s", err, out)
	}
	if got := tg.n.Load() - n0; got < 400 || got > 500 {
		t.Errorf("next run sent %d requests, want about 450\n%s", got, out)
	}
}
