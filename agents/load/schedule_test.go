package load

import (
	"math"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
)

func perSec(f float64) scenarios.Rate { return scenarios.Rate{Freq: f, Per: time.Second} }

// shapeCases are the five pacers with the hits each must hold over 10 s.
var shapeCases = []struct {
	name  string
	load  scenarios.Load
	total float64 // analytic hits in [0, 10 s)
}{
	// constant 100/s for 10 s: 1000 hits.
	{"constant", scenarios.Load{Rate: perSec(100), Duration: 10 * time.Second}, 1000},
	// ramp 0 -> 200/s over 10 s: the triangle's area, 1000.
	{"ramp", scenarios.Load{Rate: perSec(200), Duration: 10 * time.Second,
		Shape: scenarios.Shape{Kind: "ramp", From: perSec(0)}}, 1000},
	// step from 50/s adding 50/s every 2 s up to 150/s: 2s×(50+100) + 6s×150 = 1200.
	{"step", scenarios.Load{Rate: perSec(150), Duration: 10 * time.Second,
		Shape: scenarios.Shape{Kind: "step", From: perSec(50), Step: perSec(50), Every: 2 * time.Second}}, 1200},
	// step by 40/s to a cap of 150/s that is not a whole step away:
	// 2s × (50+90+130+150+150) = 1140.
	{"step to a cap", scenarios.Load{Rate: perSec(150), Duration: 10 * time.Second,
		Shape: scenarios.Shape{Kind: "step", From: perSec(50), Step: perSec(40), Every: 2 * time.Second}}, 1140},
	// sine 100 ± 50/s over a 10 s period: a whole period averages the mean, 1000.
	{"sine", scenarios.Load{Rate: perSec(100), Duration: 10 * time.Second,
		Shape: scenarios.Shape{Kind: "sine", Amplitude: perSec(50), Period: 10 * time.Second}}, 1000},
	// spike: 100/s, 500/s during [3 s, 5 s): 8s×100 + 2s×500 = 1800.
	{"spike", scenarios.Load{Rate: perSec(100), Duration: 10 * time.Second,
		Shape: scenarios.Shape{Kind: "spike", Spike: perSec(500), At: 3 * time.Second, For: 2 * time.Second}}, 1800},
}

// Each shape's cumulative count is the integral of its rate, and the
// schedule's hit times invert it: H(T(k)) = k for every hit.
func TestShapesIntegrateAndInvert(t *testing.T) {
	for _, c := range shapeCases {
		t.Run(c.name, func(t *testing.T) {
			sh, err := newShape(c.load)
			if err != nil {
				t.Fatal(err)
			}
			if got := sh.cum(10); math.Abs(got-c.total) > 1e-6 {
				t.Errorf("cum(10s) = %v, want %v", got, c.total)
			}
			// Midpoint-rule integral of rate agrees with cum.
			var integral float64
			const dt = 1e-4
			for x := dt / 2; x < 10; x += dt {
				integral += sh.rate(x) * dt
			}
			if math.Abs(integral-c.total) > 0.5 {
				t.Errorf("integral of rate = %v, cum = %v", integral, c.total)
			}
			s := newSchedule(sh, 0, 10, 0.5)
			if got, want := s.total(), uint64(math.Ceil(c.total/2-1e-9)); got != want {
				t.Errorf("total at share 0.5 = %d, want %d", got, want)
			}
			prev := 0.0
			for k := uint64(0); k < s.total(); k++ {
				at, ok := s.at(k, prev)
				if !ok {
					t.Fatalf("hit %d of %d has no time", k, s.total())
				}
				if at < prev {
					t.Fatalf("hit %d at %v before hit %d at %v", k, at, k-1, prev)
				}
				if h := 0.5 * sh.cum(at); math.Abs(h-float64(k)) > 1e-6 {
					t.Fatalf("H(T(%d)) = %v", k, h)
				}
				prev = at
			}
			if _, ok := s.at(s.total(), prev); ok {
				t.Errorf("a hit after the last one")
			}
		})
	}
}

// A share change keeps the schedule continuous: no hit is lost or doubled
// at the change, and the rate after it is the new share's.
func TestScheduleShareChange(t *testing.T) {
	sh := constShape{r: 1000}
	s := newSchedule(sh, 0, 10, 0.5) // 500/s
	s.setShare(4, 0.25)              // 250/s from 4 s
	// 4 s × 500 + 6 s × 250 = 3500 hits.
	if got := s.total(); got != 3500 {
		t.Fatalf("total = %d, want 3500", got)
	}
	cases := []struct {
		k    uint64
		want float64
	}{
		{0, 0},        // first hit at the start
		{1999, 3.998}, // the last hit at 500/s
		{2000, 4},     // the first at 250/s, right at the change
		{2001, 4.004}, // then 4 ms apart
		{3499, 9.996}, // the last one
	}
	for _, c := range cases {
		got, ok := s.at(c.k, 0)
		if !ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("T(%d) = %v %v, want %v", c.k, got, ok, c.want)
		}
	}
	if got := s.count(5) - s.count(4); got != 250 {
		t.Errorf("hits in [4 s, 5 s) = %d, want 250", got)
	}
	// Share 0 stops hits; setting it back resumes from where it was.
	s.setShare(6, 0)
	if got := s.count(8) - s.count(6); got != 0 {
		t.Errorf("hits at share 0: %d", got)
	}
	s.setShare(8, 1)
	if got, want := s.total(), uint64(2000+500+2000); got != want {
		t.Errorf("total after pause = %d, want %d", got, want)
	}
}

// Bad shapes fail with what is allowed.
func TestShapeErrors(t *testing.T) {
	cases := []struct {
		name  string
		shape scenarios.Shape
	}{
		{"unknown kind", scenarios.Shape{Kind: "square"}},
		{"step without every", scenarios.Shape{Kind: "step", Step: perSec(1)}},
		{"sine amplitude above the rate would go negative", scenarios.Shape{Kind: "sine", Amplitude: perSec(200), Period: time.Second}},
		{"spike without for", scenarios.Shape{Kind: "spike", Spike: perSec(10)}},
	}
	for _, c := range cases {
		if _, err := newShape(scenarios.Load{Rate: perSec(100), Duration: time.Second, Shape: c.shape}); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}
