package reference

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestTracerConcurrentAdd: counters are exact once adds stop, and the ring
// keeps only the last traceRing traces.
func TestTracerConcurrentAdd(t *testing.T) {
	tr := newTracer()
	const workers, per = 8, 1000 // 8,000 traces, about twice the ring
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				st := 200
				if i%4 == 0 {
					st = 503
				}
				tr.add(Trace{ID: fmt.Sprintf("w%d-%d", w, i), Endpoint: "catalog.get", Start: time.Now(), Status: st,
					Calls: []Call{{Service: "catalog", Outcome: OutcomeOK}, {Service: "bus", Outcome: OutcomeTimeout}}})
			}
		}()
	}
	wg.Wait()
	s := tr.snapshot()["catalog.get"]
	if s.Requests != workers*per || s.Status[200] != workers*per*3/4 || s.Status[503] != workers*per/4 {
		t.Fatalf("requests %d, statuses %v; want %d, 6000 x 200, 2000 x 503", s.Requests, s.Status, workers*per)
	}
	if s.Deps["catalog"][OutcomeOK] != workers*per || s.Deps["bus"][OutcomeTimeout] != workers*per {
		t.Fatalf("deps %v", s.Deps)
	}
	kept := 0
	for w := range workers {
		for i := range per {
			kept += len(tr.find(fmt.Sprintf("w%d-%d", w, i)))
			if kept > traceRing {
				t.Fatalf("ring holds more than %d traces", traceRing)
			}
		}
	}
	if kept != traceRing {
		t.Fatalf("ring holds %d traces, want %d", kept, traceRing)
	}
}

// TestTracerFindSorted: one id recorded twice comes back in start order.
func TestTracerFindSorted(t *testing.T) {
	tr := newTracer()
	t0 := time.Now()
	tr.add(Trace{ID: "x", Endpoint: "e", Start: t0.Add(time.Second), Status: 200})
	tr.add(Trace{ID: "x", Endpoint: "e", Start: t0, Status: 201})
	tr.add(Trace{Endpoint: "e", Start: t0, Status: 200}) // no id: counted, not kept
	got := tr.find("x")
	if len(got) != 2 || got[0].Status != 201 || got[1].Status != 200 {
		t.Fatalf("find = %+v", got)
	}
	if s := tr.snapshot()["e"]; s.Requests != 3 {
		t.Fatalf("requests %d, want 3", s.Requests)
	}
}

// TestBucketOf: a value on a bound lands in that bound's bucket, a value
// just above it in the next, and values outside the range in the end
// buckets.
func TestBucketOf(t *testing.T) {
	cases := []struct {
		ms   float64
		want int
	}{
		{0, 0},                       // no time at all: the first bucket
		{histBase, 0},                // on the first bound
		{histBase * 1.0001, 1},       // just above it
		{bucketBound(8), 8},          // 0.02 ms: one doubling up
		{bucketBound(8) * 1.0001, 9}, // just above
		{1, 54},                      // 1 ms: bound 53 is 0.994 ms, bound 54 is 1.084 ms
		{bucketBound(100), 100},      // an arbitrary bound
		{1e9, histBuckets - 1},       // 11 days: the last bucket
		{bucketBound(histBuckets), histBuckets - 1},
	}
	for _, c := range cases {
		if got := bucketOf(c.ms); got != c.want {
			t.Errorf("bucketOf(%v) = %d (bound %.4f), want %d (bound %.4f)", c.ms, got, bucketBound(got), c.want, bucketBound(c.want))
		}
	}
}

// TestTracerLatency: concurrent calls with known latencies land in the
// buckets of their bounds, per endpoint and dependency; refused and stale
// calls are counted but not timed.
func TestTracerLatency(t *testing.T) {
	tr := newTracer()
	fast, slow := bucketBound(40), bucketBound(80) // 0.32 ms and 10.24 ms
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 250 {
				ms := fast
				if i%10 == 0 {
					ms = slow
				}
				tr.add(Trace{Endpoint: "catalog.get", Status: 200, Calls: []Call{
					{Service: "bus", Outcome: OutcomeOK, MS: ms},
					{Service: "cache", Outcome: OutcomeStale},
					{Service: "inventory", Outcome: OutcomeBreakerOpen},
				}})
			}
		}()
	}
	wg.Wait()
	s := tr.snapshot()["catalog.get"]
	want := []LatencyBucket{{LE: fast, N: 900}, {LE: slow, N: 100}}
	got := s.Latency["bus"]
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("bus latency %+v, want %+v", got, want)
	}
	if len(s.Latency) != 1 {
		t.Fatalf("latency for %d deps, want bus only: %v", len(s.Latency), s.Latency)
	}
	if s.Deps["cache"][OutcomeStale] != 1000 || s.Deps["inventory"][OutcomeBreakerOpen] != 1000 {
		t.Fatalf("deps %v", s.Deps)
	}
}
