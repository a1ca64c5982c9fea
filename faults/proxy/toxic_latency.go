package proxy

import (
	"math"
	"time"
)

func init() { RegisterToxic("latency", func() Toxic { return &LatencyToxic{Distribution: "uniform"} }) }

// LatencyToxic delays every chunk by latency ± jitter, measured from when
// the chunk was read, so the delay does not add up over a stream and
// throughput is kept.
//
// Distributions of the delay d:
//   - uniform: d in [latency-jitter, latency+jitter] (Toxiproxy's);
//   - normal: mean latency, standard deviation jitter, cut at 0;
//   - pareto: d = latency + excess, the excess Pareto-distributed
//     (shape 3) with mean jitter: a long tail above latency.
type LatencyToxic struct {
	Latency      int64  `json:"latency"` // ms
	Jitter       int64  `json:"jitter"`  // ms
	Distribution string `json:"distribution,omitempty"`
}

// Validate implements Toxic.
func (t *LatencyToxic) Validate() error {
	switch t.Distribution {
	case "", "uniform", "normal", "pareto":
	default:
		return fieldErr("attributes.distribution", "%q (allowed: uniform, normal, pareto)", t.Distribution)
	}
	return firstErr(nonNegative("latency", t.Latency), nonNegative("jitter", t.Jitter))
}

// NewStage implements Toxic.
func (t *LatencyToxic) NewStage(env *Env) Stage { return &latencyStage{t: *t, env: env} }

type latencyStage struct {
	t   LatencyToxic
	env *Env
}

// paretoShape gives a tail heavy enough to matter and a finite variance.
const paretoShape = 3.0

func (s *latencyStage) delay() time.Duration {
	base, j := float64(ms(s.t.Latency)), float64(ms(s.t.Jitter))
	if j == 0 {
		return time.Duration(base)
	}
	r := s.env.Rand
	var d float64
	switch s.t.Distribution {
	case "normal":
		d = base + r.NormFloat64()*j
	case "pareto":
		// U^(-1/a) - 1 has mean 1/(a-1); scale to mean j.
		u := 1 - r.Float64() // (0,1]
		d = base + j*(paretoShape-1)*(math.Pow(u, -1/paretoShape)-1)
	default:
		d = base + (r.Float64()*2-1)*j
	}
	return time.Duration(math.Max(d, 0))
}

func (s *latencyStage) Pipe(c Chunk, next func(Chunk) error) error {
	if !c.EOF {
		s.env.SleepUntil(c.At.Add(s.delay()))
	}
	return next(c)
}
