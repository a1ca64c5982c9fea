package proxy

import "time"

// Why toxics do not sleep on Go's timers alone: a timer fires up to about
// 1 ms late. An idle Go program waits for its next timer in epoll_wait,
// whose timeout is whole milliseconds, and a remainder under 1 ms is
// rounded up to 1 ms (runtime/netpoll_epoll.go). A 100 ms latency toxic
// on Go timers measured p50 100.9 ms and p90 101.5 ms at 200 req/s, the
// same as Toxiproxy, against 0.44 and 0.67 ms for the link without it:
// the toxic itself added a uniform 0-1 ms. So a toxic's wait runs on a
// timer until preciseSlack before its deadline, and then in a thread
// sleep (nanosleep, accurate to the kernel's 50 µs timer slack).

// preciseSlack is how long before a deadline the timer hands over. It
// covers the timer's 1 ms of lateness with room for a busy scheduler.
const preciseSlack = 2 * time.Millisecond

// preciseSleepers bounds the threads blocked in a precise sleep at once:
// each holds an OS thread for up to preciseSlack, so 64 of them cover
// 32,000 delayed chunks a second. Beyond that a sleep finishes on a Go
// timer and may be up to 1 ms late; nothing is dropped or reordered.
var preciseSleepers = make(chan struct{}, 64)

// sleepPrecise blocks until t, never ending before it.
func sleepPrecise(t time.Time) {
	d := time.Until(t)
	if d <= 0 {
		return
	}
	select {
	case preciseSleepers <- struct{}{}:
		defer func() { <-preciseSleepers }()
		threadSleepUntil(t)
	default:
		time.Sleep(d)
	}
}
