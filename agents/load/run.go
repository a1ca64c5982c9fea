package load

import (
	"context"
	"sync"
	"time"

	"github.com/faultline/faultline/reports"
)

// Run sends the load and streams windows to out: one per endpoint per
// second as each second ends, and the final (possibly partial) ones after
// the requests still in flight have finished or been cancelled. It blocks
// until warmup+duration has elapsed from Start, ctx is cancelled, or Stop
// is called; it never closes out. It returns ctx.Err() when ctx ended the
// run, else nil.
func (e *Engine) Run(ctx context.Context, out chan<- reports.Window) error {
	if !e.ran.CompareAndSwap(false, true) {
		return ErrRunning
	}
	now := time.Now()
	origin := now
	if !e.cfg.Start.IsZero() {
		// Carry the monotonic clock: Start usually comes over the wire.
		origin = now.Add(e.cfg.Start.Sub(now))
	}
	base, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.mu.Lock()
	e.origin, e.cancel = origin, cancel
	e.mu.Unlock()
	end := e.end()
	if !now.Before(end) {
		return nil
	}
	// A schedule that starts in the future starts exactly at its origin
	// (hits due while the timer wakes up are owed, not lost); one that
	// started before this agent ran starts now (the earlier hits were never
	// this engine's).
	begin := 0.0
	if origin.After(now) {
		if !e.sleepUntil(ctx, origin) {
			return ctx.Err()
		}
	} else {
		begin = now.Sub(origin).Seconds()
	}
	halt := make(chan struct{})
	e.mu.Lock()
	e.sched = newSchedule(e.sh, max(begin, 0), end.Sub(origin).Seconds(), e.share)
	e.pacer = newPacer(e.sched, origin, e.unpaced, halt, &e.rec.behind)
	e.rec.origin, e.rec.base = origin, base
	p := e.pacer
	e.mu.Unlock()
	e.intendedK = 0

	atk, results := e.attack(p)
	drained := make(chan struct{})
	go func() {
		for range results { // outcomes are recorded by the transport
		}
		close(drained)
	}()

	i := int64(time.Since(origin) / WindowLength)
	stopped := false
	for !stopped {
		boundary := origin.Add(time.Duration(i+1) * WindowLength)
		if !boundary.Before(end) {
			stopped = !e.sleepUntil(ctx, end)
			break
		}
		if stopped = !e.sleepUntil(ctx, boundary); !stopped {
			e.closeWindow(ctx, out, i, boundary, false)
			i++
		}
	}
	halted := time.Now()
	if halted.After(end) {
		halted = end
	}
	var haltOnce sync.Once
	stopNow := func() {
		haltOnce.Do(func() { close(halt) })
		atk.Stop()
		cancel()
	}
	if stopped { // Stop or ctx: stop now
		stopNow()
	}
	// At the natural end the pacer still releases the hits the schedule
	// placed before end that it owes (it stops by itself after the last
	// one); they and the requests in flight get e.drain to finish, unless
	// Stop or ctx cut that short.
	drain := time.NewTimer(e.drain)
	defer drain.Stop()
	select {
	case <-drained:
	case <-drain.C:
	case <-e.stopCh:
	case <-ctx.Done():
	}
	stopNow()
	<-drained
	e.closeWindow(ctx, out, i, halted, true)
	return ctx.Err()
}

// sleepUntil waits for t; false if Stop or ctx came first.
func (e *Engine) sleepUntil(ctx context.Context, t time.Time) bool {
	tm := time.NewTimer(time.Until(t))
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-e.stopCh:
		return false
	case <-ctx.Done():
		return false
	}
}
