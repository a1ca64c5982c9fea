package coordinator

import (
	"context"
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

// writeTraced records the target's traced dependencies as a traced event,
// then its harvest, bounded so that a hung target never holds up the
// report.
func (s *Session) writeTraced(ctx context.Context, w *reports.Writer) {
	if s.Traced == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if g := s.Traced(ctx); g != nil {
		_ = w.Event(reports.Event{Time: time.Now(), Kind: reports.EvTraced, Params: map[string]any{"graph": g},
			Detail: "dependencies the target's tracing saw over the run"})
	}
	if s.Harvest != nil {
		for _, e := range s.Harvest(ctx) {
			_ = w.Event(e)
		}
	}
}
