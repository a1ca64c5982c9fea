package reference

import (
	"math"
	"sync/atomic"
)

// Call latency histograms: fixed log-spaced buckets of atomic counters, so
// recording a call stays lock-free (see tracer). Bucket i counts calls of
// at most histBase·histGrowth^i milliseconds: eight buckets per doubling
// (each bound 9% above the last) from 10 µs to about 2 minutes.
const (
	histBase    = 0.01 // ms: the first bucket's upper bound
	histPerOct  = 8    // buckets per doubling
	histBuckets = 8 * 24
)

// LatencyBucket is one non-empty bucket: N calls took at most LE ms (and
// more than the previous bucket's bound).
type LatencyBucket struct {
	LE float64 `json:"le_ms"`
	N  int64   `json:"n"`
}

// callHist is one (endpoint, dependency) latency histogram.
type callHist struct {
	counts [histBuckets]atomic.Int64
}

// bucketOf returns the index of the first bucket whose bound is >= ms.
func bucketOf(ms float64) int {
	if ms <= histBase {
		return 0
	}
	i := int(math.Ceil(math.Log2(ms/histBase)*histPerOct - 1e-9))
	return min(max(i, 0), histBuckets-1)
}

// bucketBound is bucket i's upper bound in ms. The last bucket also holds
// everything above it.
func bucketBound(i int) float64 {
	return histBase * math.Exp2(float64(i)/histPerOct)
}

func (h *callHist) add(ms float64) { h.counts[bucketOf(ms)].Add(1) }

// buckets returns the non-empty buckets in bound order.
func (h *callHist) buckets() []LatencyBucket {
	var out []LatencyBucket
	for i := range h.counts {
		if n := h.counts[i].Load(); n > 0 {
			out = append(out, LatencyBucket{LE: bucketBound(i), N: n})
		}
	}
	return out
}

// timed reports whether a call with outcome was made, so that its
// latency means something: a call the breaker or bulkhead refused, or an
// answer served stale, never reached the dependency.
func timed(outcome string) bool {
	switch outcome {
	case OutcomeBreakerOpen, OutcomeBulkhead, OutcomeStale:
		return false
	}
	return true
}
