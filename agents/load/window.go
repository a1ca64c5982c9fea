package load

import (
	"context"
	"math"
	"time"

	"github.com/faultline/faultline/reports"
)

// closeWindow sends window i of every endpoint. upTo is where the window
// ends (its boundary, or where the run halted for the final one).
func (e *Engine) closeWindow(ctx context.Context, out chan<- reports.Window, i int64, upTo time.Time, final bool) {
	now := time.Now()
	start := e.origin.Add(time.Duration(i) * WindowLength)
	length := WindowLength
	if final {
		length = max(0, min(upTo.Sub(start), WindowLength))
	}
	e.mu.Lock()
	p, sched := e.pacer, e.sched
	e.mu.Unlock()

	// Intended hits are counted from the schedule, not from what was sent:
	// hits the engine never got round to still count.
	var kEnd uint64
	if e.unpaced {
		kEnd = p.next.Load()
	} else {
		kEnd = sched.count(upTo.Sub(e.origin).Seconds())
	}
	intended := make([]int64, len(e.mix.eps))
	for k := e.intendedK; k < kEnd; k++ {
		intended[e.mix.pick(k)]++
	}
	e.intendedK = max(e.intendedK, kEnd)
	behind := max(e.rec.behind.take(), p.lag(now))

	all := reports.NewHist()
	var reqs int64
	for idx, ep := range e.mix.eps {
		a := e.rec.accs[idx].take()
		w := reports.Window{
			RunID: e.cfg.RunID, AgentID: e.cfg.AgentID, Seq: uint64(i), Endpoint: ep.name,
			Start: start.Round(0), Length: length,
			Requests: a.requests, Good: a.good, Intended: intended[idx],
			Behind: behind, Latency: a.lat, Service: a.svc,
		}
		if len(a.status) > 0 {
			w.Status = a.status
		}
		if len(a.errors) > 0 {
			w.Errors = a.errors
		}
		all.Merge(a.lat)
		reqs += a.requests
		send(ctx, out, w)
	}
	if length > 0 {
		e.lastRate.Store(math.Float64bits(float64(reqs) / length.Seconds()))
	}
	e.lastP99.Store(int64(all.Quantile(99)))
}

// send delivers w, giving up when ctx ends; once it has ended, the receiver
// still gets a second to take the final windows.
func send(ctx context.Context, out chan<- reports.Window, w reports.Window) {
	if ctx.Err() == nil {
		select {
		case out <- w:
			return
		case <-ctx.Done():
		}
	}
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case out <- w:
	case <-t.C:
	}
}
