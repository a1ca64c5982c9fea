//go:build !linux

package proxy

import "time"

// threadSleepUntil falls back to Go's timer where nanosleep is not wired
// up: the wait may end up to 1 ms late, never early.
func threadSleepUntil(t time.Time) { time.Sleep(time.Until(t)) }
