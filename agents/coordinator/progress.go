package coordinator

import (
	"time"

	"github.com/faultline/faultline/reports"
)

// Snapshot is the live view of a run, handed to Config.Progress.
type Snapshot struct {
	Phase   string
	Elapsed time.Duration
	// Rate, Errors and P99 describe the latest complete second, merged
	// across agents and endpoints (histograms merged, never averaged).
	Rate     float64
	Intended float64
	Errors   int64
	P99      time.Duration
	// Requests is the total so far.
	Requests int64
	Agents   []AgentView
}

// AgentView is one agent in the live view.
type AgentView struct {
	ID    string
	State string // alive, suspect, dead (lost), refused, done
	Share float64
}

// second aggregates every window that started in one second of the run.
type second struct {
	requests, good, intended int64
	latency                  *reports.Hist
}

// tally merges windows per second of the run for the live view. Its memory
// grows with the run's seconds, never with requests or agents.
type tally struct {
	start    time.Time
	secs     map[int]*second
	requests int64
}

func newTally(start time.Time) *tally { return &tally{start: start, secs: map[int]*second{}} }

func (t *tally) add(w reports.Window) {
	i := int(w.Start.Sub(t.start).Round(time.Second) / time.Second)
	s := t.secs[i]
	if s == nil {
		s = &second{latency: reports.NewHist()}
		t.secs[i] = s
	}
	s.requests += w.Requests
	s.good += w.Good
	s.intended += w.Intended
	s.latency.Merge(w.Latency)
	t.requests += w.Requests
}

// latest returns the newest second that should be complete by now: windows
// reach the coordinator a moment after their second ends.
func (t *tally) latest(now time.Time) (*second, bool) {
	i := int(now.Sub(t.start)/time.Second) - 2
	s, ok := t.secs[i]
	return s, ok
}
