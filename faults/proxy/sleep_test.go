package proxy

import (
	"fmt"
	"sort"
	"testing"
	"time"
)

// A toxic's wait never ends early, whichever way it finishes: the thread
// sleep, the Go-timer fallback when every precise sleeper is taken, or no
// wait at all for a deadline already past.
func TestSleepNeverEarly(t *testing.T) {
	for _, busy := range []bool{false, true} {
		for _, d := range []time.Duration{0, 50 * time.Microsecond, time.Millisecond, preciseSlack + 300*time.Microsecond, 15 * time.Millisecond} {
			t.Run(fmt.Sprintf("busy=%v/%v", busy, d), func(t *testing.T) {
				if busy {
					fillSleepers(t)
				}
				env := &Env{Removed: make(chan struct{}), Closed: make(chan struct{})}
				for range 5 {
					start := time.Now()
					if !env.Sleep(d) {
						t.Fatal("Sleep reported an interruption that did not happen")
					}
					if got := time.Since(start); got < d {
						t.Fatalf("slept %v, asked %v", got, d)
					}
				}
			})
		}
	}
}

// fillSleepers takes every precise-sleep slot until the test ends.
func fillSleepers(t *testing.T) {
	for range cap(preciseSleepers) {
		preciseSleepers <- struct{}{}
	}
	t.Cleanup(func() {
		for range cap(preciseSleepers) {
			<-preciseSleepers
		}
	})
}

// Removing the toxic or closing the link ends a long wait at once.
func TestSleepInterrupted(t *testing.T) {
	for _, which := range []string{"removed", "closed"} {
		t.Run(which, func(t *testing.T) {
			removed, closed := make(chan struct{}), make(chan struct{})
			env := &Env{Removed: removed, Closed: closed}
			go func() {
				time.Sleep(20 * time.Millisecond)
				if which == "removed" {
					close(removed)
				} else {
					close(closed)
				}
			}()
			start := time.Now()
			if env.Sleep(forever) {
				t.Fatal("an endless wait ended without being interrupted")
			}
			if got := time.Since(start); got > 5*time.Second {
				t.Fatalf("interrupted wait took %v", got)
			}
		})
	}
}

// BenchmarkSleepLateness reports how late a 5.5 ms wait ends, p50 and p99,
// on a Go timer alone and as toxics wait (timer, then thread sleep).
func BenchmarkSleepLateness(b *testing.B) {
	const d, n = 5500 * time.Microsecond, 200
	env := &Env{Removed: make(chan struct{}), Closed: make(chan struct{})}
	for _, tc := range []struct {
		name  string
		sleep func(time.Time)
	}{
		{"go-timer", func(t time.Time) { time.Sleep(time.Until(t)) }},
		{"toxic", func(t time.Time) { env.SleepUntil(t) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				late := make([]time.Duration, 0, n)
				for range n {
					t := time.Now().Add(d)
					tc.sleep(t)
					late = append(late, time.Since(t))
				}
				sort.Slice(late, func(i, j int) bool { return late[i] < late[j] })
				b.ReportMetric(float64(late[n/2].Microseconds()), "late-p50-µs")
				b.ReportMetric(float64(late[n*99/100].Microseconds()), "late-p99-µs")
			}
		})
	}
}
