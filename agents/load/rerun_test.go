package load

import (
	"os/exec"
	"strings"
	"testing"
)

// withoutRace runs test name in a child `go test` built without the race
// detector and reports its outcome, when this binary has the detector on.
// Timing accuracy cannot be judged under the detector's several-fold
// slowdown, and `make test` runs everything with -race: this keeps the
// timing tests in CI rather than skipping them there. It returns true when
// it ran the child (the caller then returns).
func withoutRace(t *testing.T, name string) bool {
	t.Helper()
	if !raceEnabled {
		return false
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("under -race %s reruns itself without it, and no go tool is on PATH: %v", name, err)
	}
	cmd := exec.Command(goTool, "test", "-count=1", "-v", "-run", "^"+name+"$", ".")
	out, err := cmd.CombinedOutput()
	t.Logf("%s without -race:\n%s", name, out)
	switch {
	case err != nil:
		t.Fatalf("%s without -race failed: %v", name, err)
	case strings.Contains(string(out), "--- SKIP: "+name):
		t.Skipf("%s without -race skipped itself (see its output)", name)
	case !strings.Contains(string(out), "--- PASS: "+name):
		t.Fatalf("%s without -race did not report a pass", name)
	}
	return true
}
