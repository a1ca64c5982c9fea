package reports

import (
	"fmt"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// SlotJudge says, slot by slot, whether the steady state held.
// *SteadyState is the implementation; tests and other judges may supply
// their own.
type SlotJudge interface {
	// Slots are the starts of the slots that had windows, in order.
	Slots() []time.Duration
	// Holds reports whether the whole system met its steady state.
	Holds(at time.Duration) bool
	// EndpointHolds reports whether one endpoint met it.
	EndpointHolds(endpoint string, at time.Duration) bool
}

var _ SlotJudge = (*SteadyState)(nil)

// Recovery event sources, for FaultTiming.RecoverEvent.
const (
	RecoverReverted = "fault_reverted"    // the fault's revert event
	RecoverReplaced = "instance_replaced" // a killed instance's replacement
	RecoverPlanned  = "planned_end"       // no event: the plan's end of the fault
)

// FaultTiming is one fault's window as the events prove it, with its time
// to detect and time to recover. Offsets count from the result's origin.
//
// Both are read at slot resolution (SlotLength): TTD is from the apply to
// the start of the first breached slot that overlaps or follows it, TTR
// from the recovery start to the start of the first slot after which no
// slot breaches up to Horizon. Both are clamped at zero: a system back in
// steady state before the fault was reverted has a TTR of 0.
type FaultTiming struct {
	Fault string
	Kind  string
	// Applied is the first apply; End the last revert (or the plan's
	// end when no revert event was recorded, see Notes).
	Applied, End time.Duration
	// RecoverFrom is where TTR counts from: the revert, or for a kill
	// the replacement of the killed instance.
	RecoverFrom  time.Duration
	RecoverEvent string
	// Horizon is where judging stops: the next fault's apply or the end.
	Horizon time.Duration
	// Detected is false when no slot breached: TTD is then "never".
	Detected    bool
	FirstBreach time.Duration
	TTD         time.Duration
	// Recovered is false when the last slot before Horizon still
	// breached: TTR is then "never".
	Recovered bool
	BackAt    time.Duration
	TTR       time.Duration
	// Resolution is the slot length both are measured at.
	Resolution time.Duration
	Notes      []string
}

// TTDText and TTRText render the durations, or "never".
func (f FaultTiming) TTDText() string { return durOrNever(f.Detected, f.TTD) }

// TTRText renders TTR, or "never" when the system did not recover.
func (f FaultTiming) TTRText() string { return durOrNever(f.Recovered, f.TTR) }

func durOrNever(ok bool, d time.Duration) string {
	if !ok {
		return "never"
	}
	return d.String()
}

// killKinds are the fault kinds whose recovery starts at a replacement.
var killKinds = map[string]bool{"kill": true, "terminate": true}

// MeasureFaultTiming measures TTD and TTR of the named fault of plan p.
func MeasureFaultTiming(r *Result, p *scenarios.Plan, fault string, sj SlotJudge) (FaultTiming, error) {
	pf, ok := p.Fault(fault)
	if !ok {
		return FaultTiming{}, fmt.Errorf("fault %q is not in the plan (faults: %s)", fault, faultNames(p))
	}
	ft := FaultTiming{Fault: fault, Kind: pf.Kind, Resolution: SlotLength}
	ft.Applied, ft.End, ft.RecoverFrom, ft.RecoverEvent, ft.Notes = faultWindow(r, pf)
	ft.Horizon = horizon(r, p, pf, ft.Applied)
	var lastBreach time.Duration
	breached := false
	for _, at := range sj.Slots() {
		if at+SlotLength <= ft.Applied || at >= ft.Horizon {
			continue
		}
		if sj.Holds(at) {
			continue
		}
		if !breached {
			ft.Detected, ft.FirstBreach = true, at
			ft.TTD = max(0, at-ft.Applied)
		}
		breached, lastBreach = true, at
	}
	if !breached {
		ft.Recovered, ft.BackAt = true, ft.RecoverFrom
		return ft, nil
	}
	for _, at := range sj.Slots() {
		if at > lastBreach && at < ft.Horizon {
			ft.Recovered, ft.BackAt = true, at
			ft.TTR = max(0, at-ft.RecoverFrom)
			break
		}
	}
	return ft, nil
}

// faultWindow finds a fault's apply, end and recovery start from the
// events, falling back to the plan with a note.
func faultWindow(r *Result, pf scenarios.PlannedFault) (applied, end, from time.Duration, event string, notes []string) {
	applied, end = -1, -1
	instances := map[string]bool{}
	for _, s := range r.FaultSpans() {
		if s.Fault != pf.Name {
			continue
		}
		if applied < 0 || s.Applied < applied {
			applied = s.Applied
		}
		if s.WasReverted && s.Reverted > end {
			end = s.Reverted
		}
		if s.Instance != "" {
			instances[s.Instance] = true
		}
	}
	if applied < 0 {
		applied = pf.At
		notes = append(notes, fmt.Sprintf("no fault_applied event for %s: using the planned start %s", pf.Name, pf.At))
	}
	if end < 0 {
		end = pf.Until
		notes = append(notes, fmt.Sprintf("no fault_reverted event for %s: using the planned end %s", pf.Name, pf.Until))
		event = RecoverPlanned
	} else {
		event = RecoverReverted
	}
	from = end
	if killKinds[pf.Kind] {
		if at, ok := lastReplacement(r, instances, applied); ok {
			return applied, end, at, RecoverReplaced, notes
		}
		notes = append(notes, "no instance_replaced event after the kill: TTR counts from the fault's end")
	}
	return applied, end, from, event, notes
}

// lastReplacement is when the last of the killed instances was replaced
// after the apply. A kill of several instances recovers when all are back.
func lastReplacement(r *Result, killed map[string]bool, applied time.Duration) (time.Duration, bool) {
	origin := r.Origin()
	got := map[string]time.Duration{}
	for _, e := range r.Events {
		at := e.Time.Sub(origin)
		if e.Kind != EvInstanceReplaced || at < applied || !killed[e.Instance] {
			continue
		}
		if prev, ok := got[e.Instance]; !ok || at < prev {
			got[e.Instance] = at // the first replacement after the kill
		}
	}
	if len(got) == 0 || len(got) < len(killed) {
		return 0, false
	}
	var last time.Duration
	for _, at := range got {
		last = max(last, at)
	}
	return last, true
}

// horizon is where a fault's effects stop being its own: the next fault's
// start after it, or the end of the result (the plan's end if longer).
func horizon(r *Result, p *scenarios.Plan, pf scenarios.PlannedFault, applied time.Duration) time.Duration {
	h := max(r.Span(), p.Total)
	for _, f := range p.Faults {
		if f.Name != pf.Name && f.At > pf.At && f.At < h {
			h = f.At
		}
	}
	return max(h, applied)
}

func faultNames(p *scenarios.Plan) string {
	s := ""
	for i, f := range p.Faults {
		if i > 0 {
			s += ", "
		}
		s += f.Name
	}
	if s == "" {
		return "none"
	}
	return s
}
