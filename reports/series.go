package reports

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"time"
)

// SlotLength is the width of the time slots windows are merged into.
const SlotLength = time.Second

// Point is one time slot of one endpoint, merged across every agent's
// windows that started in it: counts add, histograms merge, and the
// percentiles are read from the merged histogram (never averaged).
type Point struct {
	// At is the slot's start as an offset from the run's origin.
	At time.Duration
	// Windows is how many agent windows were merged into this slot.
	Windows  int
	Requests int64
	Good     int64
	// Errors is Requests - Good: requests that were not good.
	Errors   int64
	Intended int64
	// Availability is Good / Requests, NaN when there were no requests
	// (undefined, not 100%).
	Availability float64
	// Corrected latency percentiles (completion minus intended send time).
	P50, P90, P99, P999 time.Duration
	// Behind is the largest schedule lag any agent reported in the slot.
	Behind time.Duration
}

// Summary is one endpoint merged over a time range.
type Summary struct {
	Endpoint string
	// From and To are the range asked for (offsets from the origin).
	From, To time.Duration
	Windows  int
	// Slots is how many distinct time slots had windows.
	Slots        int
	Requests     int64
	Good         int64
	Errors       int64
	Intended     int64
	Availability float64 // NaN when Requests is 0
	Status       map[int]int64
	ErrorClasses map[string]int64
	Deps         map[string]int64
	// Latency (corrected) and Service (raw) merged over the range, and
	// GoodLatency: Latency of good responses only (empty for windows
	// written before it was recorded).
	Latency, Service *Hist
	GoodLatency      *Hist
	P50, P90, P99    time.Duration
	P999, ServiceP99 time.Duration
	MaxBehind        time.Duration
	Agents           []string
}

// Origin is the time offsets count from: the header's start, or the
// earliest window when the header has none.
func (r *Result) Origin() time.Time {
	if !r.Header.Started.IsZero() {
		return r.Header.Started
	}
	var o time.Time
	for _, w := range r.Windows {
		if o.IsZero() || w.Start.Before(o) {
			o = w.Start
		}
	}
	return o
}

// Endpoints lists the endpoints that have windows, sorted.
func (r *Result) Endpoints() []string {
	set := map[string]bool{}
	for _, w := range r.Windows {
		set[w.Endpoint] = true
	}
	out := make([]string, 0, len(set))
	for e := range set {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// slot returns the slot index of a window start.
func slot(origin, start time.Time) int64 {
	d := start.Sub(origin)
	s := int64(d / SlotLength)
	if d < 0 && d%SlotLength != 0 {
		s-- // floor, so that slightly early windows land in slot -1
	}
	return s
}

// Series returns endpoint's merged points, one per slot with windows, in
// time order. Slots are merged one at a time, so memory holds one merged
// histogram however long the run.
func (r *Result) Series(endpoint string) []Point {
	origin := r.Origin()
	type ref struct {
		slot int64
		i    int
	}
	var refs []ref
	for i, w := range r.Windows {
		if w.Endpoint == endpoint {
			refs = append(refs, ref{slot(origin, w.Start), i})
		}
	}
	slices.SortStableFunc(refs, func(a, b ref) int { return cmp.Compare(a.slot, b.slot) })
	var out []Point
	var sum histSum // one merge buffer reused for every slot
	for i := 0; i < len(refs); {
		j := i
		p := Point{At: time.Duration(refs[i].slot) * SlotLength}
		for ; j < len(refs) && refs[j].slot == refs[i].slot; j++ {
			w := &r.Windows[refs[j].i]
			p.Windows++
			p.Requests += w.Requests
			p.Good += w.Good
			p.Intended += w.Intended
			p.Behind = max(p.Behind, w.Behind)
		}
		var h *Hist
		if j-i == 1 {
			h = r.Windows[refs[i].i].Latency // one window: nothing to merge
		} else {
			sum.reset()
			for k := i; k < j; k++ {
				sum.add(r.Windows[refs[k].i].Latency)
			}
			h = sum.view()
		}
		p.Errors = p.Requests - p.Good
		p.Availability = ratio(p.Good, p.Requests)
		p.P50, p.P90, p.P99, p.P999 = h.Quantile(50), h.Quantile(90), h.Quantile(99), h.Quantile(99.9)
		out = append(out, p)
		i = j
	}
	return out
}

// Range is a time range of offsets from the origin: windows whose slot
// starts in [From, To). A To of 0 or less means "to the end".
type Range struct {
	From, To time.Duration
}

func (g Range) holds(at time.Duration) bool {
	return at >= g.From && (g.To <= 0 || at < g.To)
}

// Summary merges endpoint's windows whose slot starts in [from, to),
// offsets from Origin. A to of 0 or less means "to the end".
func (r *Result) Summary(endpoint string, from, to time.Duration) Summary {
	return r.Summaries(endpoint, []Range{{from, to}})[0]
}

// Summaries is Summary for several ranges in one pass: each window's
// histograms are decoded once (the costly part) and merged into every
// range that holds the window.
func (r *Result) Summaries(endpoint string, ranges []Range) []Summary {
	origin := r.Origin()
	out := make([]Summary, len(ranges))
	lats, svcs, goods := make([]histSum, len(ranges)), make([]histSum, len(ranges)), make([]histSum, len(ranges))
	slots := make([]map[int64]bool, len(ranges))
	agents := make([]map[string]bool, len(ranges))
	for i, g := range ranges {
		out[i] = Summary{Endpoint: endpoint, From: g.From, To: g.To, Latency: NewHist(), Service: NewHist(),
			Status: map[int]int64{}, ErrorClasses: map[string]int64{}, Deps: map[string]int64{}}
		slots[i], agents[i] = map[int64]bool{}, map[string]bool{}
	}
	in := make([]int, 0, len(ranges))
	for wi := range r.Windows {
		w := &r.Windows[wi]
		if w.Endpoint != endpoint {
			continue
		}
		sl := slot(origin, w.Start)
		at := time.Duration(sl) * SlotLength
		in = in[:0]
		for i, g := range ranges {
			if g.holds(at) {
				in = append(in, i)
			}
		}
		if len(in) == 0 {
			continue
		}
		lat, svc := w.Latency, w.Service
		for _, i := range in {
			s := &out[i]
			s.Windows++
			slots[i][sl] = true
			agents[i][w.AgentID] = true
			s.Requests += w.Requests
			s.Good += w.Good
			s.Intended += w.Intended
			s.MaxBehind = max(s.MaxBehind, w.Behind)
			addCounts(s.Status, w.Status)
			addCounts(s.ErrorClasses, w.Errors)
			addCounts(s.Deps, w.Deps)
			lats[i].add(lat)
			svcs[i].add(svc)
			goods[i].add(w.GoodLatency)
		}
	}
	for i := range out {
		s := &out[i]
		s.Latency, s.Service, s.GoodLatency = lats[i].hist(), svcs[i].hist(), goods[i].hist()
		s.Slots = len(slots[i])
		s.Errors = s.Requests - s.Good
		s.Availability = ratio(s.Good, s.Requests)
		s.P50, s.P90, s.P99, s.P999 = s.Latency.Quantile(50), s.Latency.Quantile(90), s.Latency.Quantile(99), s.Latency.Quantile(99.9)
		s.ServiceP99 = s.Service.Quantile(99)
		for a := range agents[i] {
			s.Agents = append(s.Agents, a)
		}
		sort.Strings(s.Agents)
	}
	return out
}

func addCounts[K comparable](dst, src map[K]int64) {
	for k, v := range src {
		dst[k] += v
	}
}

// ratio is a/b, NaN when b is 0.
func ratio(a, b int64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}
