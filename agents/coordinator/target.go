package coordinator

import (
	"time"

	"github.com/faultline/faultline/reports"
)

// targetEventPoll is how often the session collects the target's
// lifecycle events: well under a window, so a replacement lands in the
// right second.
const targetEventPoll = 200 * time.Millisecond

// streamTargetEvents copies the target's lifecycle events into the result
// while the run lasts. The returned stop collects the last ones and
// returns once they are written.
func (s *Session) streamTargetEvents(w *reports.Writer) (stop func()) {
	if s.TargetEvents == nil {
		return func() {}
	}
	quit, done := make(chan struct{}), make(chan struct{})
	since := time.Now()
	collect := func() {
		for _, e := range s.TargetEvents(since) {
			if e.Time.After(since) {
				since = e.Time
			}
			_ = w.Event(e)
		}
	}
	go func() {
		defer close(done)
		t := time.NewTicker(targetEventPoll)
		defer t.Stop()
		for {
			select {
			case <-quit:
				collect()
				return
			case <-t.C:
				collect()
			}
		}
	}()
	return func() { close(quit); <-done }
}
