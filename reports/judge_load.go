package reports

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// load is a merge of windows: counts add, histograms merge.
type load struct {
	Requests, Good, Intended int64
	Behind                   time.Duration
	Latency, Service         *Hist
	GoodLatency              *Hist
	// Span is how long the merged windows cover, for rates.
	Span time.Duration
}

func newLoad() *load { return &load{Latency: NewHist(), Service: NewHist(), GoodLatency: NewHist()} }

func (l *load) addSummary(s Summary) {
	l.Requests += s.Requests
	l.Good += s.Good
	l.Intended += s.Intended
	l.Behind = max(l.Behind, s.MaxBehind)
	l.Latency.Merge(s.Latency)
	l.Service.Merge(s.Service)
	l.GoodLatency.Merge(s.GoodLatency)
}

func (l *load) addWindow(w *Window) {
	l.Requests += w.Requests
	l.Good += w.Good
	l.Intended += w.Intended
	l.Behind = max(l.Behind, w.Behind)
	l.Latency.Merge(w.Latency)
	l.Service.Merge(w.Service)
	l.GoodLatency.Merge(w.GoodLatency)
}

// value computes a load metric from the merge, NaN when undefined.
func (l *load) value(name string) float64 {
	sec := func(d time.Duration, n int64) float64 {
		if n == 0 {
			return math.NaN()
		}
		return d.Seconds()
	}
	switch name {
	case "availability":
		return ratio(l.Good, l.Requests)
	case "error_rate":
		return ratio(l.Requests-l.Good, l.Requests)
	case "p50":
		return sec(l.Latency.Quantile(50), l.Latency.Count())
	case "p90":
		return sec(l.Latency.Quantile(90), l.Latency.Count())
	case "p99":
		return sec(l.Latency.Quantile(99), l.Latency.Count())
	case "p999":
		return sec(l.Latency.Quantile(99.9), l.Latency.Count())
	case "service_p99":
		return sec(l.Service.Quantile(99), l.Service.Count())
	case "good_p50":
		return sec(l.GoodLatency.Quantile(50), l.GoodLatency.Count())
	case "good_p99":
		return sec(l.GoodLatency.Quantile(99), l.GoodLatency.Count())
	case "goodput":
		if l.Span <= 0 {
			return math.NaN()
		}
		return float64(l.Good) / l.Span.Seconds()
	case "rate":
		if l.Span <= 0 {
			return math.NaN()
		}
		return float64(l.Requests) / l.Span.Seconds()
	case "requests":
		return float64(l.Requests)
	case "behind":
		return l.Behind.Seconds()
	}
	return math.NaN()
}

// loadMetric evaluates an endpoint metric over [from, to): one endpoint,
// all endpoints merged (no argument), or each endpoint with the worst one
// reported (*).
func (j *judge) loadMetric(e *scenarios.Expr, m *scenarios.MetricRef, from, to time.Duration) (float64, string, error) {
	if (m.Name == "good_p50" || m.Name == "good_p99") && !j.r.hasGoodLatency() {
		return 0, "", fmt.Errorf("%s: this result's windows carry no latency of good responses (written before faultline recorded it)", NotMeasured)
	}
	span := j.span(from, to)
	switch m.Arg {
	case "":
		l := newLoad()
		for _, ep := range j.endpoints() {
			l.addSummary(j.summary(ep, from, to))
		}
		l.Span = span
		v, err := finite(l.value(m.Name), "requests", from, to)
		return v, "", err
	case "*":
		return j.worstEndpoint(e, m.Name, from, to, span)
	}
	l := newLoad()
	l.addSummary(j.summary(m.Arg, from, to))
	l.Span = span
	v, err := finite(l.value(m.Name), "requests to "+m.Arg, from, to)
	return v, "", err
}

// worstEndpoint evaluates the metric per endpoint and returns the value
// that comes closest to failing the comparison (the lowest for >= and >,
// the highest otherwise), naming its endpoint.
func (j *judge) worstEndpoint(e *scenarios.Expr, name string, from, to, span time.Duration) (float64, string, error) {
	lowIsBad := e.Op == ">=" || e.Op == ">"
	found := false
	var worst float64
	worstEP := ""
	var missing []string
	for _, ep := range j.endpoints() {
		l := newLoad()
		l.addSummary(j.summary(ep, from, to))
		l.Span = span
		v := l.value(name)
		if math.IsNaN(v) {
			missing = append(missing, ep)
			continue
		}
		if !found || (lowIsBad && v < worst) || (!lowIsBad && v > worst) {
			worst, worstEP, found = v, ep, true
		}
	}
	if !found {
		return 0, "", fmt.Errorf("no requests to any endpoint in [%s, %s)", from, to)
	}
	detail := "worst endpoint: " + worstEP
	if len(missing) > 0 {
		detail += fmt.Sprintf("; no requests to %v", missing)
	}
	return worst, detail, nil
}

// endpoints are the scenario's mix plus any others the result holds.
func (j *judge) endpoints() []string {
	set := map[string]bool{}
	for _, e := range j.s.Load.Mix {
		set[e.Name] = true
	}
	for _, e := range j.r.Endpoints() {
		set[e] = true
	}
	out := make([]string, 0, len(set))
	for e := range set {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// span is the part of [from, to) the result covers: a run cut short is
// rated over the time it ran, not the time it was planned.
func (j *judge) span(from, to time.Duration) time.Duration {
	end := to
	if got := j.r.Span(); got < end {
		end = got
	}
	return max(end-from, 0)
}

// hasGoodLatency reports whether the result's windows record the latency
// of good responses: results written before it was recorded have good
// responses but no such histogram, and must not read as "no requests".
func (r *Result) hasGoodLatency() bool {
	for i := range r.Windows {
		if r.Windows[i].GoodLatency != nil {
			return true
		}
	}
	return false
}
