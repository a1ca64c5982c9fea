package reports

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// MeasureWindow measures the target metric name (arg: its argument) over
// [from, to), offsets from r.Origin(), from the harvest's per-second
// series: per instance, the counts between its first and last sample in
// the window, summed over instances. Only the per-request and latency
// metrics have a value over a window; the others say why not.
func (h *TargetHarvest) MeasureWindow(r *Result, name, arg string, from, to time.Duration) (float64, string, error) {
	switch name {
	case "backend_calls", "store_calls", "store_latency.p50", "store_latency.p99":
	default:
		return 0, "", fmt.Errorf("%s covers the whole pass and takes no window qualifier", name)
	}
	eps, err := h.targetEndpoints(name, arg)
	if err != nil {
		return 0, "", err
	}
	if len(h.Series) == 0 {
		return 0, "", fmt.Errorf("%s over [%s, %s): %s (the harvest holds no per-second snapshots of the target's counters: the result was written before faultline kept them)", name, from, to, NotMeasured)
	}
	origin := r.Origin()
	w := h.window(origin.Add(from), origin.Add(to))
	if w.span == 0 && len(w.restarted) == 0 {
		return 0, "", fmt.Errorf("%s over [%s, %s): %s (no two snapshots of the target's counters in the window: %d taken in it, about one a second per instance)", name, from, to, NotMeasured, w.samples)
	}
	v, detail, err := endpointMetric(h, name, eps, w.instances)
	if err != nil {
		return 0, "", err
	}
	return v, joinDetail(detail, w.describe(origin)), nil
}

// traceWindow is what the series counted in a window, per instance.
type traceWindow struct {
	instances  map[string]InstanceTraces
	first      time.Time // earliest sample a difference starts from
	last       time.Time // latest sample one ends at
	span       time.Duration
	samples    int      // samples read in the window
	restarted  []string // instances whose counters restarted in the window
	sampledIDs map[string]bool
}

// window sums every series' changes between its samples in [from, to].
// A series counts from its first sample in the window, unless its
// process started in the window (the instance's previous series was
// sampled in it): then from zero, since all its counts are in the window.
// Counts a killed process made after its last sample are lost with it.
func (h *TargetHarvest) window(from, to time.Time) traceWindow {
	w := traceWindow{instances: map[string]InstanceTraces{}, sampledIDs: map[string]bool{}}
	lastSeen := map[string]time.Time{} // instance -> its previous series' last sample
	for _, s := range h.seriesInOrder() {
		prevLast, hadPrev := lastSeen[s.Instance]
		if len(s.Samples) > 0 {
			lastSeen[s.Instance] = s.At(len(s.Samples) - 1)
		}
		fresh := hadPrev && !prevLast.Before(from) && !prevLast.After(to)
		begin, end := -1, -1
		for i := range s.Samples {
			at := s.At(i)
			if at.Before(from) || at.After(to) {
				continue
			}
			w.samples++
			if begin < 0 {
				begin = i
			}
			end = i
		}
		if end < 0 {
			continue
		}
		start, startAt := begin+1, s.At(begin)
		if fresh {
			start, startAt = 0, prevLast
			w.restarted = append(w.restarted, s.Instance)
		} else if begin == end {
			continue
		}
		in := w.instances[s.Instance]
		in.Role = s.Role
		for _, smp := range s.Samples[start : end+1] {
			in.Endpoints = AddTraces(in.Endpoints, smp.D)
		}
		w.instances[s.Instance] = in
		w.sampledIDs[s.Instance] = true
		if w.first.IsZero() || startAt.Before(w.first) {
			w.first = startAt
		}
		w.last = later(w.last, s.At(end))
		w.span = w.last.Sub(w.first)
	}
	return w
}

// seriesInOrder is the harvest's series, each instance's in time order.
func (h *TargetHarvest) seriesInOrder() []TraceSeries {
	out := slices.Clone(h.Series)
	slices.SortStableFunc(out, func(a, b TraceSeries) int { return a.Start.Compare(b.Start) })
	return out
}

// AddTraces adds summary d into sum, endpoint by endpoint, and returns
// sum (made when nil).
func AddTraces(sum, d map[string]EndpointTraces) map[string]EndpointTraces {
	if sum == nil {
		sum = map[string]EndpointTraces{}
	}
	for ep, t := range d {
		sum[ep] = sum[ep].Plus(t)
	}
	return sum
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// describe says which part of the window the counts cover.
func (w traceWindow) describe(origin time.Time) string {
	s := fmt.Sprintf("counted between snapshots at %s and %s (%d instances)", fmtOffset(w.first.Sub(origin)), fmtOffset(w.last.Sub(origin)), len(w.sampledIDs))
	if len(w.restarted) > 0 {
		s += "; restarted in the window, counted from zero: " + strings.Join(slices.Compact(slices.Sorted(slices.Values(w.restarted))), ", ")
	}
	return s
}
