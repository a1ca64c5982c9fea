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
