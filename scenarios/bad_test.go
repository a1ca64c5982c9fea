package scenarios

import (
	"os"
	"path/filepath"
	"testing"
)

// Each broken scenario in testdata/bad gives exactly one line, with the
// file:line:col a person has to fix, what is wrong and what is allowed.
func TestBrokenScenarios(t *testing.T) {
	cases := []struct {
		file string
		want string
	}{
		// a template captures a value its endpoint never declares
		{"testdata/bad/capture.yaml", `testdata/bad/capture.yaml:10:7: template in path of browse uses capture "id", which endpoint "order" does not declare (allowed: declare it on order, e.g. capture: {id: id})`},
		// kill and pause on the same service at overlapping times
		{"testdata/bad/conflict.yaml", `testdata/bad/conflict.yaml:21:5: fault "pause-orders" (pause on service:orders, 10s-20s) conflicts with fault "kill-orders" (kill, 5s-15s) (allowed: faults on the same target at different times, or network faults of different kinds)`},
		// English instead of a Go duration
		{"testdata/bad/duration.yaml", `testdata/bad/duration.yaml:8:13: load.duration: duration "30 seconds" is not a Go duration (allowed: a Go duration such as 250ms, 5s, 1m30s, 2h (units ns, us, ms, s, m, h))`},
		// a misspelt qualifier, pointed at to the column
		{"testdata/bad/expect_syntax.yaml", `testdata/bad/expect_syntax.yaml:22:25: unexpected "durng" after the comparison (allowed: during fault(name), during phase(name), before fault(name), after fault(name), for duration)`},
		// a misspelt fault kind, with a suggestion
		{"testdata/bad/fault_kind.yaml", `testdata/bad/fault_kind.yaml:18:11: unknown fault kind "latncy"; did you mean "latency"? (allowed: bandwidth, blackhole, http_abort, http_delay, kill, latency, limit_data, partition, pause, reset_peer, restart, slicer, slow_close, terminate, timeout)`},
		// a fault that outlives the run
		{"testdata/bad/fault_past_end.yaml", `testdata/bad/fault_past_end.yaml:16:5: fault "kill-orders" runs from 25s to 35s, past the end of the run at 30s (allowed: at + duration within load.duration (30s); at counts from the end of warmup)`},
		// "for" belongs to abort_when only
		{"testdata/bad/for_outside_abort.yaml", `testdata/bad/for_outside_abort.yaml:16:27: "for" only applies to abort_when, not expect (allowed: for only in abort_when)`},
		// an external target without its URL
		{"testdata/bad/no_base_url.yaml", `testdata/bad/no_base_url.yaml:4:3: an external target needs base_url (allowed: base_url: http://host:port)`},
		// a tab in indentation is not YAML
		{"testdata/bad/not_yaml.yaml", `testdata/bad/not_yaml.yaml:5:1: not valid YAML: a tab in indentation (allowed: spaces for indentation)`},
		// a shape parameter the shape's kind would silently ignore
		{"testdata/bad/shape.yaml", `testdata/bad/shape.yaml:9:10: a ramp load shape does not use spike (allowed: from)`},
		// a percentage above 100%
		{"testdata/bad/percent.yaml", `testdata/bad/percent.yaml:21:40: timeline[0].params.toxicity: percentage "150%" is above 100% (allowed: a number from 0 to 100 followed by %, e.g. 99.9%)`},
		// count(0) picks nothing
		{"testdata/bad/pick.yaml", `testdata/bad/pick.yaml:19:37: timeline[0].target.pick: pick "count(0)" needs a whole count of at least 1 (allowed: all, count(n) with n >= 1, or percent(p) with 0 < p <= 100)`},
		// a rate period that is not s, m or h
		{"testdata/bad/rate.yaml", `testdata/bad/rate.yaml:7:9: load.rate: rate "100/sec" has an unknown period "sec" (allowed: a number with optional k or M, then /s, /m or /h, e.g. 300/s, 5k/s, 1.5k/s, 20/m)`},
		// a latency compared with a percentage
		{"testdata/bad/units.yaml", `testdata/bad/units.yaml:16:21: p99 is a duration but 99% is a ratio (allowed: a duration such as 250ms or 2s)`},
		// an expectation names an endpoint that does not exist
		{"testdata/bad/unknown_endpoint.yaml", `testdata/bad/unknown_endpoint.yaml:16:18: availability(brwse) names an unknown endpoint; did you mean "browse"? (allowed: endpoints: browse, order)`},
		// a misspelt key, reported once with a suggestion
		{"testdata/bad/unknown_key.yaml", `testdata/bad/unknown_key.yaml:8:3: unknown key "duraton" in load; did you mean "duration"? (allowed: rate, duration, warmup, shape, mix)`},
		// a version this build does not read
		{"testdata/bad/version.yaml", `testdata/bad/version.yaml:1:10: unsupported scenario version "2" (allowed: version: 1)`},
	}
	for _, c := range cases {
		_, err := LoadFile(c.file)
		if err == nil {
			t.Errorf("%s: no error", c.file)
			continue
		}
		if got := err.Error(); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.file, got, c.want)
		}
	}
	// Every file in testdata/bad has a case, so none is silently skipped.
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	if len(files) != len(cases) {
		t.Errorf("%d files in testdata/bad, %d cases", len(files), len(cases))
	}
}

// A missing file is one line naming the path.
func TestLoadFileMissing(t *testing.T) {
	_, err := LoadFile("testdata/no-such.yaml")
	want := "testdata/no-such.yaml: no such scenario file (allowed: a readable YAML file, or a catalogue name (faultline scenarios))"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if _, statErr := os.Stat("testdata/no-such.yaml"); statErr == nil {
		t.Fatal("fixture exists")
	}
}
