package load

import (
	"fmt"
	"math"

	"github.com/faultline/faultline/scenarios"
)

// shape is a rate over time for the whole run (share 1). t is seconds since
// the schedule origin (Config.Start), warmup included.
type shape interface {
	// rate is the instantaneous rate at t, in hits per second, never < 0.
	rate(t float64) float64
	// cum is the number of hits due in [0, t): the integral of rate. It is
	// continuous and non-decreasing.
	cum(t float64) float64
}

// newShape builds the pacer shape of l; run is warmup plus duration. Shape
// times (At, Every, Period) count from the schedule origin, warmup
// included. A ramp spans the whole run; a step climbs up to load.rate and
// holds there; a sine starts at its mean, going up.
func newShape(l scenarios.Load) (shape, error) {
	r := l.Rate.PerSecond()
	run := (l.Warmup + l.Duration).Seconds()
	sh := l.Shape
	bad := func(format string, a ...any) error {
		return fmt.Errorf("load.shape %q: %s", sh.Kind, fmt.Sprintf(format, a...))
	}
	if r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
		return nil, fmt.Errorf("load.rate %v/s: must be a finite rate >= 0", r)
	}
	switch sh.Kind {
	case "", "constant":
		return constShape{r: r}, nil
	case "ramp":
		f := sh.From.PerSecond()
		if f < 0 {
			return nil, bad("from must be >= 0, got %v/s", f)
		}
		if run <= 0 {
			return nil, bad("needs a duration > 0")
		}
		return rampShape{from: f, to: r, over: run}, nil
	case "step":
		f, st := sh.From.PerSecond(), sh.Step.PerSecond()
		if sh.Every <= 0 || st <= 0 || f < 0 {
			return nil, bad("needs from >= 0, step > 0 and every > 0 (got from %v/s, step %v/s, every %s)", f, st, sh.Every)
		}
		limit := r
		if limit < f {
			limit = f
		}
		return stepShape{from: f, step: st, every: sh.Every.Seconds(), limit: limit}, nil
	case "sine":
		a := sh.Amplitude.PerSecond()
		if sh.Period <= 0 || a < 0 || a > r {
			return nil, bad("needs period > 0 and 0 <= amplitude <= rate (got amplitude %v/s, rate %v/s, period %s)", a, r, sh.Period)
		}
		return sineShape{mean: r, amp: a, period: sh.Period.Seconds()}, nil
	case "spike":
		s := sh.Spike.PerSecond()
		if s < 0 || sh.At < 0 || sh.For <= 0 {
			return nil, bad("needs spike >= 0, at >= 0 and for > 0 (got spike %v/s, at %s, for %s)", s, sh.At, sh.For)
		}
		return spikeShape{base: r, spike: s, at: sh.At.Seconds(), until: (sh.At + sh.For).Seconds()}, nil
	}
	return nil, fmt.Errorf("load.shape %q: unknown kind (allowed: constant, ramp, step, sine, spike)", sh.Kind)
}

type constShape struct{ r float64 }

func (s constShape) rate(float64) float64 { return s.r }
func (s constShape) cum(t float64) float64 {
	if t <= 0 {
		return 0
	}
	return s.r * t
}

// rampShape goes linearly from `from` to `to` over `over` seconds, then holds.
type rampShape struct{ from, to, over float64 }

func (s rampShape) rate(t float64) float64 {
	switch {
	case t <= 0:
		return s.from
	case t >= s.over:
		return s.to
	}
	return s.from + (s.to-s.from)*t/s.over
}

func (s rampShape) cum(t float64) float64 {
	if t <= 0 {
		return 0
	}
	if t >= s.over {
		return (s.from+s.to)/2*s.over + s.to*(t-s.over)
	}
	return s.from*t + (s.to-s.from)*t*t/(2*s.over)
}

// stepShape starts at `from` and adds `step` every `every` seconds, up to limit.
type stepShape struct{ from, step, every, limit float64 }

// steps is how many steps it takes to reach the limit.
func (s stepShape) steps() float64 { return math.Ceil((s.limit - s.from) / s.step) }

func (s stepShape) rate(t float64) float64 {
	if t < 0 {
		t = 0
	}
	return math.Min(s.from+s.step*math.Floor(t/s.every), s.limit)
}

func (s stepShape) cum(t float64) float64 {
	if t <= 0 {
		return 0
	}
	n := math.Floor(t / s.every) // completed steps
	m := s.steps()
	var full float64 // hits in the n completed steps
	if n <= m {
		full = s.every * (n*s.from + s.step*n*(n-1)/2)
	} else {
		full = s.every*(m*s.from+s.step*m*(m-1)/2) + (n-m)*s.every*s.limit
	}
	return full + s.rate(t)*(t-n*s.every)
}

// sineShape is mean ± amp over period, starting at the mean and going up.
type sineShape struct{ mean, amp, period float64 }

func (s sineShape) rate(t float64) float64 {
	return math.Max(0, s.mean+s.amp*math.Sin(2*math.Pi*t/s.period))
}

func (s sineShape) cum(t float64) float64 {
	if t <= 0 {
		return 0
	}
	w := 2 * math.Pi / s.period
	return s.mean*t + s.amp/w*(1-math.Cos(w*t))
}

// spikeShape is base, with spike instead during [at, until).
type spikeShape struct{ base, spike, at, until float64 }

func (s spikeShape) rate(t float64) float64 {
	if t >= s.at && t < s.until {
		return s.spike
	}
	return s.base
}

func (s spikeShape) cum(t float64) float64 {
	if t <= 0 {
		return 0
	}
	in := math.Max(0, math.Min(t, s.until)-s.at)
	return s.base*t + (s.spike-s.base)*in
}
