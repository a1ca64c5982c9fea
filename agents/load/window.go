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
	intended := e.intendedPerEndpoint(e.intendedK, kEnd)
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
			Behind: behind, Latency: a.lat, Service: a.svc, GoodLatency: a.goodLat,
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

// maxPickCount bounds the hits counted one by one per window; beyond it
// (rates of millions per second) the split follows the weights.
const maxPickCount = 1 << 22

// intendedPerEndpoint splits hits [from, to) by the endpoint each goes to.
func (e *Engine) intendedPerEndpoint(from, to uint64) []int64 {
	out := make([]int64, len(e.mix.eps))
	if to <= from {
		return out
	}
	if n := to - from; n > maxPickCount {
		var given int64
		for i := range out {
			lo := 0.0
			if i > 0 {
				lo = e.mix.cum[i-1]
			}
			out[i] = int64(float64(n) * (e.mix.cum[i] - lo))
			given += out[i]
		}
		out[len(out)-1] += int64(n) - given
		return out
	}
	for k := from; k < to; k++ {
		out[e.mix.pick(k)]++
	}
	return out
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
