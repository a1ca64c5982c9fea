package reports

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// healSample is a write acknowledged at ack (offset) that q1 served at
// once and q2 was last seen missing at staleQ2 and served 20 ms later;
// staleQ2 < 0 means q2 never missed it.
func healSample(key string, ack, staleQ2 time.Duration) ProbeSample {
	a := mxStart.Add(ack)
	s := ProbeSample{Probe: "orders", Key: key, Written: a.Add(-5 * time.Millisecond), Acked: a, FirstFresh: a.Add(time.Millisecond),
		PerInstance: map[string]time.Time{"q1": a.Add(time.Millisecond), "q2": a.Add(time.Millisecond)}}
	if staleQ2 >= 0 {
		s.LastStale, s.StaleReads = mxStart.Add(staleQ2), 5
		s.LastStaleBy = map[string]time.Time{"q2": mxStart.Add(staleQ2)}
		s.PerInstance["q2"] = mxStart.Add(staleQ2 + 20*time.Millisecond)
	}
	return s
}

// Heal at 10 s: the writes acknowledged before it, on every instance.
func TestMeasureHealConvergence(t *testing.T) {
	const heal = 10 * time.Second
	base := []ProbeSample{
		healSample("early", 5*time.Second, -1),                                // visible everywhere long before
		healSample("cut", 8*time.Second, 10*time.Second+400*time.Millisecond), // stale until 0.4 s after
		healSample("young", 9900*time.Millisecond, 10600*time.Millisecond),    // sets the time: 0.6 s
		healSample("before", 7*time.Second, 9*time.Second),                    // stale, but caught up before the heal
		healSample("after", 11*time.Second, 14*time.Second),                   // acknowledged after the heal: not counted
	}
	lost := healSample("lost", 9*time.Second, 20*time.Second)
	lost.Lost, lost.PerInstance = true, nil
	never := healSample("never", 9*time.Second, 20*time.Second)
	delete(never.PerInstance, "q2")
	never.Error = "never visible on q2 by the deadline"
	stopped := ProbeSample{Probe: "orders", Key: "stopped", Written: mxStart.Add(9 * time.Second), Acked: mxStart.Add(9 * time.Second),
		Error: "stopped before the write was resolved"}
	for _, tc := range []struct {
		name                 string
		extra                []ProbeSample
		writes, stale, unkwn int
		converged            bool
		time, upper          time.Duration
		never                string
	}{
		// Four writes before the heal, two stale after it: the young one
		// was last seen stale 600 ms after, and fresh 20 ms later.
		{"converged", nil, 4, 2, 0, true, 600 * time.Millisecond, 620 * time.Millisecond, ""},
		// A lost write, or one an instance never served, is never.
		{"lost", []ProbeSample{lost}, 5, 3, 0, false, 600 * time.Millisecond, 620 * time.Millisecond, "lost lost"},
		{"never on q2", []ProbeSample{never}, 5, 3, 0, false, 600 * time.Millisecond, 620 * time.Millisecond, "never on q2"},
		// A write whose visibility is unknown is counted as such.
		{"unknown", []ProbeSample{stopped}, 5, 2, 1, true, 600 * time.Millisecond, 620 * time.Millisecond, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Result{Header: Header{Started: mxStart}, Probes: append(append([]ProbeSample(nil), base...), tc.extra...)}
			h := MeasureHealConvergence(r, heal)
			if h.Writes != tc.writes || h.Stale != tc.stale || h.Unknown != tc.unkwn || h.Converged != tc.converged {
				t.Errorf("writes %d stale %d unknown %d converged %v, want %d %d %d %v", h.Writes, h.Stale, h.Unknown, h.Converged, tc.writes, tc.stale, tc.unkwn, tc.converged)
			}
			if h.Time != tc.time || h.Upper != tc.upper {
				t.Errorf("time %v (upper %v), want %v (%v)", h.Time, h.Upper, tc.time, tc.upper)
			}
			if tc.never != "" && (len(h.Never) != 1 || h.Never[0] != tc.never) {
				t.Errorf("never %v, want [%s]", h.Never, tc.never)
			}
			if tc.converged && (h.Slowest != "q2" || h.Key != "young") {
				t.Errorf("slowest %s/%s, want q2/young", h.Slowest, h.Key)
			}
		})
	}
}

// healScenario cuts q2 off from 8 s to 10 s and kills a bus at 20 s,
// offsets with the 2 s warmup.
const healScenario = `version: 1
name: heal
target: {kind: external, base_url: "http://127.0.0.1:8080"}
load:
  rate: 10/s
  duration: 30s
  warmup: 2s
  mix:
    - {name: e1, path: /1}
probes:
  - name: orders
    write: {path: /orders}
    read: {path: '/orders/{{capture "write" "id"}}'}
timeline:
  - {name: cut, at: 6s, duration: 2s, kind: partition, target: {instance: q2}, params: {shape: isolate}}
  - {name: kill-bus, at: 18s, duration: 3s, kind: kill, target: {instance: bus-3}}
`

// The judge counts heal_convergence from the fault's revert event (a
// kill's from the replacement), says never with the Never value, and
// refuses a window qualifier.
func TestJudgeHealConvergence(t *testing.T) {
	s, err := scenarios.Decode("heal.yaml", []byte(healScenario))
	if err != nil {
		t.Fatal(err)
	}
	never := healSample("never", 9*time.Second, 20*time.Second)
	delete(never.PerInstance, "q2")
	r := &Result{Header: Header{Started: mxStart}, Probes: []ProbeSample{
		healSample("a", 8*time.Second, 10300*time.Millisecond), // revert at 10.1 s: 200 ms after it
		healSample("b", 12*time.Second, 12500*time.Millisecond),
		healSample("c", 21*time.Second, 23*time.Second), // replacement at 22 s: 1 s after it
	}}
	r.Events = []Event{mxEvent(EvFaultApplied, 8*time.Second, "cut", "q2"), mxEvent(EvFaultReverted, 10100*time.Millisecond, "cut", "q2"),
		mxEvent(EvFaultApplied, 20*time.Second, "kill-bus", "bus-3"), mxEvent(EvInstanceReplaced, 22*time.Second, "", "bus-3"),
		mxEvent(EvFaultReverted, 23*time.Second, "kill-bus", "bus-3")}
	judge := func(extra ...ProbeSample) map[string]Verdict {
		sc := *s
		sc.Expect = nil
		for _, src := range []string{"heal_convergence(cut) <= 1s", "heal_convergence(kill-bus) <= 500ms", "heal_convergence(cut) <= 1s during fault(kill-bus)"} {
			sc.Expect = append(sc.Expect, mustExpect(t, src))
		}
		rr := *r
		rr.Probes = append(append([]ProbeSample(nil), r.Probes...), extra...)
		return byExpectation(Judge(&sc, scenarios.NewPlan(&sc), &rr, scenarios.SectionExpect))
	}
	v := judge()
	if got := v["heal_convergence(cut) <= 1s"]; got.Status != StatusPass || math.Abs(got.Observed-0.2) > 1e-9 || !strings.Contains(got.Detail, "fault_reverted") {
		t.Errorf("cut: %+v, want pass at 0.2 s from the revert", got)
	}
	if got := v["heal_convergence(kill-bus) <= 500ms"]; got.Status != StatusFail || math.Abs(got.Observed-1) > 1e-9 || !strings.Contains(got.Detail, "instance_replaced") {
		t.Errorf("kill-bus: %+v, want fail at 1 s from the replacement", got)
	}
	if got := v["heal_convergence(cut) <= 1s during fault(kill-bus)"]; got.Status != StatusError || !strings.Contains(got.Detail, "no window qualifier") {
		t.Errorf("window: %+v, want an error", got)
	}
	if got := judge(never)["heal_convergence(cut) <= 1s"]; got.Status != StatusFail || got.Observed != Never || !strings.Contains(got.Detail, "never on q2") {
		t.Errorf("never: %+v, want fail with Never", got)
	}
}
