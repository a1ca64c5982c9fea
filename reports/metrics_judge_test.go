package reports

import (
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// The fault metrics of the expectation language, as the judge asks for
// them, on the cascade run (e1 breached through an undeclared call) and
// a kill that recovers.
func TestFaultMetric(t *testing.T) {
	s, p := mxDecode(t)
	r := blastRun(t, []string{"e1", "e3", "e4"}, map[string][]string{"e1": {"catalog", "inventory"}, "e3": {"orders", "inventory"}, "e4": {"inventory"}})
	// The kill breaches e4 from 10 s to 13 s, replaced at 12 s.
	for i := range r.Windows {
		w := &r.Windows[i]
		if sec := w.Start.Sub(mxStart); w.Endpoint == "e4" && sec >= 10*time.Second && sec < 13*time.Second {
			w.Good = 0
		}
	}
	r.Events = append(r.Events, mxEvent(EvFaultApplied, 10*time.Second, "kill-inv", "inventory-1"),
		mxEvent(EvFaultReverted, 14*time.Second, "kill-inv", "inventory-1"),
		mxEvent(EvInstanceReplaced, 12*time.Second, "", "inventory-1"))
	fj := NewFaultJudge(s, p, r) // one judge for every question, as the judge uses it
	for _, tc := range []struct {
		expr   string
		want   float64
		detail string
	}{
		// From apply (10 s) to the first breached slot (10 s).
		{"ttd(kill-inv) <= 2s", 0, "first breached slot at 10s"},
		// From the replacement (12 s) to the first good slot (13 s).
		{"ttr(kill-inv) <= 5s", 1, "instance_replaced"},
		{"blast_radius.endpoints(slow-inv) <= 50%", 0.5, "3/6 endpoints"},
		{"blast_radius.services(slow-inv) <= 50%", 0.5, "catalog"},
		// The worst fault of the run: slow-inv's 3/6 over kill-inv's 1/6.
		{"blast_radius.endpoints <= 50%", 0.5, "kill-inv: 1/6"},
		{"contained(slow-inv)", 0, "e1 -> catalog -> inventory"},
		{"contained(kill-inv)", 1, "contained"},
		{"cascades == 0", 1, "cascades"},
	} {
		e, err := scenarios.ParseExpectation(tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		got, detail, err := fj.Metric(e.Left.Metric)
		if err != nil {
			t.Errorf("%s: %v", tc.expr, err)
			continue
		}
		if !near(got, tc.want, 1e-9) || !strings.Contains(detail, tc.detail) {
			t.Errorf("%s = %v (%s), want %v with %q", tc.expr, got, detail, tc.want, tc.detail)
		}
	}
}

// Never is a number that fails an upper bound and passes a lower one.
func TestFaultMetricNever(t *testing.T) {
	s, p := mxDecode(t)
	r := mxResult([]string{"e1"}, 10, func(_ string, at time.Duration) (bool, time.Duration) {
		return at >= 22*time.Second, time.Millisecond // never recovers
	})
	e, _ := scenarios.ParseExpectation("ttr(slow-inv) <= 5s")
	v, detail, err := FaultMetric(s, p, r, e.Left.Metric)
	if err != nil || v != Never || e.Holds(v, e.Right.Value) || !strings.Contains(detail, "still breached") {
		t.Errorf("ttr = %v (%s, %v), want Never, failing <= 5s", v, detail, err)
	}
	e, _ = scenarios.ParseExpectation("ttd(kill-inv) <= 5s")
	if v, _, _ := FaultMetric(s, p, r, e.Left.Metric); v != Never {
		t.Errorf("ttd of an undetected fault = %v, want Never", v)
	}
	// No graph: containment is an error, not a guess.
	e, _ = scenarios.ParseExpectation("contained(slow-inv)")
	if _, _, err := FaultMetric(s, p, r, e.Left.Metric); err == nil || !strings.Contains(err.Error(), "not judged") {
		t.Errorf("contained without a graph: err = %v", err)
	}
}
