package process

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// startSleep runs a real `sleep` child, reaped by the test.
func startSleep(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sleep", "30")
	if len(args) > 0 {
		cmd = exec.Command(args[0], args[1:]...)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	return cmd
}

func waitState(t *testing.T, pid int, want byte, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		st, err := State(pid)
		if err == nil && st == want || want == 'X' && err != nil {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("pid %d state %c (%v), want %c within %v", pid, st, err, want, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestKill(t *testing.T) {
	cmd := startSleep(t)
	if err := Kill(Target{PID: cmd.Process.Pid}); err != nil {
		t.Fatal(err)
	}
	if !waitGone(cmd.Process.Pid, 5*time.Second) {
		t.Fatal("killed process still alive")
	}
}

func TestTerminateEscalates(t *testing.T) {
	// A shell that ignores SIGTERM: only the SIGKILL after grace ends it.
	cmd := startSleep(t, "sh", "-c", "trap '' TERM; while :; do sleep 0.05; done")
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if err := Terminate(Target{PID: cmd.Process.Pid}, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 300*time.Millisecond {
		t.Fatalf("terminated after %v, before the grace", el)
	}
}

func TestPidfileAndGroup(t *testing.T) {
	cmd := startSleep(t)
	pf := filepath.Join(t.TempDir(), "x.pid")
	_ = os.WriteFile(pf, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o600)
	if err := Signal(Target{PIDFile: pf}, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitState(t, cmd.Process.Pid, 'T', 5*time.Second)
	if err := Resume(Target{PID: cmd.Process.Pid, Group: true}); err != nil {
		t.Fatal(err)
	}
	waitState(t, cmd.Process.Pid, 'S', 5*time.Second)
	for _, bad := range []Target{{PID: 1}, {PID: os.Getpid()}, {PIDFile: "/nonexistent"}} {
		if err := Kill(bad); err == nil {
			t.Fatalf("%v accepted", bad)
		}
	}
}

func TestPauseResumeAndLease(t *testing.T) {
	cmd := startSleep(t)
	pid := cmd.Process.Pid
	g := testGuard(t.TempDir())
	p, err := g.Pause(Target{PID: pid}, 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, pid, 'T', 5*time.Second)
	for range 4 { // renewed: stays paused past the lease
		time.Sleep(200 * time.Millisecond)
		if err := p.Renew(500 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := State(pid); st != 'T' {
		t.Fatalf("renewed pause: state %c, want T", st)
	}
	if err := p.Resume(); err != nil {
		t.Fatal(err)
	}
	waitState(t, pid, 'S', 5*time.Second)
}

// The fault moved to another executor, which paused the process again
// under its own lease; the first executor is gone. Its guard's lease runs
// out, but it leaves the process stopped while the other lease is live,
// and resumes it once that one ends too.
func TestGuardLeavesAnotherLivePause(t *testing.T) {
	cmd := startSleep(t)
	pid := cmd.Process.Pid
	g := testGuard(t.TempDir())
	if _, err := g.Pause(Target{PID: pid}, 200*time.Millisecond); err != nil { // never renewed
		t.Fatal(err)
	}
	next, err := g.Pause(Target{PID: pid}, 400*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	for range 8 { // 1.6 s: the first lease is long gone
		time.Sleep(200 * time.Millisecond)
		if err := next.Renew(400 * time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if st, _ := State(pid); st != 'T' {
			t.Fatalf("state %c while the second pause's lease is live, want T", st)
		}
	}
	// The second executor is gone too: both guards resume it.
	d := waitState(t, pid, 'S', 3*time.Second)
	t.Logf("resumed %v after the second lease's last renewal (lease 400ms)", d)
}

// The first executor is alive but lost its fault to another one, and
// reverts when its run stops: it must not resume the other's pause.
func TestResumeLeavesAnotherLivePause(t *testing.T) {
	cmd := startSleep(t)
	pid := cmd.Process.Pid
	g := testGuard(t.TempDir())
	first, err := g.Pause(Target{PID: pid}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	second, err := g.Pause(Target{PID: pid}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Resume(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * GuardPoll) // the first guard has seen its file go
	if st, _ := State(pid); st != 'T' {
		t.Fatalf("state %c after the first executor's revert, want T (the second still holds it)", st)
	}
	if err := second.Resume(); err != nil {
		t.Fatal(err)
	}
	waitState(t, pid, 'S', 3*time.Second)
}
