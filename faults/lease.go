package faults

import (
	"sync"
	"time"
)

// Lease reverts a fault by itself when it is not renewed in time. It is
// the executor-side half of the rule that no fault outlives its lease.
type Lease struct {
	mu       sync.Mutex
	deadline time.Time
	timer    *time.Timer
	expired  bool
	stopped  bool
	onExpire func()
}

// NewLease starts a lease of d; onExpire runs once, in its own goroutine,
// if the lease runs out.
func NewLease(d time.Duration, onExpire func()) *Lease {
	l := &Lease{onExpire: onExpire, deadline: time.Now().Add(d)}
	l.timer = time.AfterFunc(d, l.fire)
	return l
}

func (l *Lease) fire() {
	l.mu.Lock()
	if l.stopped || l.expired || time.Now().Before(l.deadline) {
		l.mu.Unlock()
		return
	}
	l.expired = true
	l.mu.Unlock()
	l.onExpire()
}

// Renew extends the lease to d from now. It reports false when the lease
// already expired or was stopped: the fault is gone and must be applied
// again, not renewed.
func (l *Lease) Renew(d time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.expired || l.stopped {
		return false
	}
	l.deadline = time.Now().Add(d)
	l.timer.Reset(d)
	return true
}

// Stop ends the lease without running onExpire (the fault was reverted
// on purpose). It reports whether the lease was still running.
func (l *Lease) Stop() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.expired || l.stopped {
		return false
	}
	l.stopped = true
	l.timer.Stop()
	return true
}

// Remaining is the time left, 0 once expired or stopped.
func (l *Lease) Remaining() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.expired || l.stopped {
		return 0
	}
	return max(time.Until(l.deadline), 0)
}

// Expired reports whether the lease ran out.
func (l *Lease) Expired() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.expired
}
