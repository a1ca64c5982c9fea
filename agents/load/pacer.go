package load

import (
	"math"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Catch-up limits. When the engine falls behind (a GC pause, a starved CPU,
// all workers busy), it sends the hits it owes, but no faster than
// catchUpFactor times the intended rate after an initial burst of
// catchUpBurst worth of hits. vegeta's own pacers send every owed hit at
// once, and the burst then shows on the target as load nobody asked for.
// Either way the lateness is reported (Window.Behind), and the corrected
// latency of every late hit includes it.
const (
	catchUpFactor = 1.2
	catchUpBurst  = 10 * time.Millisecond
	// earlyTolerance is how early a hit may go out rather than sleeping for
	// less than this; a timer cannot wait that little accurately anyway.
	earlyTolerance = 10 * time.Microsecond
	// hitQueue bounds the hits released but not yet picked up by a worker.
	// Workers take a hit the moment vegeta hands them a tick, so this only
	// has to cover the handful in between.
	hitQueue = 4096
)

// hit is one released request: its number and intended send time in
// nanoseconds since the origin (-1 when unpaced: the send time is intended).
type hit struct {
	k  uint64
	at int64
}

// pacer implements vegeta.Pacer over a schedule. It does its own waiting
// (vegeta's loop sleeps without looking at Stop), so that Stop and share
// changes act at once, and hands each hit's number and intended time to the
// targeter through hits.
type pacer struct {
	sched   *schedule
	origin  time.Time
	unpaced bool
	stop    <-chan struct{}
	changed chan struct{}
	hits    chan hit
	behind  *behindTracker

	next   atomic.Uint64 // next hit number
	lastT  float64
	tokens float64
	refill time.Time
	timer  *time.Timer
}

var _ vegeta.Pacer = (*pacer)(nil)

func newPacer(s *schedule, origin time.Time, unpaced bool, stop <-chan struct{}, b *behindTracker) *pacer {
	return &pacer{
		sched: s, origin: origin, unpaced: unpaced, stop: stop, behind: b,
		changed: make(chan struct{}, 1),
		hits:    make(chan hit, hitQueue),
		tokens:  math.Inf(1),
	}
}

// notify tells a waiting pacer that the share changed.
func (p *pacer) notify() {
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

// Rate implements vegeta.Pacer: the intended rate at elapsed since origin.
func (p *pacer) Rate(elapsed time.Duration) float64 {
	return p.sched.rate(elapsed.Seconds())
}

// Pace implements vegeta.Pacer. vegeta's arguments are ignored: the pacer
// keeps its own clock (the shared origin) and hit count, continuous over
// the whole run.
func (p *pacer) Pace(time.Duration, uint64) (time.Duration, bool) {
	if p.unpaced {
		if !time.Now().Before(p.origin.Add(time.Duration(p.sched.end * 1e9))) {
			return 0, true
		}
		return 0, !p.release(hit{k: p.next.Load(), at: -1})
	}
	for {
		select {
		case <-p.stop:
			return 0, true
		default:
		}
		k := p.next.Load()
		t, ok := p.sched.at(k, p.lastT)
		now := time.Now()
		if !ok {
			end := p.origin.Add(time.Duration(p.sched.end * 1e9))
			if !now.Before(end) {
				return 0, true
			}
			// Share 0, or no hit left under this share: wait for a change.
			if !p.wait(end.Sub(now)) {
				return 0, true
			}
			continue
		}
		due := p.origin.Add(time.Duration(t * 1e9))
		release := p.limit(now, due, t)
		if d := release.Sub(now); d > earlyTolerance {
			if !p.wait(d) {
				return 0, true
			}
			continue
		}
		p.tokens--
		p.lastT = t
		p.behind.observe(now.Sub(due))
		return 0, !p.release(hit{k: k, at: int64(t * 1e9)})
	}
}

// limit applies the catch-up token bucket: it returns when hit may go.
func (p *pacer) limit(now, due time.Time, t float64) time.Time {
	r := p.sched.rate(t) * catchUpFactor
	if r <= 0 {
		return due
	}
	burst := math.Max(1, r*catchUpBurst.Seconds())
	if !p.refill.IsZero() {
		p.tokens += now.Sub(p.refill).Seconds() * r
	}
	p.refill = now
	p.tokens = math.Min(p.tokens, burst)
	if p.tokens >= 1 {
		return due
	}
	at := now.Add(time.Duration((1 - p.tokens) / r * 1e9))
	if at.After(due) {
		return at
	}
	return due
}

// release queues h for the targeter and counts it; false if stopped.
func (p *pacer) release(h hit) bool {
	select {
	case p.hits <- h:
		p.next.Add(1)
		return true
	case <-p.stop:
		return false
	}
}

// wait sleeps for d, or until the share changes; false if stopped.
func (p *pacer) wait(d time.Duration) bool {
	if p.timer == nil {
		p.timer = time.NewTimer(d)
	} else {
		p.timer.Reset(d)
	}
	select {
	case <-p.timer.C:
		return true
	case <-p.changed:
		p.timer.Stop()
		return true
	case <-p.stop:
		p.timer.Stop()
		return false
	}
}

// lag is how far the next unsent hit is overdue at now (0 if not due).
func (p *pacer) lag(now time.Time) time.Duration {
	if p.unpaced {
		return 0
	}
	t, ok := p.sched.at(p.next.Load(), 0)
	if !ok {
		return 0
	}
	if d := now.Sub(p.origin.Add(time.Duration(t * 1e9))); d > 0 {
		return d
	}
	return 0
}

// behindTracker keeps the largest lateness seen since the last take, and
// the latest one.
type behindTracker struct {
	max, last atomic.Int64
}

func (b *behindTracker) observe(d time.Duration) {
	if d < 0 {
		d = 0
	}
	b.last.Store(int64(d))
	for {
		m := b.max.Load()
		if int64(d) <= m || b.max.CompareAndSwap(m, int64(d)) {
			return
		}
	}
}

// take returns the largest lateness since the last take and resets it.
func (b *behindTracker) take() time.Duration { return time.Duration(b.max.Swap(0)) }
