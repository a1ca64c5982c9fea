package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/reports"
)

// writeRun writes a 30 s one-endpoint run through the real Writer, its
// latencies exponential around 10 ms plus add; closed or crashed.
func writeRun(t *testing.T, dir string, seed uint64, add time.Duration, closed bool) {
	t.Helper()
	w, err := reports.NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if err := w.Header(reports.Header{RunID: fmt.Sprint(seed), Scenario: "smoke", Started: start}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	for s := 0; s < 30; s++ {
		h := reports.NewHist()
		for i := 0; i < 50; i++ {
			h.Record(time.Duration(rng.ExpFloat64()*10*float64(time.Millisecond)) + add)
		}
		if err := w.Window(reports.Window{RunID: "r", AgentID: "a", Seq: uint64(s), Endpoint: "home",
			Start: start.Add(time.Duration(s) * time.Second), Length: time.Second,
			Requests: 50, Good: 50, Intended: 50, Latency: h}); err != nil {
			t.Fatal(err)
		}
	}
	if closed {
		if err := w.Close(reports.End{Ended: start.Add(30 * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReportAndCompareCommands(t *testing.T) {
	dir := t.TempDir()
	base, same, slow, crashed := filepath.Join(dir, "base"), filepath.Join(dir, "same"), filepath.Join(dir, "slow"), filepath.Join(dir, "crashed")
	writeRun(t, base, 1, 0, true)
	writeRun(t, same, 2, 0, true)
	writeRun(t, slow, 3, 20*time.Millisecond, true)
	writeRun(t, crashed, 4, 0, false)
	cases := []struct {
		args []string
		code int
		want string // in stdout or stderr
	}{
		// A finished run renders from its directory.
		{[]string{"report", base}, 0, "Endpoint home"},
		// A crashed run's jsonl still renders, and says it is truncated.
		{[]string{"report", filepath.Join(crashed, "result.jsonl")}, 0, "TRUNCATED"},
		// Every format is reachable.
		{[]string{"report", base, "--format", "junit"}, 0, "<testsuites"},
		{[]string{"report", base, "--format", "md"}, 0, "| home |"},
		{[]string{"report", base, "--format", "html"}, 0, "<svg"},
		// An unknown format, exit 2 (main prints errors to the process's
		// stderr, which runCLI does not capture).
		{[]string{"report", base, "--format", "pdf"}, 2, ""},
		// A missing result, exit 2.
		{[]string{"report", filepath.Join(dir, "nope")}, 2, ""},
		// Same against same passes the gate.
		{[]string{"compare", base, same, "--fail-on", "worse"}, 0, "SAME"},
		// +20 ms on every request fails it with exit 1.
		{[]string{"compare", base, slow, "--fail-on", "worse"}, 1, "WORSE"},
		// With --fail-on never, a regression is reported but exits 0.
		// (Flags persist between in-process runs, so each case sets its own.)
		{[]string{"compare", base, slow, "--format", "md", "--fail-on", "never"}, 0, "**worse**"},
		// A bad tolerance is invalid input.
		{[]string{"compare", base, slow, "--tolerance", "abc"}, 2, ""},
	}
	for _, c := range cases {
		out, errOut, code := runCLI(t, c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("%v: exit %d, want %d; output lacks %q?\n%s%s", c.args, code, c.code, c.want, trim(out), errOut)
		}
	}
}

func trim(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}
