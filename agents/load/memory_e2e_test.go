package load

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/faultline/faultline/reports"
)

// A 60 s run at 2000/s keeps a flat heap: nothing is kept per request.
// The heap is sampled after a forced GC every 10 s from the 10th second on;
// no later sample may exceed the larger of the first two by more than 50% +
// 16 MiB, and the goroutine count stays within 2000 of theirs (a slow
// machine raises the concurrency early on, and then it holds; a leak per
// request would grow by the 100k requests of the run).
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("60 s run")
	}
	// Under -race the detector's shadow memory, not the engine's heap, is
	// what grows, and the in-process server cannot keep 2000/s.
	if withoutRace(t, "TestMemoryFlat") {
		return
	}
	srv := newArrivals(t, time.Now(), nil)
	starve := watchStarvation()
	e, err := New(Config{RunID: "r", AgentID: "a", BaseURL: srv.srv.URL, Share: 1, Load: constLoad(2000, 60*time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan reports.Window, 16)
	done := make(chan error)
	go func() { done <- e.Run(context.Background(), out) }()
	var requests int64
	var heaps []uint64
	var routines []int
	for running := true; running; {
		select {
		case w := <-out:
			requests += w.Requests
			if w.Seq >= 10 && w.Seq%10 == 0 {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				heaps = append(heaps, ms.HeapAlloc)
				routines = append(routines, runtime.NumGoroutine())
			}
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		}
	}
	for len(out) > 0 {
		requests += (<-out).Requests
	}
	stalled := starve.end()
	t.Logf("requests %d, heap samples (MiB) %v, goroutines %v, longest stall %s", requests, mib(heaps), routines, stalled)
	if len(heaps) < 4 {
		t.Fatalf("%d heap samples", len(heaps))
	}
	var problems []string
	if requests < 100000 {
		problems = append(problems, fmt.Sprintf("only %d requests", requests))
	}
	base, baseG := max(heaps[0], heaps[1]), max(routines[0], routines[1])
	for i := 2; i < len(heaps); i++ {
		if limit := base + base/2 + 16<<20; heaps[i] > limit {
			problems = append(problems, fmt.Sprintf("heap at sample %d: %d MiB, above %d MiB", i, heaps[i]>>20, limit>>20))
		}
		if routines[i] > baseG+2000 {
			problems = append(problems, fmt.Sprintf("goroutines at sample %d: %d, first two at most %d", i, routines[i], baseG))
		}
	}
	switch {
	case len(problems) > 0 && stalled > 200*time.Millisecond:
		t.Skipf("the machine kept this process off the CPU for %s; cannot judge: %v", stalled, problems)
	case len(problems) > 0:
		t.Errorf("%v", problems)
	}
}

func mib(xs []uint64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x*10>>20) / 10
	}
	return out
}
