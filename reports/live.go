package reports

import (
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// LiveBuckets are the upper bounds, in seconds, of the live latency
// histogram: Prometheus needs fixed buckets, and these straddle the usual
// SLO thresholds from 1 ms to 10 s.
var LiveBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Live turns a run's windows and events, as they are written, into
// Prometheus metrics: requests, errors and latency per endpoint, the
// faults in place, and the agents by state. It is a coordinator Sink and a
// prometheus.Collector; it keeps one set of counters per endpoint, never
// anything per request.
type Live struct {
	mu        sync.Mutex
	endpoints map[string]*liveEndpoint
	faults    map[string]bool
	agents    map[string]string // id -> state
}

type liveEndpoint struct {
	requests, good, intended int64
	status                   map[int]int64
	errors                   map[string]int64
	buckets                  []uint64 // cumulative per LiveBuckets
	count                    uint64
	sum                      float64 // seconds
	behind                   time.Duration
}

// NewLive returns an empty live view.
func NewLive() *Live {
	return &Live{endpoints: map[string]*liveEndpoint{}, faults: map[string]bool{}, agents: map[string]string{}}
}

// Agent records an agent as alive (or lost, once it has a Lost time).
func (l *Live) Agent(a Agent) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.agents[a.ID] = "alive"
	if !a.Lost.IsZero() {
		l.agents[a.ID] = "dead"
	}
	return nil
}

// SetAgentState records an agent's state from the coordinator's live view
// (alive, suspect, dead, done).
func (l *Live) SetAgentState(id, state string) {
	l.mu.Lock()
	l.agents[id] = state
	l.mu.Unlock()
}

// Window adds one agent's window.
func (l *Live) Window(w Window) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.endpoints[w.Endpoint]
	if e == nil {
		e = &liveEndpoint{status: map[int]int64{}, errors: map[string]int64{}, buckets: make([]uint64, len(LiveBuckets))}
		l.endpoints[w.Endpoint] = e
	}
	e.requests += w.Requests
	e.good += w.Good
	e.intended += w.Intended
	e.behind = w.Behind
	addCounts(e.status, w.Status)
	addCounts(e.errors, w.Errors)
	if h := w.Latency.Snapshot(); h != nil && h.TotalCount() > 0 {
		for _, bar := range h.Distribution() {
			if bar.Count == 0 {
				continue
			}
			upper := float64(bar.To) / 1e6
			for i, b := range LiveBuckets {
				if upper <= b {
					e.buckets[i] += uint64(bar.Count)
				}
			}
		}
		e.count += uint64(h.TotalCount())
		e.sum += h.Mean() * float64(h.TotalCount()) / 1e6
	}
	return nil
}

// Event tracks which faults are in place.
func (l *Live) Event(ev Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev.Kind {
	case EvFaultApplied:
		l.faults[ev.Fault] = true
	case EvFaultReverted:
		l.faults[ev.Fault] = false
	case EvAgentLost:
		l.agents[ev.Agent] = "dead"
	}
	return nil
}

var (
	liveRequests = prometheus.NewDesc("faultline_requests_total", "Requests completed, per endpoint.", []string{"endpoint"}, nil)
	liveGood     = prometheus.NewDesc("faultline_good_requests_total", "Requests whose status is in the endpoint's good set.", []string{"endpoint"}, nil)
	liveIntended = prometheus.NewDesc("faultline_intended_requests_total", "Requests the pacer scheduled (intended), per endpoint.", []string{"endpoint"}, nil)
	liveStatus   = prometheus.NewDesc("faultline_responses_total", "Responses by HTTP status code (0: no response).", []string{"endpoint", "code"}, nil)
	liveErrors   = prometheus.NewDesc("faultline_errors_total", "Failed requests by error class.", []string{"endpoint", "class"}, nil)
	liveLatency  = prometheus.NewDesc("faultline_latency_seconds", "Latency corrected for coordinated omission (completion minus intended send time).", []string{"endpoint"}, nil)
	liveBehind   = prometheus.NewDesc("faultline_schedule_behind_seconds", "How far the latest window's load fell behind its schedule.", []string{"endpoint"}, nil)
	liveFault    = prometheus.NewDesc("faultline_fault_active", "1 while the fault is applied, 0 once reverted.", []string{"fault"}, nil)
	liveFaults   = prometheus.NewDesc("faultline_active_faults", "Faults applied and not yet reverted.", nil, nil)
	liveAgents   = prometheus.NewDesc("faultline_agents", "Agents by state.", []string{"state"}, nil)
)

// Describe implements prometheus.Collector.
func (l *Live) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{liveRequests, liveGood, liveIntended, liveStatus, liveErrors, liveLatency, liveBehind, liveFault, liveFaults, liveAgents} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (l *Live) Collect(ch chan<- prometheus.Metric) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for name, e := range l.endpoints {
		ch <- prometheus.MustNewConstMetric(liveRequests, prometheus.CounterValue, float64(e.requests), name)
		ch <- prometheus.MustNewConstMetric(liveGood, prometheus.CounterValue, float64(e.good), name)
		ch <- prometheus.MustNewConstMetric(liveIntended, prometheus.CounterValue, float64(e.intended), name)
		for code, n := range e.status {
			ch <- prometheus.MustNewConstMetric(liveStatus, prometheus.CounterValue, float64(n), name, strconv.Itoa(code))
		}
		for class, n := range e.errors {
			ch <- prometheus.MustNewConstMetric(liveErrors, prometheus.CounterValue, float64(n), name, class)
		}
		buckets := make(map[float64]uint64, len(LiveBuckets))
		for i, b := range LiveBuckets {
			buckets[b] = e.buckets[i]
		}
		ch <- prometheus.MustNewConstHistogram(liveLatency, e.count, e.sum, buckets, name)
		ch <- prometheus.MustNewConstMetric(liveBehind, prometheus.GaugeValue, e.behind.Seconds(), name)
	}
	active := 0
	for f, on := range l.faults {
		v := 0.0
		if on {
			v, active = 1, active+1
		}
		ch <- prometheus.MustNewConstMetric(liveFault, prometheus.GaugeValue, v, f)
	}
	ch <- prometheus.MustNewConstMetric(liveFaults, prometheus.GaugeValue, float64(active))
	states := map[string]int{}
	for _, s := range l.agents {
		states[s]++
	}
	for s, n := range states {
		ch <- prometheus.MustNewConstMetric(liveAgents, prometheus.GaugeValue, float64(n), s)
	}
}
