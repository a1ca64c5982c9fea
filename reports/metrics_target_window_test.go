package reports

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// twSec is t seconds after mxStart.
func twSec(t float64) time.Time { return mxStart.Add(time.Duration(t * float64(time.Second))) }

// twGateway is gateway-1's summary after k seconds: 10 browse requests a
// second, one of them throttled (429) each second from 10 s on.
func twGateway(k int) map[string]EndpointTraces {
	thr := max(k-10, 0)
	return map[string]EndpointTraces{"catalog.get": {Requests: 10 * k, Status: map[int]int{200: 10*k - thr, 429: thr}}}
}

// twCatalog is a catalog process's summary after it made fast bus calls
// (0.32 ms) and slow ones (40.96 ms).
func twCatalog(fast, slow int) map[string]EndpointTraces {
	var b []LatencyBucket
	if fast > 0 {
		b = append(b, LatencyBucket{LE: 0.32, N: int64(fast)})
	}
	if slow > 0 {
		b = append(b, LatencyBucket{LE: 40.96, N: int64(slow)})
	}
	t := EndpointTraces{Requests: fast + slow}
	if b != nil {
		t.Latency = map[string][]LatencyBucket{"bus": b}
	}
	return map[string]EndpointTraces{"catalog.get": t}
}

// twHarvest samples, once a second from 0 s to 20 s, gateway-1 and
// catalog-1, which reads the bus 5 times a second: fast before 10 s,
// slow from then on. Known counts over any window between samples.
func twHarvest(restart func(rec *SeriesRecorder, k int) bool) *TargetHarvest {
	var rec SeriesRecorder
	for k := 0; k <= 20; k++ {
		rec.Add("gateway-1", "gateway", 10, twSec(float64(k)), twGateway(k))
		if restart == nil || !restart(&rec, k) {
			rec.Add("catalog-1", "catalog", 100, twSec(float64(k)), twCatalog(5*min(k, 10), 5*max(k-10, 0)))
		}
	}
	h := tgHarvest()
	h.Series = rec.Series()
	return h
}

// twKilled replaces catalog-1 after its sample at 6 s: the new process
// (pid, or the same pid when samePID: only its counters going down tell)
// makes 5 fast calls a second from 7 s and is sampled from 8 s.
func twKilled(samePID bool) func(rec *SeriesRecorder, k int) bool {
	return func(rec *SeriesRecorder, k int) bool {
		switch {
		case k == 7:
			return true // dead, not sampled
		case k > 7:
			pid := 200
			if samePID {
				pid = 100
			}
			rec.Add("catalog-1", "catalog", pid, twSec(float64(k)), twCatalog(5*(k-7), 0))
			return true
		}
		return false
	}
}

// TestTargetWindowGroundTruth: over a window, the metrics count exactly
// what the instances did between the first and last snapshot in it.
func TestTargetWindowGroundTruth(t *testing.T) {
	r := &Result{Header: Header{Started: mxStart}}
	s := func(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }
	cases := []struct {
		what     string
		h        *TargetHarvest
		name     string
		from, to float64
		want     float64
		detail   string
	}{
		// 2 s..8 s: 60 served, 30 fast bus calls.
		{"baseline", twHarvest(nil), "store_calls", 2, 8, 30.0 / 60, "between snapshots at +2.0s and +8.0s"},
		{"baseline p99", twHarvest(nil), "store_latency.p99", 2, 8, 0.32e-3, "30 bus calls"},
		// Window ends between samples: 2.5 s..8.5 s counts 3 s..8 s.
		{"unaligned", twHarvest(nil), "store_calls", 2.5, 8.5, 25.0 / 50, "+3.0s and +8.0s"},
		// 12 s..18 s: 60 requests, 6 throttled, 30 slow calls.
		{"slow", twHarvest(nil), "store_latency.p50", 12, 18, 40.96e-3, "30 bus calls"},
		{"throttled", twHarvest(nil), "store_calls", 12, 18, 30.0 / 54, "6 throttled"},
		// 5 s..15 s: 25 fast, 25 slow; rank 25 is the last fast one.
		{"mixed p50", twHarvest(nil), "store_latency.p50", 5, 15, 0.32e-3, "50 bus calls"},
		{"mixed p99", twHarvest(nil), "store_latency.p99", 5, 15, 40.96e-3, "50 bus calls"},
		{"backend", twHarvest(nil), "backend_calls", 5, 15, 0, "0 calls to the services behind it for 95 requests"},
		// Killed after 6 s, new process from 7 s: 2..6 s of the old one
		// (20 calls) and all 25 of the new one by 12 s; never negative.
		// The gateway served 100, 2 of them throttled.
		{"restart", twHarvest(twKilled(false)), "store_calls", 2, 12, 45.0 / 98, "restarted in the window, counted from zero: catalog-1"},
		{"restart, same pid", twHarvest(twKilled(true)), "store_calls", 2, 12, 45.0 / 98, "catalog-1"},
		// The window opens after the restart: 9 s..12 s of the new one.
		{"after restart", twHarvest(twKilled(false)), "store_calls", 9, 12, 15.0 / 28, "+9.0s and +12.0s"},
		// The old process's last sample is before the window: the new
		// one counts from its first sample in it (8 s), not from zero.
		{"restart before window", twHarvest(twKilled(false)), "store_calls", 6.5, 12, 20.0 / 48, "+7.0s and +12.0s"},
	}
	for _, c := range cases {
		got, detail, err := c.h.MeasureWindow(r, c.name, "browse", s(c.from), s(c.to))
		if err != nil {
			t.Errorf("%s: %s over [%v, %v): %v", c.what, c.name, c.from, c.to, err)
			continue
		}
		if math.Abs(got-c.want) > 1e-12 || !strings.Contains(detail, c.detail) {
			t.Errorf("%s: %s = %v (%s), want %v (%q)", c.what, c.name, got, detail, c.want, c.detail)
		}
	}
}

// TestTargetWindowNotMeasured: no number without two snapshots in the
// window, without series at all (an older result), or for the metrics
// that take no window.
func TestTargetWindowNotMeasured(t *testing.T) {
	r := &Result{Header: Header{Started: mxStart}}
	old := tgHarvest()
	cases := []struct {
		what     string
		h        *TargetHarvest
		name     string
		from, to time.Duration
		why      string
	}{
		{"after the samples", twHarvest(nil), "store_latency.p99", 25 * time.Second, 30 * time.Second, "no two snapshots of the target's counters in the window: 0 taken"},
		{"one sample each", twHarvest(nil), "store_calls", 3500 * time.Millisecond, 4500 * time.Millisecond, "2 taken in it"},
		{"older result", old, "store_calls", 0, 5 * time.Second, "written before faultline kept them"},
		{"backlog", twHarvest(nil), "consumer_backlog", 0, 5 * time.Second, "takes no window qualifier"},
		{"no bus calls", twHarvest(nil), "store_latency.p99", 0, 5 * time.Second, "no bus calls traced for orders.create"},
	}
	for _, c := range cases {
		arg := "browse"
		if c.what == "no bus calls" {
			arg = "order"
		}
		got, _, err := c.h.MeasureWindow(r, c.name, arg, c.from, c.to)
		if err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: %s = %v, %v; want an error with %q", c.what, c.name, got, err, c.why)
		}
	}
}

// TestSeriesRecorder: samples keep only what changed; a new pid or a
// count that went down starts a new series holding the full counts.
func TestSeriesRecorder(t *testing.T) {
	var rec SeriesRecorder
	rec.Add("c", "catalog", 1, twSec(0), twCatalog(5, 0))
	rec.Add("c", "catalog", 1, twSec(1), twCatalog(5, 0)) // idle
	rec.Add("c", "catalog", 1, twSec(2), twCatalog(5, 2))
	rec.Add("c", "catalog", 1, twSec(3), twCatalog(3, 0)) // restarted, same pid
	rec.Add("c", "catalog", 2, twSec(4), twCatalog(4, 0)) // another process
	got := rec.Series()
	if len(got) != 3 || len(got[0].Samples) != 3 || len(got[1].Samples) != 1 || len(got[2].Samples) != 1 {
		t.Fatalf("series %+v, want 3 (3, 1, 1 samples)", got)
	}
	s := got[0]
	if s.Samples[1].D != nil || s.Samples[2].T != 2000 || !s.At(2).Equal(twSec(2)) {
		t.Errorf("idle sample %+v, third at %d ms; want no counts, 2000 ms", s.Samples[1], s.Samples[2].T)
	}
	d := s.Samples[2].D["catalog.get"]
	if d.Requests != 2 || len(d.Latency["bus"]) != 1 || d.Latency["bus"][0] != (LatencyBucket{LE: 40.96, N: 2}) {
		t.Errorf("change %+v, want 2 requests, 2 slow calls only", d)
	}
	if got[1].Samples[0].D["catalog.get"].Requests != 3 || got[2].PID != 2 || !got[2].Start.Equal(twSec(4)) {
		t.Errorf("restarts %+v %+v", got[1], got[2])
	}
}

// TestJudgeTargetWindows: through a result.json file, the judge measures the
// planned span of a qualifier (and a steady state's baseline) from the
// series, and the whole pass without one.
func TestJudgeTargetWindows(t *testing.T) {
	res := roundTrip(t, &Result{Header: Header{Schema: Schema, RunID: "tw", Started: mxStart},
		Events: []Event{{Time: twSec(21), Kind: EvHarvest, Params: map[string]any{"harvest": twHarvest(nil)}}}})
	sc := tgScenario(t, "20s", "slow-bus, at: 10s, duration: 5s, kind: latency, target: {service: catalog}, params: {latency: 40ms}", `steady_state:
  - store_latency.p99(browse) < 10ms
expect:
  - store_latency.p99(browse) < 10ms during phase(baseline)
  - store_latency.p50(browse) < 10ms during fault(slow-bus)
  - store_calls(browse) <= 0.5 after fault(slow-bus)
  - store_latency.p99(browse) < 10ms
`)
	want := []struct {
		status   string
		observed float64
	}{
		{StatusPass, 0.32e-3},   // steady state: baseline 0..10 s
		{StatusPass, 0.32e-3},   // 0..10 s
		{StatusFail, 40.96e-3},  // 10..15 s
		{StatusFail, 25.0 / 45}, // 15..20 s: 50 requests, 5 throttled
		{StatusFail, 40.96e-3},  // whole pass, the final counts: the fixture's 2 slow calls of 150
	}
	got := Judge(sc, scenarios.NewPlan(sc), res, "")
	if len(got) != len(want) {
		t.Fatalf("%d verdicts, want %d", len(got), len(want))
	}
	for i, v := range got {
		if v.Status != want[i].status || math.Abs(v.Observed-want[i].observed) > 1e-12 {
			t.Errorf("%s: %s observed %v (%s); want %s, %v", v.Expectation, v.Status, v.Observed, v.Detail, want[i].status, want[i].observed)
		}
	}
}
