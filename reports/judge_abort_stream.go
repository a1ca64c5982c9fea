package reports

import (
	"sort"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// SlotLag is how many later slots a StreamAbortWatcher waits for before it
// judges a slot: windows of slot k are judged once a window of slot
// k+1+SlotLag arrives, so an agent's window that is a little late still
// counts. It adds SlotLag seconds to the time to abort.
const SlotLag = 1

// StreamAbortWatcher adapts AbortWatcher to a stream of single windows in
// arrival order (the coordinator's Watcher interface). It buffers windows
// by slot and judges each slot once it is closed (see SlotLag). A window
// for a slot already judged is too late and is ignored for aborts (the
// result file still has it). It is not safe for concurrent use.
type StreamAbortWatcher struct {
	w       *AbortWatcher
	origin  time.Time
	pending map[int64][]Window
	judged  int64 // slots below this are judged
	started bool
}

// NewStreamAbortWatcher watches s's abort_when conditions over windows
// whose offsets count from origin, the start of the schedule.
func NewStreamAbortWatcher(s *scenarios.Scenario, p *scenarios.Plan, origin time.Time) *StreamAbortWatcher {
	return &StreamAbortWatcher{w: NewAbortWatcher(s, p), origin: origin, pending: map[int64][]Window{}}
}

// Observe takes one window and reports whether an abort condition has now
// held for its duration, with the reason as one line.
func (a *StreamAbortWatcher) Observe(w Window) (abort bool, reason string) {
	k := slot(a.origin, w.Start)
	if a.started && k < a.judged {
		return false, ""
	}
	if !a.started {
		a.judged, a.started = k, true
	}
	a.pending[k] = append(a.pending[k], w)
	return a.judgeBefore(k - SlotLag)
}

// Flush judges every buffered slot, for the end of a run.
func (a *StreamAbortWatcher) Flush() (abort bool, reason string) {
	last := a.judged
	for k := range a.pending {
		last = max(last, k+1)
	}
	return a.judgeBefore(last)
}

// judgeBefore judges, in order, every buffered slot below end. Slots with
// no windows at all need no call: the watcher sees the gap and breaks its
// streaks.
func (a *StreamAbortWatcher) judgeBefore(end int64) (bool, string) {
	var keys []int64
	for k := range a.pending {
		if k < end {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, k := range keys {
		ws := a.pending[k]
		delete(a.pending, k)
		a.judged = k + 1
		if trips := a.w.Observe(time.Duration(k)*SlotLength, ws); len(trips) > 0 {
			return true, "abort_when: " + trips[0].String()
		}
	}
	return false, ""
}
