package load

import (
	"context"
	"encoding/json"
	"math/rand"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/reports"
)

// Windows merge exactly: samples recorded across 20 windows, each sent as
// JSON, then merged, give the same percentiles as one histogram of all of
// them. Percentiles are never averaged.
func TestWindowsMergeExactly(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	a := newAccum()
	all := reports.NewHist()
	merged := reports.NewHist()
	for w := 0; w < 20; w++ {
		for i := 0; i < 500; i++ {
			// A long tail: most under 10 ms, some up to 2 s.
			d := time.Duration(rng.ExpFloat64() * float64(3*time.Millisecond))
			if rng.Intn(50) == 0 {
				d = time.Duration(rng.Int63n(int64(2 * time.Second)))
			}
			a.record(outcome{status: 200, goodCode: true, latency: d, service: d})
			all.Record(d)
		}
		got := a.take()
		raw, err := json.Marshal(reports.Window{Latency: got.lat})
		if err != nil {
			t.Fatal(err)
		}
		var back reports.Window
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatal(err)
		}
		merged.Merge(back.Latency)
	}
	for _, q := range []float64{50, 90, 99, 99.9, 100} {
		if m, s := merged.Quantile(q), all.Quantile(q); m != s {
			t.Errorf("p%v: merged %s, single %s", q, m, s)
		}
	}
	if merged.Count() != 10000 {
		t.Errorf("count %d", merged.Count())
	}
}

// Two agents on one schedule origin, each with half the share, together
// offer the whole rate; when one leaves and the other takes its share, the
// offered rate holds.
func TestTwoAgentsShareTheRate(t *testing.T) {
	srv := newArrivals(t, time.Now(), nil)
	start := time.Now().Add(200 * time.Millisecond)
	mk := func(id string) *Engine {
		e, err := New(Config{RunID: "r", AgentID: id, BaseURL: srv.srv.URL, Share: 0.5, Start: start, Seed: 3,
			Load: constLoad(400, 3*time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	a, b := mk("a"), mk("b")
	out := make(chan reports.Window, 64)
	var wg sync.WaitGroup
	for _, e := range []*Engine{a, b} {
		wg.Add(1)
		go func() { defer wg.Done(); _ = e.Run(context.Background(), out) }()
	}
	// b leaves after 1.5 s; a takes the whole rate.
	time.Sleep(time.Until(start.Add(1500 * time.Millisecond)))
	b.Stop()
	a.SetShare(1)
	wg.Wait()
	close(out)
	var ws []reports.Window
	for w := range out {
		ws = append(ws, w)
	}
	perSeq := map[uint64]int64{}
	for _, w := range ws {
		perSeq[w.Seq] += w.Intended
	}
	// Each second the two together intended 400, give or take the hits of
	// the moment of the hand-over.
	for s := uint64(0); s < 3; s++ {
		if n := perSeq[s]; n < 395 || n > 405 {
			t.Errorf("second %d: %d intended across agents, want 400", s, n)
		}
	}
}
