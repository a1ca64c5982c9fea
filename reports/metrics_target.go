package reports

import (
	"encoding/json"
	"sort"
	"time"
)

// TargetHarvest is what the target measured itself over one pass, read
// from its instances once the load had stopped and written as an
// EvHarvest event: per instance, its trace summary (requests by status,
// dependency calls by outcome, call latency histograms), plus the async
// consumer's delivery counts and its backlog sampled during the pass.
// The target metrics (scenarios.FamilyTarget) are judged from it.
//
// Counts live in each instance's memory, so the harvester samples them
// during the pass: a killed instance's counts up to its last sample (at
// most a second before it died) are added to its replacement's (Merged);
// the rest died with it, and the verdicts say so.
type TargetHarvest struct {
	// Edge is the role that receives the load (the gateway): its requests
	// are the denominators of the per-request metrics.
	Edge string `json:"edge"`
	// Store is the dependency that is the data store (the bus: KV and
	// streams).
	Store string `json:"store"`
	// Endpoints maps a mix endpoint to the target endpoint that serves it
	// (browse -> catalog.get), as the instances name it in their traces.
	Endpoints map[string]string `json:"endpoints,omitempty"`
	// Producer is the mix endpoint whose acknowledged writes the consumer
	// must receive (order).
	Producer string `json:"producer,omitempty"`
	// Instances holds the trace summary of each instance that answered.
	Instances map[string]InstanceTraces `json:"instances,omitempty"`
	// Consumer is the async consumer's counts at the end of the pass; nil
	// when it did not answer.
	Consumer *ConsumerStats `json:"consumer,omitempty"`
	// Backlog is the consumer's backlog sampled during the pass (samples
	// the consumer could not answer are missing, not zero).
	Backlog []BacklogSample `json:"backlog,omitempty"`
	// Series holds every instance's summary as sampled about every second
	// during the pass, per process, for metrics over a window; none in
	// results written before they were kept.
	Series []TraceSeries `json:"series,omitempty"`
	// Merged lists the instances replaced during the pass whose earlier
	// processes' counts, as last sampled before they died, are added in.
	Merged []string `json:"merged,omitempty"`
	// Notes says what could not be read.
	Notes []string `json:"notes,omitempty"`
}

// InstanceTraces is one instance's trace summary, by target endpoint.
type InstanceTraces struct {
	Role      string                    `json:"role"`
	Endpoints map[string]EndpointTraces `json:"endpoints,omitempty"`
}

// EndpointTraces is an instance's /traces/summary entry for one endpoint:
// requests by status, calls by dependency and outcome, and the latency of
// the calls made, per dependency.
type EndpointTraces struct {
	Requests int                        `json:"requests"`
	Status   map[int]int                `json:"status,omitempty"`
	Deps     map[string]map[string]int  `json:"deps,omitempty"`
	Latency  map[string][]LatencyBucket `json:"latency,omitempty"`
}

// LatencyBucket is one histogram bucket: N calls took at most LE
// milliseconds, and more than the previous bucket's bound.
type LatencyBucket struct {
	LE float64 `json:"le_ms"`
	N  int64   `json:"n"`
}

// ConsumerStats is the async consumer's state at the end of a pass.
type ConsumerStats struct {
	Instance  string `json:"instance"`
	Delivered int    `json:"delivered"` // deliveries, duplicates included
	Unique    int    `json:"unique"`    // distinct messages delivered
	Backlog   int64  `json:"backlog"`   // pending + unacknowledged; -1 unknown
	Error     string `json:"error,omitempty"`
}

// BacklogSample is the consumer's backlog at one time.
type BacklogSample struct {
	Time    time.Time `json:"time"`
	Backlog int64     `json:"backlog"`
}

// Harvest returns the last harvest event's TargetHarvest; nil when the run
// has none (an external target, or a result from before harvests).
func (r *Result) Harvest() *TargetHarvest {
	for i := len(r.Events) - 1; i >= 0; i-- {
		e := &r.Events[i]
		if e.Kind != EvHarvest || e.Params["harvest"] == nil {
			continue
		}
		if h, ok := e.Params["harvest"].(*TargetHarvest); ok {
			return h
		}
		var h TargetHarvest
		if b, err := json.Marshal(e.Params["harvest"]); err != nil || json.Unmarshal(b, &h) != nil {
			return nil
		}
		return &h
	}
	return nil
}

// Plus returns t with o's counts added: two processes' summaries of one
// endpoint (an instance and the process it replaced), or two instances'.
func (t EndpointTraces) Plus(o EndpointTraces) EndpointTraces {
	out := EndpointTraces{Requests: t.Requests + o.Requests, Status: map[int]int{},
		Deps: map[string]map[string]int{}, Latency: map[string][]LatencyBucket{}}
	for _, s := range []EndpointTraces{t, o} {
		for st, n := range s.Status {
			out.Status[st] += n
		}
		for dep, outcomes := range s.Deps {
			if out.Deps[dep] == nil {
				out.Deps[dep] = map[string]int{}
			}
			for k, n := range outcomes {
				out.Deps[dep][k] += n
			}
		}
		for dep, b := range s.Latency {
			out.Latency[dep] = mergeBuckets(out.Latency[dep], b)
		}
	}
	return out
}

// mergeBuckets adds two histograms with the same bounds, in bound order.
func mergeBuckets(a, b []LatencyBucket) []LatencyBucket {
	sum := map[float64]int64{}
	for _, x := range append(append([]LatencyBucket(nil), a...), b...) {
		sum[x.LE] += x.N
	}
	out := make([]LatencyBucket, 0, len(sum))
	for le, n := range sum {
		out = append(out, LatencyBucket{LE: le, N: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LE < out[j].LE })
	return out
}
