package reference

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/faultline/faultline/targets"
)

// TestE2ETargetUpStatusAndSupervisorDeath runs `faultline target up`,
// reads the registry with `target status`, then SIGKILLs the supervisor:
// every instance must die with it (Pdeathsig), none left behind.
func TestE2ETargetUpStatusAndSupervisorDeath(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e: starts real processes")
	}
	if binary == "" {
		t.Fatal("no faultline binary")
	}
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	up := exec.Command(binary, "target", "up", "--state", state, "--dir", filepath.Join(dir, "run"))
	up.Stderr = testLog{t}
	start := time.Now()
	if err := up.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Process.Kill(); up.Wait() })
	eventually(t, 60*time.Second, "target up writes its state file", func() bool {
		b, err := os.ReadFile(state)
		return err == nil && json.Valid(b)
	})
	t.Logf("`target up` healthy in %s", time.Since(start).Round(time.Millisecond))

	out, err := exec.Command(binary, "target", "status", "--state", state).CombinedOutput()
	if err != nil {
		t.Fatalf("target status: %v\n%s", err, out)
	}
	for _, want := range []string{"gateway-1", "bus-3", "notify-1", "running"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	var st struct{ Registry string }
	b, _ := os.ReadFile(state)
	json.Unmarshal(b, &st)
	var ins []targets.Instance
	getJSON(t, st.Registry+"/instances", &ins)
	if len(ins) != 13 {
		t.Fatalf("registry lists %d instances, want 13", len(ins))
	}

	up.Process.Signal(syscall.SIGKILL)
	up.Wait()
	// The dead supervisor's port claims are stale now; drop them rather
	// than leave them for the next topology to take over.
	t.Cleanup(func() {
		entries, _ := os.ReadDir(portLockDir)
		for _, e := range entries {
			p := filepath.Join(portLockDir, e.Name())
			if b, err := os.ReadFile(p); err == nil && strings.TrimSpace(string(b)) == strconv.Itoa(up.Process.Pid) {
				os.Remove(p)
			}
		}
	})
	eventually(t, 10*time.Second, "every instance dies with the supervisor", func() bool {
		for _, in := range ins {
			if err := syscall.Kill(in.PID, 0); !errors.Is(err, syscall.ESRCH) {
				return false
			}
		}
		return true
	})
}
