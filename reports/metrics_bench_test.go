package reports

import (
	"encoding/json"
	"testing"
	"time"
)

// benchResult is a five-minute run of six endpoints from three agents
// (5,400 windows), with histograms in their encoded form, as a Result
// read from result.json holds them.
func benchResult(b *testing.B) *Result {
	b.Helper()
	r := &Result{Header: Header{Schema: Schema, RunID: "bench", Started: mxStart, Graph: mxGraph()}}
	for sec := 0; sec < 300; sec++ {
		for _, agent := range []string{"a1", "a2", "a3"} {
			for _, ep := range sixEndpoints {
				h := NewHist()
				for i := 0; i < 50; i++ {
					h.Record(time.Duration(1+i%20) * time.Millisecond)
				}
				raw, err := json.Marshal(h)
				if err != nil {
					b.Fatal(err)
				}
				var lazy Hist
				if err := json.Unmarshal(raw, &lazy); err != nil {
					b.Fatal(err)
				}
				good := int64(50)
				if ep == "e4" && sec >= 100 && sec < 110 {
					good = 25
				}
				r.Windows = append(r.Windows, Window{RunID: "bench", AgentID: agent, Seq: uint64(sec), Endpoint: ep,
					Start: mxStart.Add(time.Duration(sec) * time.Second), Length: time.Second,
					Requests: 50, Good: good, Latency: &lazy, Deps: map[string]int64{"inventory:ok": good}})
			}
		}
	}
	return r
}

// BenchmarkFaultJudge is the judge's cost for every fault metric of a
// five-minute run: one steady-state pass (availability and p99 per
// endpoint per slot) plus TTD, TTR and blast radius of two faults.
func BenchmarkFaultJudge(b *testing.B) {
	r := benchResult(b)
	s, p := mxDecode(&testing.T{})
	b.ResetTimer()
	for b.Loop() {
		fj := NewFaultJudge(s, p, r)
		for _, f := range []string{"kill-inv", "slow-inv"} {
			if _, err := fj.Timing(f); err != nil {
				b.Fatal(err)
			}
			if _, err := fj.Blast(f); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkSteadyStateCountsOnly is the same pass when the steady state
// reads only counts (availability): no histogram is decoded.
func BenchmarkSteadyStateCountsOnly(b *testing.B) {
	r := benchResult(b)
	s, _ := mxDecode(&testing.T{})
	s.SteadyState = s.SteadyState[:1] // availability(*) >= 99%
	b.ResetTimer()
	for b.Loop() {
		if _, err := NewSteadyState(s, r); err != nil {
			b.Fatal(err)
		}
	}
}
