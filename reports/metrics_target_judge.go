package reports

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// targetMetric judges a target metric (scenarios.FamilyTarget) from the
// pass's harvest: over the whole pass from the counts read at its end,
// or over [from, to) from the per-second series when a qualifier (or the
// steady-state's baseline) narrows the span. Metrics that describe the
// end of the pass, or a fault, take no window (scenarios.TargetWholePass).
func (j *judge) targetMetric(e *scenarios.Expr, m *scenarios.MetricRef, from, to time.Duration) (float64, string, error) {
	why := scenarios.TargetWholePass(m.Name)
	if e.Window != nil && why != "" {
		return 0, "", fmt.Errorf("%s %s and takes no window qualifier", m.Name, why)
	}
	h := j.r.Harvest()
	if h == nil {
		return 0, "", fmt.Errorf("%s: %s (no target_harvest in the result: the target exposes no measurements of its own, e.g. an external one)", m.Name, NotMeasured)
	}
	whole := j.p == nil || (from <= j.p.Warmup && to >= j.p.Total)
	if why != "" || (e.Window == nil && whole) {
		return h.Measure(j.r, m.Name, m.Arg)
	}
	return h.MeasureWindow(j.r, m.Name, m.Arg, from, to)
}

// Measure measures the target metric name (arg: its argument) over r,
// whose events give the faults and replacements; errors say why it is not
// measured.
func (h *TargetHarvest) Measure(r *Result, name, arg string) (float64, string, error) {
	switch name {
	case "backend_calls", "store_calls", "store_latency.p50", "store_latency.p99":
		eps, err := h.targetEndpoints(name, arg)
		if err != nil {
			return 0, "", err
		}
		v, detail, err := endpointMetric(h, name, eps, h.Instances)
		return v, joinDetail(detail, h.restarted(r, eps)), err
	case "consumer_backlog":
		if h.Consumer == nil || h.Consumer.Backlog < 0 {
			return 0, "", fmt.Errorf("%s: %s (the consumer did not report its backlog at the end of the pass%s)", name, NotMeasured, h.consumerError())
		}
		return float64(h.Consumer.Backlog), fmt.Sprintf("%s holds %d unacknowledged messages at the end of the pass", h.Consumer.Instance, h.Consumer.Backlog), nil
	case "lost_deliveries":
		return h.lostDeliveries(r)
	case "drain_time":
		return h.drainTime(r, arg)
	}
	return 0, "", fmt.Errorf("%s: %s", name, NotMeasured)
}

// targetEndpoints maps a mix endpoint (none: every one) to the target
// endpoints the instances traced it under.
func (h *TargetHarvest) targetEndpoints(name, arg string) ([]string, error) {
	switch arg {
	case "*":
		return nil, fmt.Errorf("%s(*) is not measured per endpoint: name one endpoint, or none for all of them together", name)
	case "":
		return slices.Compact(slices.Sorted(maps.Values(h.Endpoints))), nil
	}
	te, ok := h.Endpoints[arg]
	if !ok {
		return nil, fmt.Errorf("%s(%s): %s (the target traced no endpoint that serves %s)", name, arg, NotMeasured, arg)
	}
	return []string{te}, nil
}

// endpointMetric measures the per-request and latency metrics over the
// target endpoints eps from instances' counts (h's whole pass, or a
// window's). Calls made are what the latency histograms counted: a call
// a breaker or bulkhead refused never reached anything.
func endpointMetric(h *TargetHarvest, name string, eps []string, instances map[string]InstanceTraces) (float64, string, error) {
	served, throttled := 0, 0
	backend, store := 0, 0
	var lat []LatencyBucket
	for _, in := range instances {
		for _, ep := range eps {
			t, ok := in.Endpoints[ep]
			if !ok {
				continue
			}
			if in.Role == h.Edge {
				served += t.Requests - t.Status[429]
				throttled += t.Status[429]
				for dep, b := range t.Latency {
					if dep != h.Edge {
						backend += int(bucketTotal(b))
					}
				}
				continue
			}
			store += int(bucketTotal(t.Latency[h.Store]))
			lat = mergeBuckets(lat, t.Latency[h.Store])
		}
	}
	where := strings.Join(eps, ", ")
	switch name {
	case "backend_calls", "store_calls":
		if served == 0 {
			return 0, "", fmt.Errorf("%s: %s (the %s served no requests for %s)", name, NotMeasured, h.Edge, where)
		}
		calls, to := backend, "the services behind it"
		if name == "store_calls" {
			calls, to = store, h.Store
		}
		return float64(calls) / float64(served), fmt.Sprintf("%d calls to %s for %d requests the %s served (%s; %d throttled not counted)", calls, to, served, h.Edge, where, throttled), nil
	}
	q := 0.5
	if name == "store_latency.p99" {
		q = 0.99
	}
	ms, n := bucketQuantile(lat, q)
	if n == 0 {
		return 0, "", fmt.Errorf("%s: %s (no %s calls traced for %s)", name, NotMeasured, h.Store, where)
	}
	return ms / 1000, fmt.Sprintf("%d %s calls for %s, timed by the caller (bucket upper bound, at most 9%% above)", n, h.Store, where), nil
}

func bucketTotal(b []LatencyBucket) int64 {
	var n int64
	for _, x := range b {
		n += x.N
	}
	return n
}

// bucketQuantile returns the upper bound of the bucket (in bound order)
// holding the q-quantile, and the number of values; a bound never
// understates the value.
func bucketQuantile(buckets []LatencyBucket, q float64) (float64, int64) {
	n := bucketTotal(buckets)
	if n == 0 {
		return 0, 0
	}
	rank := int64(math.Ceil(q * float64(n)))
	var seen int64
	for _, b := range buckets {
		if seen += b.N; seen >= rank {
			return b.LE, n
		}
	}
	return buckets[len(buckets)-1].LE, n
}

// restarted names the instances serving eps that were replaced during the
// pass: their counts start at their replacement.
func (h *TargetHarvest) restarted(r *Result, eps []string) string {
	var names []string
	for _, id := range replacedInstances(r) {
		in, ok := h.Instances[id]
		if !ok {
			continue
		}
		for _, ep := range eps {
			if _, served := in.Endpoints[ep]; served || in.Role == h.Edge {
				names = append(names, id)
				break
			}
		}
	}
	if len(names) == 0 {
		return ""
	}
	var merged, lost []string
	for _, id := range names {
		if slices.Contains(h.Merged, id) {
			merged = append(merged, id)
		} else {
			lost = append(lost, id)
		}
	}
	var out []string
	if len(merged) > 0 {
		out = append(out, "replaced during the pass, earlier process counted up to its last sample: "+strings.Join(merged, ", "))
	}
	if len(lost) > 0 {
		out = append(out, "replaced during the pass, counted from their restart only: "+strings.Join(lost, ", "))
	}
	return strings.Join(out, "; ")
}

// replacedInstances lists, sorted, the instances the run replaced.
func replacedInstances(r *Result) []string {
	set := map[string]bool{}
	for _, e := range r.Events {
		if e.Kind == EvInstanceReplaced && e.Instance != "" {
			set[e.Instance] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func (h *TargetHarvest) consumerError() string {
	if h.Consumer != nil && h.Consumer.Error != "" {
		return ": " + h.Consumer.Error
	}
	return ""
}

// lostDeliveries counts the writes the edge acknowledged (2xx on the
// producer endpoint) that the consumer never received: acknowledged minus
// distinct messages delivered, never below zero. Duplicates do not count
// (at-least-once); an acknowledgement the edge's replacement forgot would
// hide a loss, so a replaced edge makes the metric not measured.
func (h *TargetHarvest) lostDeliveries(r *Result) (float64, string, error) {
	const name = "lost_deliveries"
	if h.Consumer == nil {
		return 0, "", fmt.Errorf("%s: %s (the consumer did not report its deliveries%s)", name, NotMeasured, h.consumerError())
	}
	te, ok := h.Endpoints[h.Producer]
	if h.Producer == "" || !ok {
		return 0, "", fmt.Errorf("%s: %s (the load mix has no producer endpoint the target traced)", name, NotMeasured)
	}
	acked := 0
	for id, in := range h.Instances {
		if in.Role != h.Edge {
			continue
		}
		if slices.Contains(replacedInstances(r), id) {
			return 0, "", fmt.Errorf("%s: %s (%s was replaced during the pass and its count of acknowledgements with it)", name, NotMeasured, id)
		}
		for st, n := range in.Endpoints[te].Status {
			if st >= 200 && st < 300 {
				acked += n
			}
		}
	}
	lost := max(acked-h.Consumer.Unique, 0)
	return float64(lost), fmt.Sprintf("%d %s acknowledged by the %s, %d delivered to %s (%d deliveries with duplicates), backlog %d",
		acked, h.Producer, h.Edge, h.Consumer.Unique, h.Consumer.Instance, h.Consumer.Delivered, h.Consumer.Backlog), nil
}

// drainTime is the time from the end of fault (for a kill, the killed
// instances' replacement) to the first of two backlog samples in a row at
// zero after it, or to the last sample (read once the load stopped) if it
// is zero; Never when the backlog never emptied in the samples. One
// empty sample is not enough: under load the backlog flickers between 0
// and a few in-flight messages, and a message the dead consumer took but
// never acknowledged reappears only when its ack wait runs out.
func (h *TargetHarvest) drainTime(r *Result, fault string) (float64, string, error) {
	const name = "drain_time"
	var spans []FaultSpan
	for _, s := range r.FaultSpans() {
		if s.Fault == fault {
			spans = append(spans, s)
		}
	}
	if len(spans) == 0 {
		return 0, "", fmt.Errorf("%s(%s): %s (no fault_applied event for %s)", name, fault, NotMeasured, fault)
	}
	applied, from, killed := spans[0].Applied, time.Duration(0), map[string]bool{}
	for _, s := range spans {
		applied = min(applied, s.Applied)
		from = max(from, s.Reverted)
		killed[s.Instance] = true
	}
	event := "the fault's end"
	if at, ok := lastReplacement(r, killed, applied); ok {
		from, event = at, "the replacement of "+strings.Join(slices.Sorted(maps.Keys(killed)), ", ")
	}
	origin := r.Origin()
	sampled, empty := 0, time.Duration(-1)
	for i, s := range h.Backlog {
		at := s.Time.Sub(origin)
		if at < from {
			continue
		}
		sampled++
		switch {
		case s.Backlog != 0:
			empty = -1
			continue
		case empty < 0:
			empty = at
			if i < len(h.Backlog)-1 {
				continue // one empty sample may be a flicker
			}
			// The last sample was read after the load stopped: no
			// flicker then, it needs no second.
		}
		return (empty - from).Seconds(), fmt.Sprintf("backlog empty from %s (two samples in a row, or the last one), %s after %s at %s (%d samples)", fmtOffset(empty), fmtOffset(empty-from), event, fmtOffset(from), sampled), nil
	}
	if sampled == 0 {
		return 0, "", fmt.Errorf("%s(%s): %s (no backlog sample after %s at %s)", name, fault, NotMeasured, event, fmtOffset(from))
	}
	return Never, fmt.Sprintf("the backlog never emptied in %d samples after %s at %s", sampled, event, fmtOffset(from)), nil
}
