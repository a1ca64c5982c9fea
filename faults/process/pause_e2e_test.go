package process

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The pausing agent is SIGKILLed: the guard resumes the process within
// lease + 1 s.
func TestPauseSurvivesAgentDeath_e2e(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	cmd := startSleep(t)
	pid := cmd.Process.Pid
	exe, _ := os.Executable()
	agent := exec.Command(exe)
	agent.Env = append(os.Environ(), "FAULTLINE_TEST_ROLE=agent", "FAULTLINE_TEST_PID="+strconv.Itoa(pid),
		"FAULTLINE_TEST_LEASE=1s", "FAULTLINE_TEST_DIR="+t.TempDir())
	out, _ := agent.StdoutPipe()
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "paused\n" {
		t.Fatalf("agent said %q", line)
	}
	waitState(t, pid, 'T', 5*time.Second)
	_ = agent.Process.Signal(syscall.SIGKILL)
	_ = agent.Wait()
	killed := time.Now()
	waitState(t, pid, 'S', 2*time.Second+time.Second) // generous bound; the figure is logged
	el := time.Since(killed)
	t.Logf("resumed %v after the agent was SIGKILLed (lease 1s)", el)
	if el > 2*time.Second {
		t.Fatalf("resumed after %v, want within lease + 1s", el)
	}
}
