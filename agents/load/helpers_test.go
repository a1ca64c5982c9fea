package load

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
)

// arrivals is a loopback test server that counts requests per 100 ms slice
// from a reference time, and can be told to stall.
type arrivals struct {
	mu     sync.Mutex
	ref    time.Time
	slices map[int]int
	total  int
	stall  func(n int) time.Duration // delay for the n-th request (from 0)
	srv    *httptest.Server
}

func newArrivals(t *testing.T, ref time.Time, handler http.HandlerFunc) *arrivals {
	return newArrivalsWith(t, ref, handler, nil)
}

// newArrivalsWith lets configure change the server before it starts.
func newArrivalsWith(t *testing.T, ref time.Time, handler http.HandlerFunc, configure func(*http.Server)) *arrivals {
	a := &arrivals{ref: ref, slices: map[int]int{}}
	a.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		n := a.total
		a.total++
		a.slices[int(time.Since(a.ref)/(100*time.Millisecond))]++
		stall := a.stall
		a.mu.Unlock()
		if stall != nil {
			time.Sleep(stall(n))
		}
		if handler != nil {
			handler(w, r)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	if configure != nil {
		configure(a.srv.Config)
	}
	a.srv.Start()
	t.Cleanup(a.srv.Close)
	return a
}

func constLoad(rate float64, d time.Duration, mix ...scenarios.Endpoint) scenarios.Load {
	if len(mix) == 0 {
		mix = []scenarios.Endpoint{{Name: "get", Weight: 1, Method: "GET", Path: "/x"}}
	}
	return scenarios.Load{Rate: scenarios.Rate{Freq: rate, Per: time.Second}, Duration: d, Mix: mix}
}

// runEngine runs cfg to the end and returns every window.
func runEngine(t *testing.T, cfg Config) []reports.Window {
	t.Helper()
	e, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	out := make(chan reports.Window, 1024)
	var got []reports.Window
	done := make(chan struct{})
	go func() {
		for w := range out {
			got = append(got, w)
		}
		close(done)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Load.Warmup+cfg.Load.Duration+60*time.Second)
	defer cancel()
	if err := e.Run(ctx, out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	close(out)
	<-done
	return got
}

// totals sums windows per endpoint ("" = all).
type totals struct {
	requests, good, intended int64
	errors                   map[string]int64
	latency, service         *reports.Hist
	maxBehind                time.Duration
}

func sum(ws []reports.Window, endpoint string) totals {
	t := totals{errors: map[string]int64{}, latency: reports.NewHist(), service: reports.NewHist()}
	for _, w := range ws {
		if endpoint != "" && w.Endpoint != endpoint {
			continue
		}
		t.requests += w.Requests
		t.good += w.Good
		t.intended += w.Intended
		for k, v := range w.Errors {
			t.errors[k] += v
		}
		t.latency.Merge(w.Latency)
		t.service.Merge(w.Service)
		t.maxBehind = max(t.maxBehind, w.Behind)
	}
	return t
}

// starvation measures how late a goroutine that sleeps 1 ms at a time
// wakes up: how long the machine kept this process off the CPU. Timing
// bounds cannot be judged on a machine that starves the process (a shared
// 2-core box under several compilers does).
type starvation struct {
	max  atomic.Int64
	stop chan struct{}
	done chan struct{}
}

func watchStarvation() *starvation {
	s := &starvation{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for {
			select {
			case <-s.stop:
				return
			default:
			}
			t0 := time.Now()
			time.Sleep(time.Millisecond)
			if late := int64(time.Since(t0) - time.Millisecond); late > s.max.Load() {
				s.max.Store(late)
			}
		}
	}()
	return s
}

// end stops watching and returns the longest stall seen.
func (s *starvation) end() time.Duration {
	close(s.stop)
	<-s.done
	return time.Duration(s.max.Load())
}
