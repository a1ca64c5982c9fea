package load

import (
	"math"
	"sync"
)

// schedule is this agent's part of the run's timeline: the shape scaled by
// the share, which may change while the run goes on. It maps hit numbers to
// intended send times and back, continuously across share changes, so that
// hit k's intended time never depends on when the engine got round to it.
//
// Times are seconds since the schedule origin. The agent's hits are the
// k = 0, 1, 2, ... with T(k) in [begin, end); H(t) is how many of them are
// due by t (fractional), and T(k) is the first t with H(t) >= k.
type schedule struct {
	sh         shape
	begin, end float64

	mu   sync.Mutex
	segs []segment // ordered by t0; the last one is current
}

// segment is a stretch of the schedule with one share.
type segment struct {
	t0    float64 // start
	acc   float64 // H(t0)
	s0    float64 // sh.cum(t0)
	share float64
}

// maxSegments bounds the share history kept. Share changes are rare (agents
// joining or leaving); queries only look back one window.
const maxSegments = 256

func newSchedule(sh shape, begin, end, share float64) *schedule {
	s := &schedule{sh: sh, begin: begin, end: end}
	s.segs = []segment{{t0: begin, s0: sh.cum(begin), share: share}}
	return s
}

// setShare makes share apply from t on (t is clamped to begin).
func (s *schedule) setShare(t, share float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t <= s.begin {
		s.segs = []segment{{t0: s.begin, s0: s.sh.cum(s.begin), share: share}}
		return
	}
	acc := s.hLocked(t)
	s.segs = append(s.segs, segment{t0: t, acc: acc, s0: s.sh.cum(t), share: share})
	if len(s.segs) > maxSegments {
		s.segs = append(s.segs[:0:0], s.segs[len(s.segs)-maxSegments:]...)
	}
}

// rate is the intended rate at t, share applied.
func (s *schedule) rate(t float64) float64 {
	s.mu.Lock()
	seg := s.segAt(t)
	s.mu.Unlock()
	return seg.share * s.sh.rate(t)
}

func (s *schedule) segAt(t float64) segment {
	for i := len(s.segs) - 1; i > 0; i-- {
		if s.segs[i].t0 <= t {
			return s.segs[i]
		}
	}
	return s.segs[0]
}

func (s *schedule) hLocked(t float64) float64 {
	if t <= s.begin {
		return 0
	}
	if t > s.end {
		t = s.end
	}
	g := s.segAt(t)
	return g.acc + g.share*(s.sh.cum(t)-g.s0)
}

// count is the number of hits with T(k) < t.
func (s *schedule) count(t float64) uint64 {
	s.mu.Lock()
	h := s.hLocked(t)
	s.mu.Unlock()
	return ceilHits(h)
}

// ceilHits rounds H up to whole hits, forgiving float noise just above an
// integer so that a hit due exactly at a boundary lands on one side only.
func ceilHits(h float64) uint64 {
	if h <= 0 {
		return 0
	}
	c := math.Ceil(h - 1e-9*math.Max(1, h))
	return uint64(c)
}

// at returns T(k), or ok=false if hit k is not due before end under the
// current shares. hint is a time known to be <= T(k) (the previous hit's).
func (s *schedule) at(k uint64, hint float64) (float64, bool) {
	if k >= s.total() {
		return 0, false
	}
	s.mu.Lock()
	idx := 0
	for i := len(s.segs) - 1; i >= 0; i-- {
		if s.segs[i].acc <= float64(k) || i == 0 {
			idx = i
			break
		}
	}
	g := s.segs[idx]
	hi := s.end
	if idx+1 < len(s.segs) {
		hi = s.segs[idx+1].t0
	}
	s.mu.Unlock()
	if g.share <= 0 {
		return 0, false
	}
	lo := math.Max(g.t0, math.Min(hint, hi))
	y := g.s0 + (float64(k)-g.acc)/g.share
	return solve(s.sh, lo, hi, y)
}

// total is how many hits the schedule holds in [begin, end) under the
// shares known now.
func (s *schedule) total() uint64 { return s.count(s.end) }

// solve finds the first t in [lo, hi] with sh.cum(t) >= y: Newton steps,
// kept inside a shrinking bracket and replaced by bisection when they leave
// it (step shapes have corners, ramps from zero have no slope at first).
func solve(sh shape, lo, hi, y float64) (float64, bool) {
	a, b := lo, hi
	if sh.cum(a) >= y {
		return a, true
	}
	if sh.cum(b) < y-tol(y) {
		return 0, false
	}
	t := a
	for i := 0; i < 200 && b-a > 1e-10; i++ {
		c := sh.cum(t)
		if math.Abs(c-y) <= tol(y) {
			return t, true
		}
		if c < y {
			a = t
		} else {
			b = t
		}
		next := math.NaN()
		if r := sh.rate(t); r > 0 {
			next = t + (y-c)/r
		}
		if !(next > a && next < b) {
			next = a + (b-a)/2
		}
		t = next
	}
	return b, true
}

func tol(y float64) float64 { return math.Max(1e-7, math.Abs(y)*1e-13) }
