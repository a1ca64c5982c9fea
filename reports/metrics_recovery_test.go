package reports

import (
	"testing"
	"time"
)

// Health-check settings of the reference gateway's defaults, which bound
// how fast a replaced instance can serve again.
const (
	hcInterval = 500 * time.Millisecond
	hcHealthy  = 2
)

// Ground truth: a kill at 10 s, the supervisor replaces the instance 2 s
// later, and the gateway routes to it again after hcHealthy good checks
// (plus up to one interval of check phase). Every request in between
// fails. TTR from the replacement must fall within that health-check
// bound plus one slot of resolution, and TTD is the first slot.
func TestTTRReplacementWithinHealthCheckBound(t *testing.T) {
	s, p := mxDecode(t)
	const killAt, replacedAt = 10 * time.Second, 12 * time.Second
	// Traffic returns a quarter interval into the check after the
	// threshold: a realistic phase, not a slot boundary.
	outageEnd := replacedAt + hcHealthy*hcInterval + hcInterval/4
	bound := hcHealthy*hcInterval + hcInterval + SlotLength

	for _, tc := range []struct {
		name string
		// events beyond the apply; the outage's end; TTR wanted.
		events    []Event
		outageEnd time.Duration
		recovered bool
		from      string
	}{
		// The supervisor replaced it: TTR counts from the replacement.
		{"replaced", []Event{mxEvent(EvFaultReverted, 14*time.Second, "kill-inv", "inventory-1"),
			mxEvent(EvInstanceKilled, killAt, "kill-inv", "inventory-1"),
			mxEvent(EvInstanceReplaced, replacedAt, "", "inventory-1")}, outageEnd, true, RecoverReplaced},
		// No replacement event: TTR counts from the lease's revert, noted.
		{"no replacement event", []Event{mxEvent(EvFaultReverted, 14*time.Second, "kill-inv", "inventory-1")},
			outageEnd, true, RecoverReverted},
		// The outage lasts to the next fault: never recovered.
		{"never recovered", []Event{mxEvent(EvInstanceReplaced, replacedAt, "", "inventory-1")},
			22 * time.Second, false, RecoverReplaced},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := mxResult([]string{"e4"}, 20, func(ep string, at time.Duration) (bool, time.Duration) {
				return at >= killAt && at < tc.outageEnd, 3 * time.Millisecond
			})
			r.Events = append([]Event{mxEvent(EvFaultApplied, killAt, "kill-inv", "inventory-1")}, tc.events...)
			ss, err := NewSteadyState(s, r)
			if err != nil {
				t.Fatal(err)
			}
			ft, err := MeasureFaultTiming(r, p, "kill-inv", ss)
			if err != nil {
				t.Fatal(err)
			}
			if !ft.Detected || ft.TTD != 0 || ft.FirstBreach != killAt {
				t.Errorf("TTD %s (first breach %v), want 0s at 10s", ft.TTDText(), ft.FirstBreach)
			}
			if ft.RecoverEvent != tc.from {
				t.Errorf("recovery counted from %s, want %s (notes %v)", ft.RecoverEvent, tc.from, ft.Notes)
			}
			if ft.Recovered != tc.recovered {
				t.Fatalf("recovered = %v (TTR %s), want %v", ft.Recovered, ft.TTRText(), tc.recovered)
			}
			if !tc.recovered {
				if ft.TTRText() != "never" {
					t.Errorf("TTR text %q, want never", ft.TTRText())
				}
				return
			}
			// Slot 13 still holds the last failures; slot 14 is back.
			if ft.BackAt != 14*time.Second {
				t.Errorf("back at %v, want 14s", ft.BackAt)
			}
			if tc.from == RecoverReplaced && (ft.TTR <= 0 || ft.TTR > bound) {
				t.Errorf("TTR %v from the replacement, want within (0, %v] that the health checks allow", ft.TTR, bound)
			}
			if tc.from == RecoverReverted && ft.TTR != 0 {
				t.Errorf("TTR %v from the revert at 14s, want 0 (back at 14s)", ft.TTR)
			}
		})
	}
}

// A fault that never breaches the steady state: TTD never, TTR 0; and an
// unknown fault is an error naming the known ones.
func TestFaultTimingUndetected(t *testing.T) {
	s, p := mxDecode(t)
	r := mxResult([]string{"e1"}, 10, func(string, time.Duration) (bool, time.Duration) { return false, time.Millisecond })
	ss, err := NewSteadyState(s, r)
	if err != nil {
		t.Fatal(err)
	}
	ft, err := MeasureFaultTiming(r, p, "slow-inv", ss)
	if err != nil {
		t.Fatal(err)
	}
	if ft.Detected || ft.TTDText() != "never" || !ft.Recovered || ft.TTR != 0 || len(ft.Notes) != 2 {
		t.Errorf("timing %+v: want undetected, TTR 0, two notes on missing events", ft)
	}
	if ft.Applied != 22*time.Second || ft.End != 25*time.Second || ft.Horizon != 32*time.Second {
		t.Errorf("window %v..%v horizon %v, want the plan's 22s..25s and the run's end 32s", ft.Applied, ft.End, ft.Horizon)
	}
	if _, err := MeasureFaultTiming(r, p, "nope", ss); err == nil {
		t.Error("unknown fault: no error")
	}
}

// A latency breach (p99 over 100 ms) counts as a breach too, and the
// steady state refuses a scenario that states none.
func TestSteadyStateLatencyAndMissing(t *testing.T) {
	s, _ := mxDecode(t)
	r := mxResult([]string{"e1", "e2"}, 10, func(ep string, at time.Duration) (bool, time.Duration) {
		if ep == "e2" && at >= 5*time.Second && at < 6*time.Second {
			return false, 300 * time.Millisecond
		}
		return false, time.Millisecond
	})
	ss, err := NewSteadyState(s, r)
	if err != nil {
		t.Fatal(err)
	}
	if ss.Holds(5*time.Second) || ss.EndpointHolds("e2", 5*time.Second) || !ss.EndpointHolds("e1", 5*time.Second) || !ss.Holds(4*time.Second) {
		t.Error("want slot 5 breached by e2 alone, slot 4 in steady state")
	}
	if got := ss.Breached(0, 32*time.Second); len(got) != 1 || got[0] != "e2" {
		t.Errorf("breached %v, want [e2]", got)
	}
	s.SteadyState = nil
	if _, err := NewSteadyState(s, r); err != ErrNoSteadyState {
		t.Errorf("err = %v, want ErrNoSteadyState", err)
	}
}
