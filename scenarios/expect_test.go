package scenarios

import (
	"strings"
	"testing"
	"time"
)

// The forms the issue requires, and what they parse to.
func TestParseExpectationForms(t *testing.T) {
	cases := []struct {
		src    string
		metric string
		arg    string
		op     string
		unit   Unit
		bound  float64
		window string
		forD   time.Duration
	}{
		// an endpoint's availability against a percentage
		{"availability(browse) >= 99.9%", "availability", "browse", ">=", UnitRatio, 0.999, "", 0},
		// latency during one fault's window
		{"p99(order) <= 250ms during fault(kill-orders)", "p99", "order", "<=", UnitDuration, 0.25, "during_fault kill-orders", 0},
		// a dotted consistency metric, no argument
		{"consistency_lag.p99 <= 2s", "consistency_lag.p99", "", "<=", UnitDuration, 2, "", 0},
		// a count
		{"lost_writes == 0", "lost_writes", "", "==", UnitCount, 0, "", 0},
		// blast radius as a ratio
		{"blast_radius.endpoints <= 34%", "blast_radius.endpoints", "", "<=", UnitRatio, 0.34, "", 0},
		// time to recover a named fault
		{"ttr(kill-orders) <= 10s", "ttr", "kill-orders", "<=", UnitDuration, 10, "", 0},
		// the abort form: each endpoint, held for 5s
		{"availability(*) < 90% for 5s", "availability", "*", "<", UnitRatio, 0.9, "", 5 * time.Second},
		// a bare boolean metric means == true
		{"contained(kill-orders)", "contained", "kill-orders", "==", UnitBool, 1, "", 0},
		// a rate bound
		{"rate(browse) >= 45/s during phase(baseline)", "rate", "browse", ">=", UnitRate, 45, "during_phase baseline", 0},
		// before and after a fault, compound duration, no spaces
		{"p50>=1m30s before fault(x)", "p50", "", ">=", UnitDuration, 90, "before_fault x", 0},
		{"error_rate(order) != 0% after fault(x)", "error_rate", "order", "!=", UnitRatio, 0, "after_fault x", 0},
	}
	for _, c := range cases {
		e, err := ParseExpectation(c.src)
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		m := e.Left.Metric
		window := ""
		if e.Window != nil {
			window = e.Window.Kind + " " + e.Window.Name
		}
		if m.Name != c.metric || m.Arg != c.arg || e.Op != c.op || e.Unit != c.unit || e.Right.Value != c.bound || window != c.window || e.For != c.forD {
			t.Errorf("%q parsed as %s %q %s %s %v %q %v", c.src, m.Name, m.Arg, e.Op, e.Unit, e.Right.Value, window, e.For)
		}
	}
}

// Metric against metric, with variant selectors on each side.
func TestParseExpectationVariants(t *testing.T) {
	e, err := ParseExpectation("blast_radius.endpoints(patterns=off) > blast_radius.endpoints(patterns=on)")
	if err != nil {
		t.Fatal(err)
	}
	if e.Left.Metric.Variant["patterns"] != "off" || e.Right.Metric.Variant["patterns"] != "on" || e.Right.Metric.Name != "blast_radius.endpoints" {
		t.Fatalf("parsed %+v / %+v", e.Left.Metric, e.Right.Metric)
	}
	if got := e.String(); got != "blast_radius.endpoints(patterns=off) > blast_radius.endpoints(patterns=on)" {
		t.Errorf("String() = %q", got)
	}
}

// Errors point at the byte that is wrong (Offset is 0-based).
func TestParseExpectationErrors(t *testing.T) {
	cases := []struct {
		src    string
		offset int
		msg    string
	}{
		{"availabilty(browse) >= 99%", 0, `unknown metric "availabilty"; did you mean "availability"?`}, // typo in a metric
		{"p99(order) <= 99%", 14, "p99 is a duration but 99% is a ratio"},                               // units differ
		{"availability >= 99.9", 16, "availability is a ratio but 99.9 is a count"},                     // a ratio needs %
		{"p99 <= availability", 7, "cannot compare p99 (duration) with availability (ratio)"},           // metric units differ
		{"ttr <= 10s", 0, "ttr needs the name of a fault"},                                              // missing fault
		{"lost_writes(*) == 0", 12, "* (each endpoint) only applies to endpoint metrics, not lost_writes"},
		{"availability >= 99% durng fault(x)", 20, `unexpected "durng" after the comparison`},          // misspelt qualifier
		{"availability >= 99% during phase(warm)", 33, `unknown phase "warm"; did you mean "warmup"?`}, // phase names
		{"ttd(x) <= 5s during fault(x)", 13, "ttd is measured over its fault's own window and takes no window qualifier"},
		{"contained(x) < true", 0, "contained is true or false and can only be compared with == or !="},
		{"99% <= availability", 0, `an expectation starts with a metric, found "99%"`},  // bound first
		{"availability", 12, "availability needs a comparison"},                         // no operator
		{"availability >= 99% for 0s", 24, `for needs a positive duration, found "0s"`}, // zero hold
		{"availability >= 99% ; drop", 20, `unexpected character ';'`},                  // stray character
		{"", 0, "empty expectation"},                                    // nothing
		{"p99(a, b) < 1s", 7, `unexpected "b" in the arguments of p99`}, // two names
		{"p99(a b) < 1s", 6, `expected "," or ")" in the arguments of p99, found "b"`},
		{"availability >= 150%", 16, `bad percentage "150%"`},
	}
	for _, c := range cases {
		_, err := ParseExpectation(c.src)
		ee, ok := err.(*ExprError)
		if !ok {
			t.Errorf("%q: error %v, want *ExprError", c.src, err)
			continue
		}
		if ee.Offset != c.offset || ee.Msg != c.msg {
			t.Errorf("%q: got offset %d %q, want %d %q", c.src, ee.Offset, ee.Msg, c.offset, c.msg)
		}
	}
}

// Every registered metric has a unit, an argument kind and a doc line.
func TestMetricRegistry(t *testing.T) {
	want := []string{"availability", "error_rate", "p50", "p90", "p99", "p999", "service_p99", "good_p50", "good_p99", "goodput", "rate", "requests", "behind",
		"consistency_lag.p50", "consistency_lag.p99", "consistency_lag.max", "stale_reads", "monotonic_violations", "lost_writes",
		"blast_radius.endpoints", "blast_radius.services", "blast_radius.requests", "contained", "cascades", "ttd", "ttr"}
	want = append(want, "backend_calls", "store_calls", "store_latency.p50", "store_latency.p99", "consumer_backlog", "lost_deliveries", "drain_time")
	want = append(want, "heal_convergence") // expect_metrics_consistency.go
	for _, n := range want {
		m, ok := Metrics[n]
		if !ok || m.Unit == "" || m.Arg == "" || m.Doc == "" || m.Family == "" {
			t.Errorf("metric %q: %+v", n, m)
		}
	}
	if len(Metrics) != len(want) {
		t.Errorf("%d metrics registered, %d expected: %s", len(Metrics), len(want), strings.Join(MetricNames(), " "))
	}
}
