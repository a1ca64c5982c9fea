package reports

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// A series is stored compactly, as it grows with the run's length: each
// series lists the latency bucket bounds it uses once, and a histogram
// is a flat list of (bound index, count) pairs; the other counts have
// one-letter keys. About 1.5 KB per second of run for the reference
// topology's 13 instances under the quick game day's load.
type seriesWire struct {
	Instance string       `json:"instance"`
	Role     string       `json:"role"`
	PID      int          `json:"pid,omitempty"`
	Start    time.Time    `json:"start"`
	Bounds   []float64    `json:"bounds,omitempty"` // le_ms, ascending
	Samples  []sampleWire `json:"samples"`
}

type sampleWire struct {
	T int64                 `json:"t"`
	D map[string]tracesWire `json:"d,omitempty"`
}

// tracesWire is EndpointTraces: requests, status, deps (calls by
// outcome), and latency as bound index, count, bound index, count...
type tracesWire struct {
	R int                       `json:"r,omitempty"`
	S map[int]int               `json:"s,omitempty"`
	C map[string]map[string]int `json:"c,omitempty"`
	L map[string][]int64        `json:"l,omitempty"`
}

// MarshalJSON writes the compact form.
func (s TraceSeries) MarshalJSON() ([]byte, error) {
	set := map[float64]bool{}
	for _, smp := range s.Samples {
		for _, t := range smp.D {
			for _, b := range t.Latency {
				for _, x := range b {
					set[x.LE] = true
				}
			}
		}
	}
	w := seriesWire{Instance: s.Instance, Role: s.Role, PID: s.PID, Start: s.Start, Samples: make([]sampleWire, len(s.Samples))}
	for le := range set {
		w.Bounds = append(w.Bounds, le)
	}
	slices.Sort(w.Bounds)
	index := make(map[float64]int64, len(w.Bounds))
	for i, le := range w.Bounds {
		index[le] = int64(i)
	}
	for i, smp := range s.Samples {
		w.Samples[i].T = smp.T
		for ep, t := range smp.D {
			tw := tracesWire{R: t.Requests, S: t.Status, C: t.Deps}
			for dep, b := range t.Latency {
				pairs := make([]int64, 0, 2*len(b))
				for _, x := range b {
					pairs = append(pairs, index[x.LE], x.N)
				}
				if tw.L == nil {
					tw.L = map[string][]int64{}
				}
				tw.L[dep] = pairs
			}
			if w.Samples[i].D == nil {
				w.Samples[i].D = map[string]tracesWire{}
			}
			w.Samples[i].D[ep] = tw
		}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the compact form; a bucket naming a bound the
// series does not list is an error.
func (s *TraceSeries) UnmarshalJSON(data []byte) error {
	var w seriesWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	out := TraceSeries{Instance: w.Instance, Role: w.Role, PID: w.PID, Start: w.Start, Samples: make([]TraceSample, len(w.Samples))}
	for i, smp := range w.Samples {
		out.Samples[i].T = smp.T
		for ep, tw := range smp.D {
			t := EndpointTraces{Requests: tw.R, Status: tw.S, Deps: tw.C}
			for dep, pairs := range tw.L {
				if len(pairs)%2 != 0 {
					return fmt.Errorf("series %s: latency of %s to %s: an odd number of values (bound index, count pairs)", w.Instance, ep, dep)
				}
				b := make([]LatencyBucket, 0, len(pairs)/2)
				for k := 0; k < len(pairs); k += 2 {
					if pairs[k] < 0 || pairs[k] >= int64(len(w.Bounds)) {
						return fmt.Errorf("series %s: latency of %s to %s: bound index %d of %d bounds", w.Instance, ep, dep, pairs[k], len(w.Bounds))
					}
					b = append(b, LatencyBucket{LE: w.Bounds[pairs[k]], N: pairs[k+1]})
				}
				if t.Latency == nil {
					t.Latency = map[string][]LatencyBucket{}
				}
				t.Latency[dep] = b
			}
			if out.Samples[i].D == nil {
				out.Samples[i].D = map[string]EndpointTraces{}
			}
			out.Samples[i].D[ep] = t
		}
	}
	*s = out
	return nil
}
