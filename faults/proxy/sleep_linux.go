package proxy

import (
	"syscall"
	"time"
)

// threadSleepUntil blocks the calling thread in nanosleep until t. A
// signal (Go's own preemption signal among them) interrupts nanosleep with
// EINTR; the loop sleeps again for what is left.
// nanosleep returns at or after t (CLOCK_MONOTONIC, like Go's monotonic clock).
func threadSleepUntil(t time.Time) {
	for {
		d := time.Until(t)
		if d <= 0 {
			return
		}
		ts := syscall.NsecToTimespec(int64(d))
		err := syscall.Nanosleep(&ts, nil)
		if err == nil {
			return
		}
		if err != syscall.EINTR {
			time.Sleep(time.Until(t)) // never end early
			return
		}
	}
}
