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
	mu       sync.Mutex
	requests int64
	good     int64
	status   map[int]int64
	errors   map[string]int64
	lat, svc *reports.Hist
	// goodLat is lat for good responses only: the latency of admitted
	// requests when a throttle answers the rest with fast 429s.
	goodLat *reports.Hist
}

func newAccum() *accum {
	return &accum{status: map[int]int64{}, errors: map[string]int64{}, lat: reports.NewHist(), svc: reports.NewHist(), goodLat: reports.NewHist()}
}

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
func (a *accum) take() *accum {
	fresh := newAccum()
	a.mu.Lock()
	old := &accum{requests: a.requests, good: a.good, status: a.status, errors: a.errors, lat: a.lat, svc: a.svc, goodLat: a.goodLat}
	a.requests, a.good, a.status, a.errors, a.lat, a.svc, a.goodLat = 0, 0, fresh.status, fresh.errors, fresh.lat, fresh.svc, fresh.goodLat
	a.mu.Unlock()
	return old
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
