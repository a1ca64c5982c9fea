package reports

import (
	"testing"
	"time"
)

// lagSample is an acknowledged write at `at` whose last stale read came
// lag after the ack on instance q2 (q1 had it after lag/2).
func lagSample(at, lag time.Duration) ProbeSample {
	ack := mxStart.Add(at)
	s := ProbeSample{Probe: "orders", Written: ack.Add(-time.Millisecond), Acked: ack,
		FirstFresh: ack.Add(lag/2 + time.Millisecond), Reads: 10,
		PerInstance: map[string]time.Time{"q1": ack.Add(lag/2 + time.Millisecond), "q2": ack.Add(lag + time.Millisecond)},
		LastStaleBy: map[string]time.Time{"q2": ack.Add(lag)}}
	if lag > 0 {
		s.LastStale, s.StaleReads = ack.Add(lag), 3
		s.LastStaleBy["q1"] = ack.Add(lag / 2)
	}
	return s
}

// 100 writes with lags 1..100 ms, one lost, one never visible on q2, one
// not acknowledged and one written outside the span: exact quantiles, the
// curve, per-instance lags and the counts.
func TestConsistencyMetrics(t *testing.T) {
	r := &Result{Header: Header{Started: mxStart}}
	for i := 1; i <= 100; i++ {
		r.Probes = append(r.Probes, lagSample(time.Duration(i)*100*time.Millisecond, time.Duration(i)*time.Millisecond))
	}
	lost := lagSample(time.Second, 0)
	lost.Lost, lost.FirstFresh, lost.PerInstance = true, time.Time{}, nil
	partial := lagSample(2*time.Second, 5*time.Millisecond)
	delete(partial.PerInstance, "q2")
	partial.Error = "never visible on q2 by the deadline"
	unacked := ProbeSample{Probe: "orders", Written: mxStart.Add(3 * time.Second), Error: "write not acknowledged: status 503"}
	late := lagSample(99*time.Second, time.Hour)
	other := lagSample(time.Second, time.Hour)
	other.Probe = "kv"
	r.Probes = append(r.Probes, lost, partial, unacked, late, other)

	c := MeasureConsistency(r, "orders", 0, 60*time.Second)
	if c.Samples != 103 || c.Acked != 102 || c.Followed != 101 || c.Unresolved != 1 || c.Lost != 1 {
		t.Errorf("counts %d/%d/%d/%d lost %d, want 103 samples, 102 acked, 101 followed, 1 unresolved, 1 lost",
			c.Samples, c.Acked, c.Followed, c.Unresolved, c.Lost)
	}
	if c.Lag.Count != 100 || c.Lag.P50 != 50*time.Millisecond || c.Lag.P99 != 99*time.Millisecond || c.Lag.Max != 100*time.Millisecond {
		t.Errorf("lag %d p50 %v p99 %v max %v, want 100, 50ms, 99ms, 100ms", c.Lag.Count, c.Lag.P50, c.Lag.P99, c.Lag.Max)
	}
	if got := c.Lag.Hist.Quantile(50); got < 49*time.Millisecond || got > 51*time.Millisecond {
		t.Errorf("HDR p50 %v, want 50ms at HDR precision", got)
	}
	// P(visible within t) over 101 followed writes (the lost one never).
	for _, want := range []VisibilityPoint{{0, 0}, {10 * time.Millisecond, 10.0 / 101}, {50 * time.Millisecond, 50.0 / 101}, {100 * time.Millisecond, 100.0 / 101}} {
		found := false
		for _, pt := range c.Visibility {
			if pt.T == want.T {
				found = true
				if !near(pt.P, want.P, 1e-12) {
					t.Errorf("P(visible within %v) = %.4f, want %.4f", pt.T, pt.P, want.P)
				}
			}
		}
		if !found {
			t.Errorf("curve %v has no point at %v", c.Visibility, want.T)
		}
	}
	if last := c.Visibility[len(c.Visibility)-1]; last.T != 100*time.Millisecond {
		t.Errorf("curve ends at %v, want the largest lag", last.T)
	}
	if len(c.PerInstance) != 2 {
		t.Fatalf("per instance %+v, want q1 and q2", c.PerInstance)
	}
	q1, q2 := c.PerInstance[0], c.PerInstance[1]
	if q1.Instance != "q1" || q1.Count != 101 || q1.Max != 50*time.Millisecond || q2.Count != 100 || q2.Never != 1 || q2.P50 != 50*time.Millisecond {
		t.Errorf("per instance q1 %+v q2 %+v", q1, q2)
	}
	if c.Errors["write not acknowledged: status 503"] != 1 || c.Errors["never visible on q2 by the deadline"] != 1 {
		t.Errorf("errors %v", c.Errors)
	}
	// All probes, no bound: the kv sample and the late one come in.
	if all := MeasureConsistency(r, "", 0, 0); all.Samples != 105 || all.Lag.Max != time.Hour {
		t.Errorf("all probes: %d samples, max %v; want 105 and 1h", all.Samples, all.Lag.Max)
	}
	if none := MeasureConsistency(r, "nope", 0, 0); none.Samples != 0 || none.Visibility != nil || none.Lag.P50 != 0 {
		t.Errorf("unknown probe: %+v", none)
	}
}
