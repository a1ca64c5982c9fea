package load

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/faultline/faultline/reports"
)

// A 60 s run at 2000/s keeps a flat heap: nothing is kept per request.
// The heap is sampled after a forced GC every 10 s from the 10th second on;
// no later sample may exceed the first by more than 50% + 16 MiB, and the
// goroutine count stays flat too.
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
	t.Logf("requests %d, heap samples (MiB) %v, goroutines %v", requests, mib(heaps), routines)
	if requests < 100000 {
		t.Fatalf("only %d requests: the run did not happen", requests)
	}
	if len(heaps) < 4 {
		t.Fatalf("%d heap samples", len(heaps))
	}
	for i, h := range heaps[1:] {
		if limit := heaps[0] + heaps[0]/2 + 16<<20; h > limit {
			t.Errorf("heap at sample %d: %d MiB, above %d MiB (first %d MiB)", i+1, h>>20, limit>>20, heaps[0]>>20)
		}
		if g := routines[i+1]; g > routines[0]+200 {
			t.Errorf("goroutines at sample %d: %d, first %d", i+1, g, routines[0])
		}
	}
}

func mib(xs []uint64) []float64 {
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x*10>>20) / 10
	}
	return out
}
