package load

import (
	"math"
	"time"
)

// Stats is a live view of an engine, for progress lines.
type Stats struct {
	// Sent requests so far; Completed of them (cancelled ones excluded),
	// Good of those, and Errors (no response: refused, timeout, ...).
	Sent, Completed, Good, Errors int64
	// InFlight requests now.
	InFlight int64
	// Rate is the achieved rate of the last closed window (requests/s).
	Rate float64
	// IntendedRate is the schedule's rate now, this agent's share applied.
	IntendedRate float64
	// Share is this agent's current fraction of the rate.
	Share float64
	// P99 is the corrected p99 latency of the last closed window, all
	// endpoints merged.
	P99 time.Duration
	// Behind is how overdue the next hit is now (0 when on schedule).
	Behind time.Duration
}

// Stats returns the engine's live counters.
func (e *Engine) Stats() Stats {
	r := e.rec
	s := Stats{
		Sent: r.sent.Load(), Completed: r.done.Load(), Good: r.good.Load(), Errors: r.errs.Load(),
		InFlight: r.inFlight.Load(),
		Rate:     math.Float64frombits(e.lastRate.Load()),
		P99:      time.Duration(e.lastP99.Load()),
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	s.Share = e.share
	if e.pacer != nil {
		now := time.Now()
		s.Behind = e.pacer.lag(now)
		s.IntendedRate = e.sched.rate(now.Sub(e.origin).Seconds())
	}
	return s
}
