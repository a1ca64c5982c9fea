package coordinator

import (
	"os/exec"
	"strings"
	"testing"
)

// rerunWithoutRace, in a binary built with -race, runs test name again in a
// child `go test` without the detector and takes its verdict. These tests
// judge rates and lease timings across dozens of memberlist nodes and load
// engines; the detector's slowdown on a shared 2-core box starves them into
// false failures. Race coverage of the same code comes from
// TestClusterRunUnderRace, which asserts no timing. It returns true when
// the child ran (the caller returns then).
func rerunWithoutRace(t *testing.T, name string) bool {
	t.Helper()
	if !raceEnabled {
		return false
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("under -race %s reruns without it, but no go tool is on PATH: %v", name, err)
	}
	out, err := exec.Command(goTool, "test", "-count=1", "-v", "-timeout=10m", "-run", "^"+name+"$", ".").CombinedOutput()
	t.Logf("%s without -race:\n%s", name, out)
	switch {
	case err != nil:
		t.Fatalf("%s without -race failed: %v", name, err)
	case strings.Contains(string(out), "--- SKIP: "+name):
		t.Skipf("%s without -race skipped itself", name)
	case !strings.Contains(string(out), "--- PASS: "+name):
		t.Fatalf("%s without -race did not pass", name)
	}
	return true
}
