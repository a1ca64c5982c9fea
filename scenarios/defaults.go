package scenarios

import (
	"fmt"
	"time"
)

// Defaults applied by Decode to whatever a scenario leaves out. They are
// documented in scenarios/README.md.
const (
	DefaultSeed         = 1
	DefaultShape        = "constant"
	DefaultMethod       = "GET"
	DefaultWeight       = 1.0
	DefaultTimeout      = 5 * time.Second
	DefaultProbeTimeout = 5 * time.Second
	// DefaultProbeGrace is how long after the run an acknowledged write
	// may still appear before it counts as lost.
	DefaultProbeGrace = 10 * time.Second
	// DefaultProbeWriteMethod is the write request's method; reads use GET.
	DefaultProbeWriteMethod = "POST"
	// DefaultLocalAgents is how many local agents run when the scenario
	// has no agents section (Agents{}).
	DefaultLocalAgents = 3
	// MaxLocalAgents bounds agents.count on one machine.
	MaxLocalAgents = 64
)

// DefaultProbeRate is how often each probe writes when rate is left out.
var DefaultProbeRate = Rate{Freq: 5, Per: time.Second}

// Local returns how many local agent processes to start: Count, or
// DefaultLocalAgents when the section is empty, or 0 when joining a cluster.
func (a Agents) Local() int {
	switch {
	case len(a.Join) > 0:
		return 0
	case a.Count > 0:
		return a.Count
	}
	return DefaultLocalAgents
}

// applyDefaults fills what the file left out. Seed 0 is replaced too: a
// scenario that wants a different stream picks another non-zero seed.
func applyDefaults(s *Scenario) {
	if s.Seed == 0 {
		s.Seed = DefaultSeed
	}
	if s.Load.Shape.Kind == "" {
		s.Load.Shape.Kind = DefaultShape
	}
	for i := range s.Load.Mix {
		e := &s.Load.Mix[i]
		if e.Method == "" {
			e.Method = DefaultMethod
		}
		if e.Weight == 0 {
			e.Weight = DefaultWeight
		}
		if e.Timeout == 0 {
			e.Timeout = DefaultTimeout
		}
	}
	for i := range s.Probes {
		p := &s.Probes[i]
		if p.Write.Method == "" {
			p.Write.Method = DefaultProbeWriteMethod
		}
		if p.Read.Method == "" {
			p.Read.Method = DefaultMethod
		}
		if p.Rate.Per == 0 {
			p.Rate = DefaultProbeRate
		}
		if p.Timeout == 0 {
			p.Timeout = DefaultProbeTimeout
		}
		if p.Grace == 0 {
			p.Grace = DefaultProbeGrace
		}
	}
	for i := range s.Timeline {
		f := &s.Timeline[i]
		if f.Name == "" {
			f.Name = fmt.Sprintf("%s-%d", f.Kind, i+1)
		}
		if f.Target.Pick.Mode == "" {
			f.Target.Pick.Mode = PickAll
		}
	}
}
