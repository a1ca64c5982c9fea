package reports

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func TestLiveMetrics(t *testing.T) {
	l := NewLive()
	// Two agents' windows for one endpoint: 90 fast (2 ms) and 10 slow
	// (300 ms) requests, 5 of them failed.
	for agent, n := range map[string]int{"a1": 60, "a2": 40} {
		w := Window{AgentID: agent, Endpoint: "browse", Requests: int64(n), Good: int64(n), Intended: int64(n),
			Status: map[int]int64{200: int64(n)}, Latency: NewHist()}
		for i := 0; i < n; i++ {
			d := 2 * time.Millisecond
			if (agent == "a1" && i < 6) || (agent == "a2" && i < 4) {
				d = 300 * time.Millisecond
			}
			w.Latency.Record(d)
		}
		if agent == "a2" {
			w.Good -= 5
			w.Status = map[int]int64{200: 35, 503: 5}
			w.Errors = map[string]int64{"http_503": 5}
		}
		if err := l.Window(w); err != nil {
			t.Fatal(err)
		}
	}
	_ = l.Event(Event{Kind: EvFaultApplied, Fault: "kill-orders"})
	_ = l.Event(Event{Kind: EvFaultApplied, Fault: "slow-db"})
	_ = l.Event(Event{Kind: EvFaultReverted, Fault: "slow-db"})
	_ = l.Agent(Agent{ID: "a1"})
	_ = l.Agent(Agent{ID: "a2"})
	l.SetAgentState("a2", "suspect")

	reg := prometheus.NewRegistry()
	reg.MustRegister(l)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]*dto.Metric{}
	for _, mf := range mfs {
		got[mf.GetName()] = mf.Metric
	}
	value := func(name string) float64 {
		ms := got[name]
		if len(ms) != 1 {
			t.Fatalf("%s: %d series, want 1", name, len(ms))
		}
		m := ms[0]
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		}
		return -1
	}
	if v := value("faultline_requests_total"); v != 100 {
		t.Errorf("requests %v, want 100", v)
	}
	if v := value("faultline_good_requests_total"); v != 95 {
		t.Errorf("good %v, want 95", v)
	}
	if v := value("faultline_active_faults"); v != 1 {
		t.Errorf("active faults %v, want 1", v)
	}
	h := got["faultline_latency_seconds"][0].Histogram
	if h.GetSampleCount() != 100 {
		t.Fatalf("latency count %d, want 100", h.GetSampleCount())
	}
	// Cumulative buckets: 90 fast ones by 2.5 ms, all 100 by 0.5 s.
	want := map[float64]uint64{.001: 0, .0025: 90, .25: 90, .5: 100, 10: 100}
	for _, b := range h.Bucket {
		if w, ok := want[b.GetUpperBound()]; ok && b.GetCumulativeCount() != w {
			t.Errorf("bucket le=%v: %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), w)
		}
	}
	states := map[string]float64{}
	for _, m := range got["faultline_agents"] {
		states[m.Label[0].GetValue()] = m.Gauge.GetValue()
	}
	if states["alive"] != 1 || states["suspect"] != 1 {
		t.Errorf("agents by state %v, want alive 1 and suspect 1", states)
	}
}
