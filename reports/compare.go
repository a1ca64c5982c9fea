package reports

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Compare verdicts.
const (
	Better       = "better"
	Worse        = "worse"
	Same         = "same"
	Insufficient = "insufficient data"
)

// MinSamples is the fewest per-window samples on each side for a verdict;
// below it the Mann-Whitney normal approximation means little.
const MinSamples = 8

// CompareConfig sets how strict a comparison is.
type CompareConfig struct {
	// Confidence is 1 - alpha of the test and of the shift's interval.
	// Default 0.95.
	Confidence float64
	// Tolerance is the relative effect size below which a significant
	// shift still reads "same": |shift| <= Tolerance * |base median|.
	// Default 0.05 (5%).
	Tolerance float64
	// LatencyFloor and AvailabilityFloor are absolute tolerances, so that
	// a 0.2 ms change of a 2 ms p50 or 0.01 points of availability do not
	// fail a build. Defaults 1 ms and 0.001 (0.1 point).
	LatencyFloor      time.Duration
	AvailabilityFloor float64
}

func (c CompareConfig) withDefaults() CompareConfig {
	if c.Confidence <= 0 || c.Confidence >= 1 {
		c.Confidence = 0.95
	}
	if c.Tolerance < 0 || math.IsNaN(c.Tolerance) {
		c.Tolerance = 0
	} else if c.Tolerance == 0 {
		c.Tolerance = 0.05
	}
	if c.LatencyFloor <= 0 {
		c.LatencyFloor = time.Millisecond
	}
	if c.AvailabilityFloor <= 0 {
		c.AvailabilityFloor = 0.001
	}
	return c
}

// Metric is one per-window quantity compared between runs.
type Metric struct {
	Name string
	// Unit is "ratio" or "seconds".
	Unit string
	// HigherBetter is true for availability, false for latency.
	HigherBetter bool
	of           func(Point) (float64, bool)
}

// Metrics are the per-window metrics compare uses, per endpoint.
var Metrics = []Metric{
	{"availability", "ratio", true, func(p Point) (float64, bool) { return p.Availability, p.Requests > 0 }},
	{"p50", "seconds", false, func(p Point) (float64, bool) { return p.P50.Seconds(), p.Requests > 0 }},
	{"p90", "seconds", false, func(p Point) (float64, bool) { return p.P90.Seconds(), p.Requests > 0 }},
	{"p99", "seconds", false, func(p Point) (float64, bool) { return p.P99.Seconds(), p.Requests > 0 }},
	{"p99.9", "seconds", false, func(p Point) (float64, bool) { return p.P999.Seconds(), p.Requests > 0 }},
}

// Group is one side of a comparison: one run, or repeated runs pooled.
type Group struct {
	Name    string
	Results []*Result
}

// LoadGroup reads path as one side of a comparison: a result file, a run
// directory, or a directory of repeated runs (each a run directory or a
// result.json/.jsonl file directly inside it).
func LoadGroup(path string) (Group, error) {
	g := Group{Name: path}
	st, err := os.Stat(path)
	if err != nil {
		return g, fmt.Errorf("compare input %s: %w", path, err)
	}
	if !st.IsDir() || hasResult(path) {
		r, err := Load(path)
		if err != nil {
			return g, err
		}
		g.Results = []*Result{r}
		return g, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return g, fmt.Errorf("compare input %s: %w", path, err)
	}
	for _, e := range entries {
		p := filepath.Join(path, e.Name())
		ext := filepath.Ext(e.Name())
		if (e.IsDir() && hasResult(p)) || (!e.IsDir() && (ext == ".json" || ext == ".jsonl")) {
			r, err := Load(p)
			if err != nil {
				return g, err
			}
			g.Results = append(g.Results, r)
		}
	}
	if len(g.Results) == 0 {
		return g, fmt.Errorf("compare input %s: no result here; give a result.json, a run directory, or a directory of run directories", path)
	}
	return g, nil
}

func hasResult(dir string) bool {
	for _, n := range []string{ResultName, JSONLName} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return true
		}
	}
	return false
}

// Samples pools, over the group's runs, one value per merged window of
// endpoint for metric m.
func (g Group) Samples(endpoint string, m Metric) []float64 {
	return g.samples(endpoint)[m.Name]
}

// samples extracts every metric from one Series per run, since merging
// the windows is the costly part.
func (g Group) samples(endpoint string) map[string][]float64 {
	out := map[string][]float64{}
	for _, r := range g.Results {
		for _, p := range r.Series(endpoint) {
			for _, m := range Metrics {
				if v, ok := m.of(p); ok && !math.IsNaN(v) {
					out[m.Name] = append(out[m.Name], v)
				}
			}
		}
	}
	return out
}

// MetricDiff compares one metric of one endpoint.
type MetricDiff struct {
	Endpoint string
	Metric   string
	Unit     string
	// BaseMedian and HeadMedian are the samples' medians.
	BaseMedian, HeadMedian float64
	// Shift is the Hodges-Lehmann estimate of head - base, CILow..CIHigh
	// its interval at the configured confidence.
	Shift, CILow, CIHigh float64
	Test                 MannWhitney
	// PAdjusted is Test.P after Holm's correction over every metric of
	// the comparison (see Compare); the verdict uses it.
	PAdjusted float64
	// Tolerance is the absolute shift below which the verdict is "same".
	Tolerance float64
	Verdict   string
	// Thinned is set when the samples were too many for all pairwise
	// differences and were thinned evenly for the shift.
	Thinned bool
}

// Comparison is a head group against the base group, metric by metric.
type Comparison struct {
	Base, Head string
	Config     CompareConfig
	Diffs      []MetricDiff
	// base and head are each side's first run, for overlaid charts.
	base, head *Result
}

// Worst is the worst verdict: worse, else better, else same (insufficient
// data counts as same, and says so per metric).
func (c Comparison) Worst() string {
	v := Same
	for _, d := range c.Diffs {
		if d.Verdict == Worse {
			return Worse
		}
		if d.Verdict == Better {
			v = Better
		}
	}
	return v
}

// Compare compares head with base for every endpoint either has.
func Compare(base, head Group, cfg CompareConfig) Comparison {
	cfg = cfg.withDefaults()
	c := Comparison{Base: base.Name, Head: head.Name, Config: cfg}
	if len(base.Results) > 0 && len(head.Results) > 0 {
		c.base, c.head = base.Results[0], head.Results[0]
	}
	eps := map[string]bool{}
	for _, g := range []Group{base, head} {
		for _, r := range g.Results {
			for _, e := range r.Endpoints() {
				eps[e] = true
			}
		}
	}
	names := make([]string, 0, len(eps))
	for e := range eps {
		names = append(names, e)
	}
	sort.Strings(names)
	var better []bool
	for _, ep := range names {
		bs, hs := base.samples(ep), head.samples(ep)
		for _, m := range Metrics {
			c.Diffs = append(c.Diffs, compareSamples(ep, m, bs[m.Name], hs[m.Name], cfg))
			better = append(better, m.HigherBetter)
		}
	}
	holm(c.Diffs)
	for i := range c.Diffs {
		c.Diffs[i].Verdict = verdict(c.Diffs[i], better[i], cfg)
	}
	return c
}

// CompareSamples judges one metric on raw per-window samples, alone (no
// correction for other metrics).
func CompareSamples(endpoint string, m Metric, base, head []float64, cfg CompareConfig) MetricDiff {
	cfg = cfg.withDefaults()
	d := compareSamples(endpoint, m, base, head, cfg)
	d.PAdjusted = d.Test.P
	d.Verdict = verdict(d, m.HigherBetter, cfg)
	return d
}

// compareSamples computes one metric's test, shift and tolerance.
func compareSamples(ep string, m Metric, base, head []float64, cfg CompareConfig) MetricDiff {
	d := MetricDiff{Endpoint: ep, Metric: m.Name, Unit: m.Unit,
		BaseMedian: median(base), HeadMedian: median(head)}
	d.Test = MannWhitneyU(head, base)
	d.Shift, d.CILow, d.CIHigh, d.Thinned = HodgesLehmann(base, head, cfg.Confidence)
	// Availability is a ratio near 1: a relative tolerance of it would
	// hide a drop from 99.9% to 95%, so only the absolute floor applies.
	if m.Unit == "ratio" {
		d.Tolerance = cfg.AvailabilityFloor
	} else {
		d.Tolerance = math.Max(cfg.LatencyFloor.Seconds(), cfg.Tolerance*math.Abs(d.BaseMedian))
	}
	if len(base) < MinSamples || len(head) < MinSamples {
		d.Verdict = Insufficient
	}
	return d
}

// verdict is worse or better only when the difference is significant at
// the configured confidence (after Holm) and larger than the tolerance.
func verdict(d MetricDiff, higherBetter bool, cfg CompareConfig) string {
	switch {
	case d.Verdict == Insufficient:
		return Insufficient
	case d.PAdjusted >= 1-cfg.Confidence || math.Abs(d.Shift) <= d.Tolerance:
		return Same
	case (d.Shift > 0) == higherBetter:
		return Better
	default:
		return Worse
	}
}

// holm sets PAdjusted with Holm's step-down correction over the diffs that
// have enough data, so that the stated confidence holds for the whole
// comparison (ten metrics at 5% each would flag a false regression in
// about two runs of five).
func holm(ds []MetricDiff) {
	var idx []int
	for i := range ds {
		ds[i].PAdjusted = ds[i].Test.P
		if ds[i].Verdict != Insufficient {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return ds[idx[a]].Test.P < ds[idx[b]].Test.P })
	m := len(idx)
	running := 0.0
	for k, i := range idx {
		adj := math.Min(1, float64(m-k)*ds[i].Test.P)
		running = math.Max(running, adj)
		ds[i].PAdjusted = running
	}
}
