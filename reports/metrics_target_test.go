package reports

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// tgHarvest is a target harvest with known counts. The gateway served
// 1,000 catalog.get requests, 100 of them throttled (429): 900 count. It
// made 180 timed calls to catalog (the rest were hits) and 20 refused by
// a breaker, which no histogram holds. Two catalog instances read the
// bus 90 + 60 = 150 times: 100 calls at 0.32 ms (bucket bound), 48 at
// 2.56 ms and 2 at 40.96 ms. The gateway acknowledged 200 + 3 orders
// (201 and 202); notify got 198 distinct ones in 230 deliveries.
func tgHarvest() *TargetHarvest {
	b := func(le float64, n int64) LatencyBucket { return LatencyBucket{LE: le, N: n} }
	return &TargetHarvest{Edge: "gateway", Store: "bus", Producer: "order",
		Endpoints: map[string]string{"browse": "catalog.get", "order": "orders.create"},
		Instances: map[string]InstanceTraces{
			"gateway-1": {Role: "gateway", Endpoints: map[string]EndpointTraces{
				"catalog.get": {Requests: 1000, Status: map[int]int{200: 900, 429: 100},
					Deps:    map[string]map[string]int{"catalog": {"ok": 180, "breaker_open": 20}},
					Latency: map[string][]LatencyBucket{"catalog": {b(1.28, 180)}}},
				"orders.create": {Requests: 210, Status: map[int]int{201: 200, 202: 3, 503: 7},
					Latency: map[string][]LatencyBucket{"orders": {b(40.96, 210)}}},
			}},
			"catalog-1": {Role: "catalog", Endpoints: map[string]EndpointTraces{
				"catalog.get": {Requests: 100, Latency: map[string][]LatencyBucket{"bus": {b(0.32, 60), b(2.56, 30)}}},
			}},
			"catalog-2": {Role: "catalog", Endpoints: map[string]EndpointTraces{
				"catalog.get": {Requests: 80, Latency: map[string][]LatencyBucket{"bus": {b(0.32, 40), b(2.56, 18), b(40.96, 2)}}},
			}},
			"orders-1": {Role: "orders", Endpoints: map[string]EndpointTraces{
				"orders.create": {Requests: 210, Latency: map[string][]LatencyBucket{"bus": {b(5.12, 210)}}},
			}},
		},
		Consumer: &ConsumerStats{Instance: "notify-1", Delivered: 230, Unique: 198, Backlog: 0},
	}
}

// tgResult is a run with the harvest as its last event, a kill of
// notify-1 applied at 10 s and reverted at 13 s, its replacement at
// 14 s, and backlog samples every second from 9 s: 0, 4, 9, 12, 12, 7,
// 2, 0, 0.
func tgResult(h *TargetHarvest) *Result {
	at := func(s float64) time.Time { return mxStart.Add(time.Duration(s * float64(time.Second))) }
	for i, n := range []int64{0, 4, 9, 12, 12, 7, 2, 0, 0} {
		h.Backlog = append(h.Backlog, BacklogSample{Time: at(9 + float64(i)), Backlog: n})
	}
	return &Result{Header: Header{Schema: Schema, RunID: "tg", Started: mxStart}, Events: []Event{
		{Time: at(10), Kind: EvFaultApplied, Fault: "kill-notify", Instance: "notify-1"},
		{Time: at(13), Kind: EvFaultReverted, Fault: "kill-notify", Instance: "notify-1"},
		{Time: at(14), Kind: EvInstanceReplaced, Instance: "notify-1"},
		{Time: at(40), Kind: EvHarvest, Params: map[string]any{"harvest": h}},
	}}
}

// TestTargetMetrics: every target metric measures the fixture exactly.
func TestTargetMetrics(t *testing.T) {
	r := tgResult(tgHarvest())
	cases := []struct {
		name, arg string
		want      float64
		detail    string // a substring of the detail
	}{
		{"backend_calls", "browse", 180.0 / 900, "180 calls to the services behind it for 900 requests"},
		{"store_calls", "browse", 150.0 / 900, "150 calls to bus"},
		{"store_calls", "order", 210.0 / 210, "210 calls to bus"},
		// 150 calls: rank 75 is in the 0.32 ms bucket (100 calls), rank
		// 149 (p99) in the 40.96 ms one (the last 2).
		{"store_latency.p50", "browse", 0.32e-3, "150 bus calls"},
		{"store_latency.p99", "browse", 40.96e-3, "150 bus calls"},
		{"store_latency.p99", "order", 5.12e-3, "210 bus calls"},
		// Every endpoint together: 360 bus calls for 1,110 requests.
		{"store_calls", "", 360.0 / 1110, "360 calls to bus"},
		{"consumer_backlog", "", 0, "notify-1 holds 0"},
		{"lost_deliveries", "", 5, "203 order acknowledged by the gateway, 198 delivered"},
		// Replaced at 14 s; samples from then: 7, 2, 0 at 16 s. The 0 at
		// 9 s, before the kill, does not count.
		{"drain_time", "kill-notify", 2, "backlog empty from +16.0s"},
	}
	for _, c := range cases {
		got, detail, err := r.Harvest().Measure(r, c.name, c.arg)
		if err != nil {
			t.Errorf("%s(%s): %v", c.name, c.arg, err)
			continue
		}
		if math.Abs(got-c.want) > 1e-12 || !strings.Contains(detail, c.detail) {
			t.Errorf("%s(%s) = %v (%s), want %v (%q)", c.name, c.arg, got, detail, c.want, c.detail)
		}
	}
}

// TestTargetMetricsNotMeasured: what a harvest lacks is not measured,
// with the reason, never a number.
func TestTargetMetricsNotMeasured(t *testing.T) {
	cases := []struct {
		what      string
		edit      func(h *TargetHarvest, r *Result)
		name, arg string
		why       string
	}{
		{"no consumer", func(h *TargetHarvest, _ *Result) { h.Consumer = nil }, "lost_deliveries", "", "did not report"},
		{"backlog unknown", func(h *TargetHarvest, _ *Result) { h.Consumer.Backlog, h.Consumer.Error = -1, "timeout" }, "consumer_backlog", "", "timeout"},
		{"unknown endpoint", func(*TargetHarvest, *Result) {}, "backend_calls", "lookup", "no endpoint that serves lookup"},
		{"per endpoint", func(*TargetHarvest, *Result) {}, "store_calls", "*", "name one endpoint"},
		{"no bus calls", func(h *TargetHarvest, _ *Result) { delete(h.Instances, "orders-1") }, "store_latency.p99", "order", "no bus calls"},
		{"edge replaced", func(_ *TargetHarvest, r *Result) {
			r.Events = append(r.Events, Event{Time: mxStart, Kind: EvInstanceReplaced, Instance: "gateway-1"})
		}, "lost_deliveries", "", "gateway-1 was replaced"},
		{"unknown fault", func(*TargetHarvest, *Result) {}, "drain_time", "kill-bus", "no fault_applied"},
		{"no samples after", func(h *TargetHarvest, _ *Result) { h.Backlog = h.Backlog[:3] }, "drain_time", "kill-notify", "no backlog sample after"},
	}
	for _, c := range cases {
		h := tgHarvest()
		r := tgResult(h)
		c.edit(h, r)
		got, _, err := h.Measure(r, c.name, c.arg)
		if err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: %s(%s) = %v, %v; want an error with %q", c.what, c.name, c.arg, got, err, c.why)
		}
	}
	// One empty sample between full ones is a flicker, not a drain:
	// 14 s: 0, 15 s: 2, 16 s: 0, 17 s: 0 drains at 16 s.
	h0 := tgHarvest()
	r0 := tgResult(h0)
	h0.Backlog[5].Backlog = 0
	if got, d, err := h0.Measure(r0, "drain_time", "kill-notify"); err != nil || got != 2 {
		t.Errorf("drain_time with a flicker = %v (%s), %v; want 2", got, d, err)
	}
	// Only the last sample, read after the load stopped, is empty: it
	// counts on its own (17 s: 3 s after the replacement).
	h1 := tgHarvest()
	r1 := tgResult(h1)
	h1.Backlog[7].Backlog = 1
	if got, d, err := h1.Measure(r1, "drain_time", "kill-notify"); err != nil || got != 3 {
		t.Errorf("drain_time with only the last sample empty = %v (%s), %v; want 3", got, d, err)
	}
	// A backlog that never empties is a measured failure: Never.
	h := tgHarvest()
	r := tgResult(h)
	for i := range h.Backlog {
		h.Backlog[i].Backlog++
	}
	if got, _, err := h.Measure(r, "drain_time", "kill-notify"); err != nil || got != Never {
		t.Fatalf("drain_time of a backlog that never empties = %v, %v; want Never", got, err)
	}
}

// TestJudgeTargetMetrics: the judge reads the harvest back from a result
// file and judges the metrics; a result without a harvest is not
// measured, and one written before the harvest kept per-second series
// measures no window.
func TestJudgeTargetMetrics(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	src := tgResult(tgHarvest())
	if err := w.Header(src.Header); err != nil {
		t.Fatal(err)
	}
	for _, e := range src.Events {
		if err := w.Event(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(End{}); err != nil {
		t.Fatal(err)
	}
	res, err := Load(filepath.Join(dir, JSONLName))
	if err != nil {
		t.Fatal(err)
	}
	sc := tgScenario(t, "30s", "kill-notify, at: 8s, duration: 3s, kind: kill, target: {service: notify}", `expect:
  - backend_calls(browse) <= 0.25
  - store_latency.p99(browse) < 10ms
  - lost_deliveries == 0
  - drain_time(kill-notify) <= 5s
  - store_calls(browse) <= 1 during fault(kill-notify)
`)
	want := []struct {
		status   string
		observed float64
	}{{StatusPass, 0.2}, {StatusFail, 0.04096}, {StatusFail, 5}, {StatusPass, 2}, {StatusError, 0}}
	got := Judge(sc, scenarios.NewPlan(sc), res, scenarios.SectionExpect)
	if len(got) != len(want) {
		t.Fatalf("%d verdicts, want %d", len(got), len(want))
	}
	for i, v := range got {
		if v.Status != want[i].status || math.Abs(v.Observed-want[i].observed) > 1e-12 {
			t.Errorf("%s: %s observed %v (%s); want %s, %v", v.Expectation, v.Status, v.Observed, v.Detail, want[i].status, want[i].observed)
		}
	}
	if d := got[4].Detail; !strings.Contains(d, NotMeasured) || !strings.Contains(d, "before faultline kept them") {
		t.Errorf("windowed target metric without series: %q", d)
	}
	res.Events = res.Events[:3] // no harvest: an external target
	for _, v := range Judge(sc, scenarios.NewPlan(sc), res, scenarios.SectionExpect)[:4] {
		if v.Status != StatusError || !strings.Contains(v.Detail, NotMeasured) {
			t.Errorf("%s without a harvest: %s %q", v.Expectation, v.Status, v.Detail)
		}
	}
}

// tgScenario is an external-target scenario with browse and order, one
// fault (its YAML flow fields after the name) and the expectation
// sections given.
func tgScenario(t *testing.T, duration, fault, sections string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.Decode("tg.yaml", []byte(`version: 1
name: tg
target: {kind: external, base_url: "http://127.0.0.1:8080"}
load:
  rate: 10/s
  duration: `+duration+`
  mix:
    - {name: browse, path: /catalog/items/1}
    - {name: order, method: POST, path: /orders}
timeline:
  - {name: `+fault+`}
`+sections))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
