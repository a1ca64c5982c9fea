package coordinator

import (
	"strings"
	"testing"
	"time"
)

// When the drain runs out, an agent still sending is waited for (up to
// maxDrainFactor drains past the end); a silent one, or any agent of an
// interrupted run, is not, and whoever is cut off is named in an event.
func TestStillSending(t *testing.T) {
	const drain = 10 * time.Second
	now := time.Now()
	cases := []struct {
		name        string
		state       string
		heardAgo    time.Duration
		sinceEnd    time.Duration
		interrupted bool
		wait        bool
		note        string
	}{
		{"done agents end the wait", "done", 0, drain, false, false, ""},
		{"a draining agent heard just now is waited for", "draining", time.Second, drain, false, true, "drain extended"},
		{"an active agent heard just now is waited for", "active", 0, drain, false, true, "drain extended"},
		{"a silent agent is not waited for", "active", 10 * time.Second, drain, false, false, "last windows are missing: a"},
		{"no wait past the hard end", "draining", 0, maxDrainFactor*drain + time.Second, false, false, "last windows are missing: a"},
		{"an interrupted run does not wait", "active", 0, drain, true, false, "last windows are missing: a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sink := newMemSink()
			c := &Coordinator{cfg: Config{Drain: drain, Sink: sink}, end: now.Add(-tc.sinceEnd),
				members: map[string]*member{"a": {state: tc.state, heard: now.Add(-tc.heardAgo)}}}
			c.out.Interrupted = tc.interrupted
			got := c.stillSending()
			if (got > 0) != tc.wait {
				t.Fatalf("stillSending() = %s, want waiting %v", got, tc.wait)
			}
			if got > stragglerQuiet {
				t.Errorf("waits %s at once, want at most %s before asking again", got, stragglerQuiet)
			}
			var notes []string
			for _, e := range sink.events {
				notes = append(notes, e.Detail)
			}
			all := strings.Join(notes, "\n")
			if tc.note == "" && all != "" || !strings.Contains(all, tc.note) {
				t.Errorf("events %q, want one containing %q", all, tc.note)
			}
		})
	}
}
