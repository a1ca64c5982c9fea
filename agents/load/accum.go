package load

import (
	"sync"
	"time"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
)

// outcome is how one request ended.
type outcome struct {
	status   int    // HTTP status; 0 when there was no complete response
	class    string // error class when status is 0
	latency  time.Duration
	service  time.Duration
	goodCode bool
}

// accum gathers one endpoint's outcomes for the open window. Workers record
// into it concurrently; the window loop swaps it out each second.
type accum struct {
	mu sync.Mutex
	counts
}

// counts is one window's worth of an endpoint's outcomes.
type counts struct {
	requests int64
	good     int64
	status   map[int]int64
	errors   map[string]int64
	lat, svc *reports.Hist
	// goodLat is lat for good responses only: the latency of admitted
	// requests when a throttle answers the rest with fast 429s.
	goodLat *reports.Hist
}

func newCounts() counts {
	return counts{status: map[int]int64{}, errors: map[string]int64{}, lat: reports.NewHist(), svc: reports.NewHist(), goodLat: reports.NewHist()}
}

func newAccum() *accum { return &accum{counts: newCounts()} }

func (a *accum) record(o outcome) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if o.class == ErrClassCancelled {
		a.errors[o.class]++
		return
	}
	a.requests++
	a.status[o.status]++
	if o.status == 0 {
		a.errors[o.class]++
	} else if o.goodCode {
		a.good++
		a.goodLat.Record(o.latency)
	}
	a.lat.Record(o.latency)
	a.svc.Record(o.service)
}

// take returns the gathered counts and starts afresh. The fresh histograms
// are made outside the lock: they are large.
func (a *accum) take() *counts {
	fresh := newCounts()
	a.mu.Lock()
	old := a.counts
	a.counts = fresh
	a.mu.Unlock()
	return &old
}

// isGood reports whether status is in the endpoint's good set (default
// 200-399).
func isGood(status int, good []scenarios.StatusRange) bool {
	if len(good) == 0 {
		return status >= 200 && status <= 399
	}
	for _, g := range good {
		if status >= g.From && status <= g.To {
			return true
		}
	}
	return false
}
