package reports

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

const judgeScenario = `version: 1
name: judged
target: {kind: external, base_url: "http://127.0.0.1:8080"}
load:
  rate: 300/s
  duration: 20s
  warmup: 2s
  mix:
    - {name: browse, path: /}
    - {name: order, method: POST, path: /orders}
probes:
  - name: kv
    write: {path: /kv}
    read: {path: /kv}
timeline:
  - {name: abort-10, at: 10s, duration: 1s, kind: http_abort, target: {service: shop}, params: {status: 503, percent: 10%}}
variants:
  - {name: on, options: {patterns: on}}
  - {name: off, options: {patterns: off}}
abort_when:
  - availability(*) < 50% for 3s
expect:
  - availability(browse) >= 99% during fault(abort-10)
  - availability(browse) >= 99.9% before fault(abort-10)
  - error_rate(browse) <= 1% during fault(abort-10)
  - availability(*) >= 99%
  - p99 <= 50ms
  - rate >= 290/s
  - requests(order) == 3000
  - ttr(abort-10) <= 5s
  - lost_writes == 0
  - p99(order, patterns=off) <= 1s
`

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// synth builds a result with three agents sending 50 req/s each to both
// endpoints for the whole 22 s schedule; in slot 12 (the fault's window,
// warmup 2 s + at 10 s) each browse request fails with probability errP.
// Agent a1 answers in 10 ms, a2 and a3 in 10 ms too except that a3's order
// requests take 2 s one time in a hundred.
func synth(t *testing.T, errP float64) (*scenarios.Scenario, *scenarios.Plan, *Result) {
	t.Helper()
	s, err := scenarios.Decode("judged.yaml", []byte(judgeScenario))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	r := &Result{Header: Header{Schema: Schema, RunID: "r1", Started: t0, Variant: "on"}}
	for sec := 0; sec < 22; sec++ {
		for ai, agent := range []string{"a1", "a2", "a3"} {
			for _, ep := range []string{"browse", "order"} {
				w := Window{RunID: "r1", AgentID: agent, Seq: uint64(sec), Endpoint: ep,
					Start: t0.Add(time.Duration(sec) * time.Second), Length: time.Second,
					Latency: NewHist()}
				for i := 0; i < 50; i++ {
					w.Requests++
					w.Intended++
					lat := 10 * time.Millisecond
					if ai == 2 && ep == "order" && i%100 == 0 && sec%2 == 0 {
						lat = 2 * time.Second
					}
					w.Latency.Record(lat)
					if ep == "browse" && sec == 12 && rng.Float64() < errP {
						continue
					}
					w.Good++
				}
				r.Windows = append(r.Windows, w)
			}
		}
	}
	return s, scenarios.NewPlan(s), r
}

func byExpectation(vs []Verdict) map[string]Verdict {
	out := map[string]Verdict{}
	for _, v := range vs {
		out[v.Expectation] = v
	}
	return out
}

// Each expectation is judged over its planned span: the faulted slot
// shows the injected errors (150 requests there, so the binomial spread is
// wide; TestJudgeInjectedErrorsLarge checks ± 1 point), and the rest of
// the run is untouched.
func TestJudgeWindows(t *testing.T) {
	s, p, r := synth(t, 0.10)
	v := byExpectation(Judge(s, p, r, ""))
	cases := []struct {
		src    string
		status string
		lo, hi float64 // observed must fall in [lo, hi]
	}{
		// the faulted slot: 150 requests, ~10% failed (binomial, seeded)
		{"availability(browse) >= 99% during fault(abort-10)", StatusFail, 0.84, 0.96},
		{"error_rate(browse) <= 1% during fault(abort-10)", StatusFail, 0.04, 0.16},
		// before the fault nothing failed
		{"availability(browse) >= 99.9% before fault(abort-10)", StatusPass, 1, 1},
		// over the whole run the worst endpoint is browse, 15 of 3000 lost
		{"availability(*) >= 99%", StatusPass, 0.99, 1},
		// merged histograms: 10 slow requests in 6000 keep p99 at 10 ms;
		// averaging the 120 windows' p99s (10 of them 2 s) would give
		// about 176 ms and fail
		{"p99 <= 50ms", StatusPass, 0.0099, 0.0101},
		// 3 agents × 2 endpoints × 50/s over the judged 20 s; order alone
		// is 3 × 50 × 20
		{"rate >= 290/s", StatusPass, 300, 300},
		{"requests(order) == 3000", StatusPass, 3000, 3000},
	}
	for _, c := range cases {
		got, ok := v[c.src]
		if !ok {
			t.Errorf("no verdict for %q", c.src)
			continue
		}
		if got.Status != c.status || got.Observed < c.lo || got.Observed > c.hi {
			t.Errorf("%q: %s observed %v (%s), want %s in [%v, %v]", c.src, got.Status, got.Observed, got.Detail, c.status, c.lo, c.hi)
		}
	}
	// Fault metrics and missing probes are never invented.
	// This scenario has no steady state to tell a breached window, so TTR
	// cannot be measured; it has no probes, so lost writes cannot either.
	for src, want := range map[string]string{
		"ttr(abort-10) <= 5s": "no steady_state expectation",
		"lost_writes == 0":    NotMeasured,
	} {
		if got := v[src]; got.Status != StatusError || !strings.Contains(got.Detail, want) {
			t.Errorf("%q: %+v, want error containing %q", src, got, want)
		}
	}
	// This result is variant "on"; patterns=off needs the other one.
	if got := v["p99(order, patterns=off) <= 1s"]; got.Status != StatusError {
		t.Errorf("variant mismatch judged: %+v", got)
	}
	// The abort condition (below 50% for 3 s) never held.
	if got := v["availability(*) < 50% for 3s"]; got.Status != StatusPass {
		t.Errorf("abort verdict %+v", got)
	}
}

// With many requests in the faulted slot, 10% injected errors measure
// 90% ± 1 point.
func TestJudgeInjectedErrorsLarge(t *testing.T) {
	s, p, r := synth(t, 0.10)
	rng := rand.New(rand.NewPCG(7, 7))
	// Scale the faulted slot's browse windows up to 20,000 requests each
	// agent, failing each with probability 10%.
	for i := range r.Windows {
		w := &r.Windows[i]
		if w.Endpoint != "browse" || w.Start != t0.Add(12*time.Second) {
			continue
		}
		w.Requests, w.Good = 20000, 0
		for range 20000 {
			if rng.Float64() >= 0.10 {
				w.Good++
			}
		}
	}
	v := byExpectation(Judge(s, p, r, scenarios.SectionExpect))
	got := v["availability(browse) >= 99% during fault(abort-10)"]
	if math.Abs(got.Observed-0.90) > 0.01 {
		t.Fatalf("measured %v, want 0.90 ± 0.01", got.Observed)
	}
	if got.From != 12*time.Second || got.To != 13*time.Second {
		t.Errorf("judged [%s, %s), want [12s, 13s)", got.From, got.To)
	}
}

// The watcher trips only after the condition held for the whole duration
// in consecutive slots; a good slot or a missing slot restarts the count.
func TestAbortWatcher(t *testing.T) {
	s, p, _ := synth(t, 0)
	a := NewAbortWatcher(s, p)
	slotOf := func(sec int, good int64) []Window {
		return []Window{{Endpoint: "browse", AgentID: "a1", Start: t0.Add(time.Duration(sec) * time.Second), Requests: 100, Good: good},
			{Endpoint: "order", AgentID: "a1", Start: t0.Add(time.Duration(sec) * time.Second), Requests: 100, Good: 100}}
	}
	steps := []struct {
		sec  int
		good int64
		trip bool
	}{
		{0, 0, false},  // warmup: not watched
		{1, 0, false},  // warmup
		{2, 10, false}, // bad 1
		{3, 10, false}, // bad 2
		{4, 90, false}, // good: streak restarts
		{5, 10, false}, // bad 1
		{6, 10, false}, // bad 2
		{8, 10, false}, // slot 7 missing: streak restarts, bad 1
		{9, 10, false}, // bad 2
		{10, 49, true}, // bad 3: held 8s..11s
		{11, 0, false}, // already tripped: once only
	}
	for _, st := range steps {
		trips := a.Observe(time.Duration(st.sec)*time.Second, slotOf(st.sec, st.good))
		if (len(trips) > 0) != st.trip {
			t.Fatalf("slot %d: trips %v, want trip=%v", st.sec, trips, st.trip)
		}
		if st.trip {
			tr := trips[0]
			if tr.Endpoint != "browse" || tr.Since != 8*time.Second || tr.At != 11*time.Second || tr.Observed != 0.49 {
				t.Fatalf("trip %+v", tr)
			}
		}
	}
}

// Replaying a result through the abort condition fails the verdict when
// it held long enough.
func TestJudgeAbortReplay(t *testing.T) {
	s, p, r := synth(t, 0)
	for i := range r.Windows {
		w := &r.Windows[i]
		if w.Endpoint == "order" && w.Start.Sub(t0) >= 15*time.Second && w.Start.Sub(t0) < 19*time.Second {
			w.Good = 10
		}
	}
	vs := Judge(s, p, r, scenarios.SectionAbortWhen)
	if len(vs) != 1 || vs[0].Status != StatusFail || vs[0].Observed != 0.2 {
		t.Fatalf("abort verdicts %+v", vs)
	}
}

// Consistency metrics come from probe samples written in the span.
func TestJudgeConsistency(t *testing.T) {
	s, p, r := synth(t, 0)
	for i := range 100 {
		w := t0.Add(3*time.Second + time.Duration(i)*100*time.Millisecond)
		ack := w.Add(5 * time.Millisecond)
		ps := ProbeSample{Probe: "kv", Key: "k", Written: w, Acked: ack, StaleReads: 1}
		ps.LastStale = ack.Add(time.Duration(i+1) * time.Millisecond) // lags 1..100 ms
		ps.Lost = i == 99
		r.Probes = append(r.Probes, ps)
	}
	s.Expect = append(s.Expect, mustExpect(t, "consistency_lag.p99 <= 2s"), mustExpect(t, "stale_reads(kv) <= 50"))
	p = scenarios.NewPlan(s)
	v := byExpectation(Judge(s, p, r, scenarios.SectionExpect))
	if got := v["lost_writes == 0"]; got.Status != StatusFail || got.Observed != 1 {
		t.Errorf("lost_writes: %+v", got)
	}
	// 99 visible samples with lags 1..99 ms: nearest-rank p99 is 99 ms.
	if got := v["consistency_lag.p99 <= 2s"]; got.Status != StatusPass || math.Abs(got.Observed-0.099) > 1e-9 {
		t.Errorf("lag p99: %+v", got)
	}
	if got := v["stale_reads(kv) <= 50"]; got.Status != StatusFail || got.Observed != 100 {
		t.Errorf("stale reads: %+v", got)
	}
}

func mustExpect(t *testing.T, src string) scenarios.Expectation {
	e, err := scenarios.ParseExpectation(src)
	if err != nil {
		t.Fatal(err)
	}
	return scenarios.Expectation{Source: src, Expr: e}
}

// Windows arriving one by one, agents interleaved and a little late, trip
// the stream watcher once the condition held for 3 s, judged one slot
// after it closes; a window for a slot already judged is ignored.
func TestStreamAbortWatcher(t *testing.T) {
	s, p, _ := synth(t, 0)
	a := NewStreamAbortWatcher(s, p, t0)
	win := func(sec int, agent string, good int64) Window {
		return Window{Endpoint: "order", AgentID: agent, Start: t0.Add(time.Duration(sec) * time.Second), Requests: 100, Good: good}
	}
	// Slots 2..4 are bad (20% good) from both agents; a2's slot 4 window
	// arrives after a1's slot 5 window.
	feed := []struct {
		w     Window
		abort bool
	}{
		{win(2, "a1", 20), false},
		{win(2, "a2", 20), false},
		{win(3, "a1", 20), false},
		{win(3, "a2", 20), false},
		{win(4, "a1", 20), false},  // slot 2 judged: bad 1
		{win(5, "a1", 100), false}, // slot 3 judged: bad 2
		{win(4, "a2", 20), false},  // late but slot 4 is still open
		{win(6, "a1", 100), true},  // slot 4 judged: bad 3, held 2s..5s
		{win(1, "a1", 0), false},   // long judged: ignored
	}
	for i, f := range feed {
		abort, reason := a.Observe(f.w)
		if abort != f.abort {
			t.Fatalf("step %d: abort %v (%s), want %v", i, abort, reason, f.abort)
		}
		if abort && reason != "abort_when: availability(*) < 50% for 3s held on order from 2s to 5s (observed 0.2, bound 0.5)" {
			t.Fatalf("reason %q", reason)
		}
	}
}

// service_p99 reads the raw service-time histograms, p99 the corrected
// ones: a run that fell behind shows the difference.
func TestJudgeServiceTime(t *testing.T) {
	s, _, r := synth(t, 0)
	r.Windows = nil
	for i, agent := range []string{"a1", "a2"} {
		w := Window{AgentID: agent, Endpoint: "browse", Start: t0.Add(5 * time.Second), Length: time.Second,
			Requests: 100, Good: 100, Latency: NewHist(), Service: NewHist()}
		for range 100 {
			w.Service.Record(time.Duration(5+95*i) * time.Millisecond) // a1 5 ms, a2 100 ms
			w.Latency.Record(300 * time.Millisecond)                   // queued behind schedule
		}
		r.Windows = append(r.Windows, w)
	}
	s.Expect = []scenarios.Expectation{mustExpect(t, "service_p99(browse) <= 150ms"), mustExpect(t, "p99(browse) <= 150ms")}
	v := byExpectation(Judge(s, scenarios.NewPlan(s), r, scenarios.SectionExpect))
	if got := v["service_p99(browse) <= 150ms"]; got.Status != StatusPass || math.Abs(got.Observed-0.1) > 0.001 {
		t.Errorf("service_p99: %+v", got)
	}
	if got := v["p99(browse) <= 150ms"]; got.Status != StatusFail || math.Abs(got.Observed-0.3) > 0.001 {
		t.Errorf("p99: %+v", got)
	}
}

// good_p99 and goodput read only the good responses: a throttle's instant
// 429s (half the answers here) neither hide the admitted requests' latency
// nor count as goodput. A result without good-latency histograms (written
// before they were recorded) says so instead of reading as "no requests".
func TestJudgeGoodLatency(t *testing.T) {
	s, _, r := synth(t, 0)
	r.Windows = nil
	for sec := range 4 {
		w := Window{AgentID: "a1", Endpoint: "browse", Start: t0.Add(time.Duration(5+sec) * time.Second), Length: time.Second,
			Requests: 200, Good: 100, Latency: NewHist(), GoodLatency: NewHist()}
		for range 100 {
			w.Latency.Record(time.Millisecond) // rejected at once
			w.Latency.Record(80 * time.Millisecond)
			w.GoodLatency.Record(80 * time.Millisecond)
		}
		r.Windows = append(r.Windows, w)
	}
	exps := []string{"good_p99(browse) <= 50ms", "good_p50(browse) <= 100ms", "goodput(browse) >= 1/s", "rate(browse) >= 1/s"}
	s.Expect = nil
	for _, e := range exps {
		s.Expect = append(s.Expect, mustExpect(t, e))
	}
	v := byExpectation(Judge(s, scenarios.NewPlan(s), r, scenarios.SectionExpect))
	if got := v[exps[0]]; got.Status != StatusFail || math.Abs(got.Observed-0.08) > 0.001 {
		t.Errorf("good_p99: %+v, want fail at 80ms", got)
	}
	if got := v[exps[1]]; got.Status != StatusPass || math.Abs(got.Observed-0.08) > 0.001 {
		t.Errorf("good_p50: %+v, want pass at 80ms", got)
	}
	if got, rate := v[exps[2]], v[exps[3]].Observed; got.Status != StatusPass || math.Abs(got.Observed-rate/2) > 1e-9 {
		t.Errorf("goodput: %+v, want half the rate %.1f/s (half the answers were good)", got, rate)
	}
	for i := range r.Windows {
		r.Windows[i].GoodLatency = nil
	}
	v = byExpectation(Judge(s, scenarios.NewPlan(s), r, scenarios.SectionExpect))
	if got := v[exps[0]]; got.Pass || !strings.Contains(got.Detail, NotMeasured) {
		t.Errorf("good_p99 on an older result: %+v, want not measured", got)
	}
}
