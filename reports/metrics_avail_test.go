package reports

import (
	"math"
	"testing"
	"time"
)

// Ground truth: e3 fails exactly every tenth request during the kill
// (slots 10-13); availability there measures 90% ± 1 point, and 100%
// for every other endpoint and phase.
func TestAvailabilityGroundTruth(t *testing.T) {
	s, p := mxDecode(t)
	n := 0
	r := mxResult(sixEndpoints, 50, func(ep string, at time.Duration) (bool, time.Duration) {
		if ep == "e3" && at >= 10*time.Second && at < 14*time.Second {
			n++
			return n%10 == 0, 5 * time.Millisecond
		}
		return false, 5 * time.Millisecond
	})
	r.Events = []Event{mxEvent(EvFaultApplied, 10*time.Second, "kill-inv", "inventory-1"),
		mxEvent(EvFaultReverted, 14*time.Second, "kill-inv", "inventory-1")}

	// Per window: slot 12 of e3 is 90%, the others 100%.
	for _, ep := range sixEndpoints {
		for _, pt := range r.Series(ep) {
			want := 1.0
			if ep == "e3" && pt.At >= 10*time.Second && pt.At < 14*time.Second {
				want = 0.9
			}
			if !near(pt.Availability, want, 0.01) {
				t.Errorf("%s slot %v: availability %.4f, want %.2f ± 0.01", ep, pt.At, pt.Availability, want)
			}
		}
	}
	// Per phase.
	for _, a := range PhaseAvailability(r, p) {
		want := 1.0
		if a.Endpoint == "e3" && a.Span == "fault kill-inv" {
			want = 0.9
		}
		if !near(a.Value, want, 0.01) {
			t.Errorf("%s in %s: %.4f, want %.2f ± 0.01", a.Endpoint, a.Span, a.Value, want)
		}
	}
	// Before, during and after each fault.
	for _, fa := range AvailabilityAroundFaults(r, p) {
		before, during := 1.0, 1.0
		if fa.Endpoint == "e3" && fa.Fault == "kill-inv" {
			during = 0.9
		}
		if fa.Endpoint == "e3" && fa.Fault == "slow-inv" {
			// "before" is the plan's: from warmup, so it holds the kill's
			// 40 errors of 20 slots × 100 requests.
			before = 0.98
		}
		if !near(fa.Before.Value, before, 1e-9) || !near(fa.During.Value, during, 0.01) || !near(fa.After.Value, 1, 0) {
			t.Errorf("%s around %s: before %.4f during %.4f after %.4f; want %.2f, %.2f, 1",
				fa.Endpoint, fa.Fault, fa.Before.Value, fa.During.Value, fa.After.Value, before, during)
		}
		if fa.Fault == "kill-inv" && (fa.During.From != 10*time.Second || fa.During.To != 14*time.Second) {
			t.Errorf("during span %v..%v, want the events' 10s..14s", fa.During.From, fa.During.To)
		}
	}

	// Burn: 4 slots × 100 requests at 10% errors = 40 errors of 32 × 100
	// e3 requests; against 99%, burn = (40/3200)/0.01 = 1.25, peak 10.
	slo := SLOs(s)["*"]
	if slo != 0.99 {
		t.Fatalf("SLO from steady state = %v, want 0.99", slo)
	}
	b, err := BurnRate(r, "e3", slo, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if b.Errors != 40 || !near(b.Rate, 1.25, 1e-9) || !near(b.Peak, 10, 1e-9) || b.PeakAt != 10*time.Second {
		t.Errorf("burn %+v: want 40 errors, rate 1.25, peak 10 at 10s", b)
	}
	if b, _ := BurnRate(r, "e1", slo, 0, 0); b.Rate != 0 {
		t.Errorf("e1 burn %v, want 0", b.Rate)
	}
}

// BurnRate refuses what it cannot compute, saying why.
func TestBurnRateErrors(t *testing.T) {
	r := mxResult([]string{"e1"}, 10, func(string, time.Duration) (bool, time.Duration) { return false, time.Millisecond })
	for _, tc := range []struct {
		name     string
		ep       string
		slo      float64
		from, to time.Duration
	}{
		{"SLO of 100% has no budget", "e1", 1, 0, 0},
		{"SLO given as a percentage", "e1", 99.9, 0, 0},
		{"no requests in the span", "e1", 0.99, 100 * time.Second, 200 * time.Second},
		{"unknown endpoint", "nope", 0.99, 0, 0},
	} {
		if b, err := BurnRate(r, tc.ep, tc.slo, tc.from, tc.to); err == nil {
			t.Errorf("%s: got %+v, want an error", tc.name, b)
		}
	}
	// No requests is NaN availability, not 100%.
	if a := availability(r, "nope", "", 0, 0); !math.IsNaN(a.Value) {
		t.Errorf("availability of nothing = %v, want NaN", a.Value)
	}
}
