package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/targets"
)

// fakeInventory is a target whose instances are loopback test servers.
type fakeInventory []targets.Instance

func (f fakeInventory) Instances(context.Context) ([]targets.Instance, error) { return f, nil }
func (f fakeInventory) Endpoints() []targets.Endpoint                         { return tracedEPs }

// adminServer serves fixed JSON per path on a loopback socket.
func adminServer(t *testing.T, paths map[string]func() any) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := paths[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(body())
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestHarvest: the harvester samples the consumer's backlog at most once
// per backlogEvery while it passes the target's events on, and at the end
// reads every instance's summary and the consumer's counts into one
// target_harvest event that the target metrics measure exactly.
func TestHarvest(t *testing.T) {
	fixed := func(v any) func() any { return func() any { return v } }
	gw := adminServer(t, map[string]func() any{"/traces/summary": fixed(map[string]any{
		"catalog.get": map[string]any{"requests": 40, "status": map[string]int{"200": 40},
			"deps": map[string]any{"catalog": map[string]int{"ok": 10}}, "latency": map[string]any{"catalog": []map[string]any{{"le_ms": 1.28, "n": 10}}}},
		"orders.create": map[string]any{"requests": 12, "status": map[string]int{"201": 12}},
	})})
	// catalog-1 is killed and replaced between two summary samples: its
	// first process read the bus 10 times (9 fast, 1 slow), the second 6
	// times (all fast); the harvest adds them.
	var replaced atomic.Bool
	cat := adminServer(t, map[string]func() any{"/traces/summary": func() any {
		if replaced.Load() {
			return map[string]any{"catalog.get": map[string]any{"requests": 6, "latency": map[string]any{"bus": []map[string]any{{"le_ms": 0.64, "n": 6}}}}}
		}
		return map[string]any{"catalog.get": map[string]any{"requests": 10, "latency": map[string]any{"bus": []map[string]any{{"le_ms": 0.64, "n": 9}, {"le_ms": 20.48, "n": 1}}}}}
	}})
	var backlog atomic.Int64
	backlog.Store(3)
	notify := adminServer(t, map[string]func() any{"/stats": func() any {
		n := max(backlog.Add(-1), 0) // drains by one per read
		return map[string]any{"delivered": 13, "unique": 11, "redelivered": 2, "backlog": n}
	}, "/traces/summary": fixed(map[string]any{})})
	inv := fakeInventory{
		{Role: "gateway", ID: "gateway-1", Admin: gw},
		{Role: "catalog", ID: "catalog-1", Admin: cat, PID: 100, State: targets.StateRunning},
		{Role: "catalog", ID: "catalog-2", Admin: "127.0.0.1:1"}, // dead
		{Role: "notify", ID: "notify-1", Admin: notify},
	}
	own := []reports.Event{{Time: time.Now(), Kind: reports.EvNote, Detail: "target: own event"}}
	h := newHarvester(inv, tracedMix, func(time.Time) []reports.Event { return own })
	for range 5 { // one sample: the calls come faster than backlogEvery
		if got := h.targetEvents(time.Time{}); len(got) != 1 || got[0].Detail != own[0].Detail {
			t.Fatalf("target events %v, want the target's own", got)
		}
	}
	inv[1].PID = 200
	replaced.Store(true)
	time.Sleep(max(summaryEvery, backlogEvery)) // both samples due again
	h.targetEvents(time.Time{})
	evs := h.harvest(context.Background())
	if len(evs) != 1 || evs[0].Kind != reports.EvHarvest {
		t.Fatalf("harvest events %+v", evs)
	}
	th := evs[0].Params["harvest"].(*reports.TargetHarvest)
	var samples []int64
	for _, s := range th.Backlog {
		samples = append(samples, s.Backlog)
	}
	if len(samples) != 3 || samples[0] != 2 || samples[1] != 1 || samples[2] != 0 {
		t.Errorf("backlog samples %v, want 2 1 0 (two during the pass, one at the end)", samples)
	}
	if len(th.Merged) != 1 || th.Merged[0] != "catalog-1" || th.Instances["catalog-1"].Endpoints["catalog.get"].Requests != 16 {
		t.Errorf("merged %v, catalog-1 %+v; want catalog-1's two processes added (16 requests)", th.Merged, th.Instances["catalog-1"])
	}
	if len(th.Instances) != 3 || len(th.Notes) != 1 || !strings.Contains(th.Notes[0], "catalog-2") {
		t.Errorf("instances %d, notes %q; want 3 and one note naming catalog-2", len(th.Instances), th.Notes)
	}
	if th.Producer != "order" || th.Endpoints["browse"] != "catalog.get" || th.Consumer == nil || th.Consumer.Instance != "notify-1" {
		t.Fatalf("harvest %+v, consumer %+v", th, th.Consumer)
	}
	// Every summary read is kept, per process: catalog-1's first, then
	// its second, read twice with the same counts (the second read adds
	// no changes); gateway-1, not running as far as the inventory says,
	// is read at the harvest only.
	perID := map[string][]reports.TraceSeries{}
	for _, s := range th.Series {
		perID[s.Instance] = append(perID[s.Instance], s)
	}
	c := perID["catalog-1"]
	if len(c) != 2 || c[0].PID != 100 || c[1].PID != 200 || len(c[1].Samples) != 2 ||
		c[1].Samples[0].D["catalog.get"].Requests != 6 || c[1].Samples[1].D != nil {
		t.Errorf("catalog-1 series %+v, want pid 100, then pid 200 from 6 requests, unchanged", c)
	}
	if g := perID["gateway-1"]; len(g) != 1 || len(g[0].Samples) != 1 || g[0].Samples[0].D["catalog.get"].Requests != 40 {
		t.Errorf("gateway-1 series %+v, want one sample of 40 requests", g)
	}
	res := &reports.Result{Events: evs}
	for _, c := range []struct {
		name, arg string
		want      float64
	}{
		{"backend_calls", "browse", 10.0 / 40},
		{"store_calls", "browse", 16.0 / 40},
		{"store_latency.p50", "browse", 0.64e-3},
		{"store_latency.p99", "browse", 20.48e-3}, // rank 16 of 16: the slow call of the first process
		{"consumer_backlog", "", 0},
		{"lost_deliveries", "", 1}, // 12 acknowledged, 11 delivered
	} {
		if got, d, err := res.Harvest().Measure(res, c.name, c.arg); err != nil || got != c.want {
			t.Errorf("%s(%s) = %v (%s), %v; want %v", c.name, c.arg, got, d, err, c.want)
		}
	}
}
