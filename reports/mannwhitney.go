package reports

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// MannWhitney is the result of a two-sided Mann-Whitney U test of x
// against y, normal approximation with tie and continuity corrections.
type MannWhitney struct {
	NX, NY int
	// U is the statistic for x: how many (x, y) pairs have x > y, ties
	// counting one half.
	U float64
	Z float64
	// P is the two-sided p-value; 1 when every value ties or a sample is
	// empty.
	P float64
}

// MannWhitneyU tests whether x and y come from the same distribution
// against the alternative that one is shifted. Ranks are averaged over
// ties and the variance corrected for them; the continuity correction
// moves |U - mean| half a unit toward the mean.
func MannWhitneyU(x, y []float64) MannWhitney {
	nx, ny := len(x), len(y)
	res := MannWhitney{NX: nx, NY: ny, P: 1}
	if nx == 0 || ny == 0 {
		return res
	}
	type obs struct {
		v   float64
		isX bool
	}
	all := make([]obs, 0, nx+ny)
	for _, v := range x {
		all = append(all, obs{v, true})
	}
	for _, v := range y {
		all = append(all, obs{v, false})
	}
	slices.SortFunc(all, func(a, b obs) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	n := float64(nx + ny)
	var rankX, tieSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		t := float64(j - i)
		rank := float64(i+j+1) / 2 // average of ranks i+1..j
		for k := i; k < j; k++ {
			if all[k].isX {
				rankX += rank
			}
		}
		tieSum += t*t*t - t
		i = j
	}
	fx, fy := float64(nx), float64(ny)
	res.U = rankX - fx*(fx+1)/2
	mean := fx * fy / 2
	variance := fx * fy / 12 * ((n + 1) - tieSum/(n*(n-1)))
	if variance <= 0 || math.IsNaN(variance) {
		return res
	}
	d := res.U - mean
	switch {
	case d > 0.5:
		d -= 0.5
	case d < -0.5:
		d += 0.5
	default:
		d = 0
	}
	res.Z = d / math.Sqrt(variance)
	res.P = math.Min(1, 2*distuv.UnitNormal.Survival(math.Abs(res.Z)))
	return res
}

// maxPairs bounds the pairwise differences Hodges-Lehmann sorts (4M
// floats, 32 MB); larger samples are thinned evenly (see HodgesLehmann).
const maxPairs = 4_000_000

// HodgesLehmann estimates the shift of y relative to x: the median of
// all differences y_j - x_i, with the distribution-free confidence
// interval at level conf (0.95 for 95%) from the order statistics of
// those differences. When len(x)*len(y) exceeds maxPairs, both samples are
// thinned to evenly spaced order statistics first (thinned reports so).
func HodgesLehmann(x, y []float64, conf float64) (shift, lo, hi float64, thinned bool) {
	if len(x) == 0 || len(y) == 0 {
		return math.NaN(), math.NaN(), math.NaN(), false
	}
	xs, ys := slices.Clone(x), slices.Clone(y)
	slices.Sort(xs)
	slices.Sort(ys)
	for len(xs)*len(ys) > maxPairs {
		xs, ys, thinned = thin(xs), thin(ys), true
	}
	diffs := make([]float64, 0, len(xs)*len(ys))
	for _, b := range ys {
		for _, a := range xs {
			diffs = append(diffs, b-a)
		}
	}
	slices.Sort(diffs)
	shift = sortedMedian(diffs)
	m := float64(len(diffs))
	nx, ny := float64(len(xs)), float64(len(ys))
	z := distuv.UnitNormal.Quantile(1 - (1-conf)/2)
	// k is how many differences lie below the interval, from the normal
	// approximation of U's distribution.
	k := math.Floor(m/2 - z*math.Sqrt(nx*ny*(nx+ny+1)/12))
	if k < 0 {
		k = 0
	}
	lo, hi = diffs[int(k)], diffs[int(m-1-k)]
	return shift, lo, hi, thinned
}

// thin keeps every other value of a sorted sample, always keeping both
// ends, so that the shape survives.
func thin(s []float64) []float64 {
	if len(s) < 4 {
		return s
	}
	out := make([]float64, 0, len(s)/2+1)
	for i := 0; i < len(s); i += 2 {
		out = append(out, s[i])
	}
	if out[len(out)-1] != s[len(s)-1] {
		out = append(out, s[len(s)-1])
	}
	return out
}

// median of a sample (not changed).
func median(s []float64) float64 {
	if len(s) == 0 {
		return math.NaN()
	}
	c := slices.Clone(s)
	slices.Sort(c)
	return sortedMedian(c)
}

// sortedMedian is the classical median of a sorted, non-empty sample: the
// middle value, or the mean of the two middle values.
func sortedMedian(s []float64) float64 {
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
