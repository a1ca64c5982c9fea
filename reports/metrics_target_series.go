package reports

import (
	"maps"
	"slices"
	"sort"
	"time"
)

// TraceSeries is one process of one instance: its trace summary as the
// harvester sampled it, about every second while the pass ran and once
// after the load stopped. The windowed target metrics difference these
// cumulative counts at a window's ends.
//
// Samples are stored as changes, with only the non-zero entries, so an
// idle instance costs a few bytes a second: the first sample holds every
// count the process made until then, each later one what changed since
// the sample before. A new process (another pid), or any count that went
// down, starts a new series: its counters restarted from zero. In JSON
// a series is written compactly (seriesWire).
type TraceSeries struct {
	Instance string
	Role     string
	PID      int
	// Start is when the first sample was read; sample times count from it.
	Start   time.Time
	Samples []TraceSample
}

// TraceSample is one read of an instance's summary: T milliseconds after
// its series' Start, D the counts that changed since the previous sample
// (the first sample: all of them), by target endpoint.
type TraceSample struct {
	T int64
	D map[string]EndpointTraces
}

// At is when the sample was read.
func (s *TraceSeries) At(i int) time.Time {
	return s.Start.Add(time.Duration(s.Samples[i].T) * time.Millisecond)
}

// SeriesRecorder turns summaries read one after another into
// TraceSeries. It is not safe for concurrent use.
type SeriesRecorder struct {
	series []TraceSeries
	open   map[string]openSeries // instance id -> its current series
}

type openSeries struct {
	index int
	last  map[string]EndpointTraces
}

// Add records sums, instance id's summary read at at from process pid.
func (r *SeriesRecorder) Add(id, role string, pid int, at time.Time, sums map[string]EndpointTraces) {
	if r.open == nil {
		r.open = map[string]openSeries{}
	}
	if o, ok := r.open[id]; ok && r.series[o.index].PID == pid {
		if d, ok := summaryMinus(sums, o.last); ok {
			s := &r.series[o.index]
			s.Samples = append(s.Samples, TraceSample{T: at.Sub(s.Start).Milliseconds(), D: d})
			r.open[id] = openSeries{o.index, sums}
			return
		}
	}
	r.series = append(r.series, TraceSeries{Instance: id, Role: role, PID: pid, Start: at,
		Samples: []TraceSample{{D: nonEmpty(sums)}}})
	r.open[id] = openSeries{len(r.series) - 1, sums}
}

// Series returns a copy of the series recorded so far.
func (r *SeriesRecorder) Series() []TraceSeries {
	out := make([]TraceSeries, len(r.series))
	for i, s := range r.series {
		s.Samples = slices.Clone(s.Samples)
		out[i] = s
	}
	return out
}

// summaryMinus returns cur − prev per endpoint, only what changed; false
// if some count went down (the counters restarted).
func summaryMinus(cur, prev map[string]EndpointTraces) (map[string]EndpointTraces, bool) {
	out := map[string]EndpointTraces{}
	for _, ep := range unionKeys(cur, prev) {
		d, ok := cur[ep].minus(prev[ep])
		if !ok {
			return nil, false
		}
		if !d.empty() {
			out[ep] = d
		}
	}
	if len(out) == 0 {
		return nil, true
	}
	return out, true
}

func nonEmpty(sums map[string]EndpointTraces) map[string]EndpointTraces {
	d, _ := summaryMinus(sums, nil)
	return d
}

// minus returns t − o with only the non-zero counts, and false when a
// count of o exceeds t's.
func (t EndpointTraces) minus(o EndpointTraces) (EndpointTraces, bool) {
	d := EndpointTraces{Requests: t.Requests - o.Requests}
	ok := d.Requests >= 0
	for _, st := range unionKeys(t.Status, o.Status) {
		if n := t.Status[st] - o.Status[st]; n != 0 {
			ok = ok && n > 0
			d.Status = setIn(d.Status, st, n)
		}
	}
	for _, dep := range unionKeys(t.Deps, o.Deps) {
		for _, k := range unionKeys(t.Deps[dep], o.Deps[dep]) {
			if n := t.Deps[dep][k] - o.Deps[dep][k]; n != 0 {
				ok = ok && n > 0
				if d.Deps == nil {
					d.Deps = map[string]map[string]int{}
				}
				d.Deps[dep] = setIn(d.Deps[dep], k, n)
			}
		}
	}
	for _, dep := range unionKeys(t.Latency, o.Latency) {
		b, bok := bucketsMinus(t.Latency[dep], o.Latency[dep])
		ok = ok && bok
		if len(b) > 0 {
			if d.Latency == nil {
				d.Latency = map[string][]LatencyBucket{}
			}
			d.Latency[dep] = b
		}
	}
	return d, ok
}

// bucketsMinus subtracts histogram o from t bucket by bound, keeping the
// non-zero differences; false when one is negative.
func bucketsMinus(t, o []LatencyBucket) ([]LatencyBucket, bool) {
	had := map[float64]int64{}
	for _, b := range o {
		had[b.LE] += b.N
	}
	var out []LatencyBucket
	for _, b := range t {
		if n := b.N - had[b.LE]; n != 0 {
			out = append(out, LatencyBucket{LE: b.LE, N: n})
		}
		delete(had, b.LE)
	}
	ok := true
	for _, b := range out {
		ok = ok && b.N > 0
	}
	for _, n := range had {
		ok = ok && n == 0
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LE < out[j].LE })
	return out, ok
}

func (t EndpointTraces) empty() bool {
	return t.Requests == 0 && len(t.Status) == 0 && len(t.Deps) == 0 && len(t.Latency) == 0
}

func setIn[K comparable](m map[K]int, k K, n int) map[K]int {
	if m == nil {
		m = map[K]int{}
	}
	m[k] = n
	return m
}

// unionKeys lists the keys of a and b, sorted.
func unionKeys[K interface{ ~int | ~string }, V any](a, b map[K]V) []K {
	set := maps.Clone(a)
	if set == nil {
		set = map[K]V{}
	}
	for k, v := range b {
		set[k] = v
	}
	return slices.Sorted(maps.Keys(set))
}
