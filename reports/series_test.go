package reports

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// Histograms from N agents' windows, merged per slot, give exactly the
// percentiles of one histogram of all the samples; so does a Summary.
func TestSeriesMergedPercentilesExact(t *testing.T) {
	const agents, seconds, per = 5, 10, 400
	rng := rand.New(rand.NewPCG(9, 9))
	res := &Result{Header: Header{Schema: Schema, Started: fixtureStart}}
	perSlot := make([]*Hist, seconds)
	all := NewHist()
	for s := 0; s < seconds; s++ {
		perSlot[s] = NewHist()
		for a := 0; a < agents; a++ {
			// Agents' clocks and window phases differ by up to 900 ms.
			w := Window{AgentID: agentName(a), Seq: uint64(s), Endpoint: "e",
				Start:   fixtureStart.Add(time.Duration(s)*time.Second + time.Duration(a*180)*time.Millisecond),
				Latency: NewHist()}
			for i := 0; i < per; i++ {
				// Each agent sees a different distribution, so an average
				// of per-agent percentiles would be visibly wrong.
				d := time.Duration(rng.ExpFloat64()*float64(a+1)*20) * time.Millisecond
				w.Latency.Record(d)
				perSlot[s].Record(d)
				all.Record(d)
				w.Requests++
				if i%10 != 0 {
					w.Good++
				}
			}
			res.Windows = append(res.Windows, w)
		}
	}
	res = roundTrip(t, res) // merge histograms that came from JSON, as in real use
	pts := res.Series("e")
	if len(pts) != seconds {
		t.Fatalf("%d points, want %d", len(pts), seconds)
	}
	for s, p := range pts {
		want := perSlot[s]
		if p.At != time.Duration(s)*time.Second || p.Windows != agents || p.Requests != agents*per {
			t.Fatalf("slot %d: at %v windows %d requests %d", s, p.At, p.Windows, p.Requests)
		}
		for _, c := range []struct {
			q   float64
			got time.Duration
		}{{50, p.P50}, {90, p.P90}, {99, p.P99}, {99.9, p.P999}} {
			if c.got != want.Quantile(c.q) {
				t.Errorf("slot %d p%v: merged %v, single histogram %v", s, c.q, c.got, want.Quantile(c.q))
			}
		}
		if math.Abs(p.Availability-0.9) > 1e-9 {
			t.Errorf("slot %d availability %v, want 0.9", s, p.Availability)
		}
	}
	sum := res.Summary("e", 0, 0)
	if sum.P99 != all.Quantile(99) || sum.P999 != all.Quantile(99.9) || sum.Latency.Count() != all.Count() {
		t.Errorf("summary p99 %v p999 %v n %d, want %v %v %d", sum.P99, sum.P999, sum.Latency.Count(), all.Quantile(99), all.Quantile(99.9), all.Count())
	}
}

func roundTrip(t *testing.T, res *Result) *Result {
	t.Helper()
	dir := t.TempDir()
	if err := WriteJSON(dir+"/r.json", res); err != nil {
		t.Fatal(err)
	}
	back, err := Load(dir + "/r.json")
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// Summaries over the fault window and outside it measure what the fixture
// injected: 20% of orders fail (plus one timeout per window) during 10-20 s.
func TestSummaryRanges(t *testing.T) {
	res := fixture(fixtureConfig{seed: 11, seconds: 30, agents: 2, endpoints: []string{"browse", "orders"}, rate: 1000})
	cases := []struct {
		name     string
		ep       string
		from, to time.Duration
		avail    float64
		tol      float64
		slots    int
	}{
		// The fault: 1 in 5 fail, measured 20% ± 1 point.
		{"orders during fault", "orders", 10 * time.Second, 20 * time.Second, 0.8, 0.01, 10},
		// Before the fault nothing fails.
		{"orders before", "orders", 0, 10 * time.Second, 1, 0, 10},
		// After: to 0 means the end of the run.
		{"orders after", "orders", 20 * time.Second, 0, 1, 0, 10},
		// The other endpoint is untouched all along.
		{"browse whole run", "browse", 0, 0, 1, 0, 30},
	}
	for _, c := range cases {
		s := res.Summary(c.ep, c.from, c.to)
		if math.Abs(s.Availability-c.avail) > c.tol || s.Slots != c.slots {
			t.Errorf("%s: availability %.4f slots %d, want %.3f ± %.3f and %d", c.name, s.Availability, s.Slots, c.avail, c.tol, c.slots)
		}
	}
	if s := res.Summary("orders", 10*time.Second, 20*time.Second); s.P50 < 100*time.Millisecond || s.ErrorClasses["timeout"] != 20 || s.Status[503] == 0 {
		t.Errorf("fault summary: p50 %v timeouts %d 503s %d", s.P50, s.ErrorClasses["timeout"], s.Status[503])
	}
}

// No requests is undefined availability, never 100%.
func TestSeriesEmpty(t *testing.T) {
	res := &Result{Header: Header{Started: fixtureStart}, Windows: []Window{{Endpoint: "e", Start: fixtureStart.Add(-300 * time.Millisecond)}}}
	pts := res.Series("e")
	if len(pts) != 1 || !math.IsNaN(pts[0].Availability) || pts[0].At != -time.Second {
		t.Fatalf("points %+v, want one at -1s with NaN availability", pts)
	}
	if s := res.Summary("missing", 0, 0); s.Windows != 0 || !math.IsNaN(s.Availability) {
		t.Fatalf("summary of missing endpoint: %+v", s)
	}
}
