package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Three weekly runs, the claim failing only in the second: the trend shows
// each run's status and value in order, whatever the directory names.
func TestHistoryTrends(t *testing.T) {
	dir := t.TempDir()
	for i, name := range []string{"c-newest", "a-oldest", "b-middle"} {
		week := []int{2, 0, 1}[i]
		r := fixture(fixtureConfig{seed: uint64(week + 1), seconds: 5, agents: 1, endpoints: []string{"browse"}, rate: 10})
		r.Header.Started = r.Header.Started.Add(time.Duration(week) * 7 * 24 * time.Hour)
		r.Verdicts = r.Verdicts[1:] // the claim only
		r.Verdicts[0].Observed = float64(week+1) / 100
		r.Verdicts[0].Status = map[bool]string{true: "fail", false: "pass"}[week == 1]
		if _, err := writeFixture(filepath.Join(dir, name), r, true); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dir, "empty"), 0o755) // not a run: ignored
	runs, skipped, err := LoadArchive(dir)
	if err != nil || len(runs) != 3 || len(skipped) != 0 {
		t.Fatalf("runs %d skipped %v err %v", len(runs), skipped, err)
	}
	tr := Trends(runs)
	claim := tr[0]
	if !strings.HasPrefix(claim.Name, "claim isolation") || strings.Join(claim.Status, ",") != "pass,FAIL,pass" ||
		claim.Values[0] != 0.01 || claim.Values[2] != 0.03 {
		t.Errorf("claim trend %+v", claim)
	}
	var b bytes.Buffer
	if err := WriteHistoryText(&b, runs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "FAIL 20.0ms") || !strings.Contains(b.String(), "availability(browse)") {
		t.Errorf("history table:\n%s", b.String())
	}
	b.Reset()
	if err := WriteHistoryHTML(&b, runs); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "<svg"); n != 2 {
		t.Errorf("%d trend charts, want 2 (availability and p99 of browse)", n)
	}
}
