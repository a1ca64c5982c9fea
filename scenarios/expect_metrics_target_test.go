package scenarios

import (
	"strings"
	"testing"
)

// TestTargetWindowQualifiers: the per-request and latency target metrics
// take every window qualifier load metrics take; consumer_backlog,
// lost_deliveries and drain_time take none, and validate says why, at the
// qualifier's column.
func TestTargetWindowQualifiers(t *testing.T) {
	cases := []struct {
		expect string
		want   string // "" valid, else a substring of the one error
	}{
		{"store_latency.p99(browse) < 10ms during phase(baseline)", ""},
		{"store_latency.p50(browse) < 10ms during phase(recovery)", ""},
		{"store_calls(browse) <= 1 during fault(kill-notify)", ""},
		{"backend_calls <= 0.5 before fault(kill-notify)", ""},
		{"backend_calls(browse) <= 0.5 after fault(kill-notify)", ""},
		// Whole pass, no qualifier: as before windows existed.
		{"consumer_backlog == 0", ""},
		// The line is row 15, its text from column 5: the error points at
		// the qualifier.
		{"consumer_backlog == 0 during fault(kill-notify)", "tw.yaml:15:27: consumer_backlog is the consumer's backlog at the end of the pass and takes no window qualifier"},
		{"lost_deliveries == 0 during phase(baseline)", "tw.yaml:15:26: lost_deliveries pairs every acknowledged order"},
		{"drain_time(kill-notify) <= 5s after fault(kill-notify)", "tw.yaml:15:35: drain_time is measured from its fault's end"},
		// A phase the run lacks is refused as for any metric.
		{"store_calls(browse) <= 1 during phase(warmup)", "the scenario has no warmup"},
	}
	for _, c := range cases {
		src := `version: 1
name: tw
target: {kind: external, base_url: "http://127.0.0.1:8080"}
load:
  rate: 10/s
  duration: 30s
  mix:
    - {name: browse, path: /catalog/items/1}
    - {name: order, method: POST, path: /orders}
timeline:
  - {name: kill-notify, at: 8s, duration: 3s, kind: kill, target: {service: notify}}
steady_state:
  - availability >= 99%
expect:
  - ` + c.expect + "\n"
		_, err := Decode("tw.yaml", []byte(src))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v, want valid", c.expect, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: %v, want an error with %q", c.expect, err, c.want)
		}
	}
}

// TestTargetWholePass: exactly the three end-of-pass or per-fault target
// metrics take no window, each with a reason; every one is registered.
func TestTargetWholePass(t *testing.T) {
	var whole []string
	for name, m := range Metrics {
		if m.Family == FamilyTarget && TargetWholePass(name) != "" {
			whole = append(whole, name)
		}
	}
	if len(whole) != 3 {
		t.Errorf("whole-pass target metrics %v, want consumer_backlog, lost_deliveries, drain_time", whole)
	}
	for _, name := range []string{"backend_calls", "store_calls", "store_latency.p50", "store_latency.p99", "p99"} {
		if why := TargetWholePass(name); why != "" {
			t.Errorf("%s refuses windows: %q", name, why)
		}
	}
}
