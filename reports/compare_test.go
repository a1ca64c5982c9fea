package reports

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestMannWhitneyU(t *testing.T) {
	cases := []struct {
		name string
		x, y []float64
		u, p float64 // p with tolerance 1e-4; p < 0 means "don't check"
	}{
		// Complete separation, no ties: U = 0, z = (0-12.5+0.5)/sqrt(25*11/12),
		// p = 0.01219 (what scipy's asymptotic test with continuity gives).
		{"separated", []float64{1, 2, 3, 4, 5}, []float64{6, 7, 8, 9, 10}, 0, 0.01219},
		// The same sample against itself: U at its mean, p = 1.
		{"identical", []float64{1, 2, 3}, []float64{1, 2, 3}, 4.5, 1},
		// Everything tied: the variance is 0 and no difference can be seen.
		{"all tied", []float64{1, 1, 1}, []float64{1, 1, 1, 1}, 6, 1},
		// An empty side: nothing to test.
		{"empty", nil, []float64{1}, 0, 1},
	}
	for _, c := range cases {
		got := MannWhitneyU(c.x, c.y)
		if got.U != c.u || math.Abs(got.P-c.p) > 1e-4 {
			t.Errorf("%s: U %v p %.5f, want %v %.5f", c.name, got.U, got.P, c.u, c.p)
		}
	}
}

// With ties, U still equals the pair count (ties count one half), and the
// tie-corrected variance makes p smaller than without correction.
func TestMannWhitneyTies(t *testing.T) {
	x := []float64{1, 1, 2, 2, 3, 3, 3, 4}
	y := []float64{2, 3, 3, 4, 4, 5, 5, 5}
	var pairs float64
	for _, a := range x {
		for _, b := range y {
			switch {
			case a > b:
				pairs++
			case a == b:
				pairs += 0.5
			}
		}
	}
	got := MannWhitneyU(x, y)
	if got.U != pairs {
		t.Fatalf("U %v, want pair count %v", got.U, pairs)
	}
	// Without the tie correction: sigma = sqrt(64*17/12).
	d := math.Abs(got.U-32) - 0.5
	zNoTie := d / math.Sqrt(64.0*17/12)
	if math.Abs(got.Z) <= zNoTie {
		t.Errorf("|z| %v not above the uncorrected %v: ties not corrected", math.Abs(got.Z), zNoTie)
	}
}

func TestHodgesLehmann(t *testing.T) {
	var x, y []float64
	for i := 0; i < 30; i++ {
		x = append(x, float64(i))
		y = append(y, float64(i)+5)
	}
	shift, lo, hi, thinned := HodgesLehmann(x, y, 0.95)
	if shift != 5 || lo > 5 || hi < 5 || hi-lo > 20 || thinned {
		t.Errorf("shift %v CI [%v, %v] thinned %v, want 5 inside a CI", shift, lo, hi, thinned)
	}
	// Large samples are thinned, and the estimate holds.
	rng := rand.New(rand.NewPCG(1, 2))
	var bx, by []float64
	for i := 0; i < 3000; i++ {
		bx = append(bx, rng.NormFloat64())
		by = append(by, rng.NormFloat64()+1)
	}
	shift, lo, hi, thinned = HodgesLehmann(bx, by, 0.95)
	if !thinned || math.Abs(shift-1) > 0.1 || lo > 1 || hi < 1 {
		t.Errorf("large: shift %v CI [%v, %v] thinned %v, want ~1", shift, lo, hi, thinned)
	}
}

// windowP99s draws n per-window p99 values of a noisy service: lognormal
// around 80 ms, as per-window tail percentiles are.
func windowP99s(rng *rand.Rand, n int, add time.Duration) []float64 {
	out := make([]float64, n)
	for i := range out {
		v := 0.080*math.Exp(0.25*rng.NormFloat64()) + add.Seconds()
		out[i] = v
	}
	return out
}

// A 20 ms shift of p99 on per-window samples is "worse" in at least 19 of
// 20 seeded trials; the same distribution is "same" in at least 19 of 20.
func TestCompareP99Trials(t *testing.T) {
	p99 := Metrics[3]
	worse, same := 0, 0
	for seed := uint64(0); seed < 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 99))
		base := windowP99s(rng, 60, 0)
		if CompareSamples("e", p99, base, windowP99s(rng, 60, 20*time.Millisecond), CompareConfig{}).Verdict == Worse {
			worse++
		}
		if CompareSamples("e", p99, base, windowP99s(rng, 60, 0), CompareConfig{}).Verdict == Same {
			same++
		}
	}
	if worse < 19 || same < 19 {
		t.Errorf("+20ms worse in %d/20, same-vs-same same in %d/20; want >= 19 each", worse, same)
	}
}

// synthRun is a run of 60 s, two endpoints, two agents, 100 requests per
// agent-window, with latencies exponential around 20 ms plus add, and a
// 0.5% error rate.
func synthRun(seed uint64, add time.Duration) *Result {
	rng := rand.New(rand.NewPCG(seed, 5))
	r := &Result{Header: Header{Schema: Schema, RunID: "synth", Started: fixtureStart}}
	for s := 0; s < 60; s++ {
		for a := 0; a < 2; a++ {
			for _, ep := range []string{"browse", "orders"} {
				w := Window{AgentID: agentName(a), Seq: uint64(s), Endpoint: ep,
					Start: fixtureStart.Add(time.Duration(s) * time.Second), Latency: NewHist()}
				for i := 0; i < 100; i++ {
					w.Latency.Record(time.Duration((2+rng.ExpFloat64()*18)*float64(time.Millisecond)) + add)
					w.Requests++
					if rng.Float64() >= 0.005 {
						w.Good++
					}
				}
				r.Windows = append(r.Windows, w)
			}
		}
	}
	return r
}

// Whole runs: two runs of the same synthetic scenario compare as "same" on
// every metric in at least 19 of 20 seeded trials; a head 20 ms slower on
// every request is "worse" in p99 in 20 of 20.
func TestCompareRunsTrials(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 60 synthetic runs")
	}
	same, worse := 0, 0
	for seed := uint64(0); seed < 20; seed++ {
		base := Group{Name: "base", Results: []*Result{synthRun(seed*3, 0)}}
		c := Compare(base, Group{Name: "head", Results: []*Result{synthRun(seed*3+1, 0)}}, CompareConfig{})
		if c.Worst() == Same {
			same++
		}
		c = Compare(base, Group{Name: "slow", Results: []*Result{synthRun(seed*3+2, 20*time.Millisecond)}}, CompareConfig{})
		for _, d := range c.Diffs {
			if d.Endpoint == "orders" && d.Metric == "p99" && d.Verdict == Worse && math.Abs(d.Shift-0.020) < 0.01 {
				worse++
			}
		}
	}
	if same < 19 || worse < 19 {
		t.Errorf("same-vs-same same in %d/20, +20ms worse in %d/20; want >= 19", same, worse)
	}
}

// Directories of repeated runs pool their windows.
func TestLoadGroup(t *testing.T) {
	dir := t.TempDir()
	for i, seed := range []uint64{1, 2, 3} {
		res := fixture(fixtureConfig{seed: seed, seconds: 5, agents: 1, endpoints: []string{"browse"}, rate: 10})
		if _, err := writeFixture(filepath.Join(dir, "run"+string(rune('a'+i))), res, true); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644)
	g, err := LoadGroup(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Results) != 3 || len(g.Samples("browse", Metrics[0])) != 15 {
		t.Fatalf("%d results, %d samples; want 3 and 15", len(g.Results), len(g.Samples("browse", Metrics[0])))
	}
	one, err := LoadGroup(filepath.Join(dir, "runa"))
	if err != nil || len(one.Results) != 1 {
		t.Fatalf("run dir as group: %v, %d results", err, len(one.Results))
	}
	if _, err := LoadGroup(t.TempDir()); err == nil {
		t.Fatal("empty directory accepted as a group")
	}
}
