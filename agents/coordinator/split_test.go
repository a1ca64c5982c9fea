package coordinator

import (
	"math"
	"testing"

	"github.com/faultline/faultline/agents/cluster"
)

func TestSplit(t *testing.T) {
	m := func(id string, c int) cluster.Member { return cluster.Member{Meta: cluster.Meta{ID: id, Capacity: c}} }
	cases := []struct {
		name   string
		agents []cluster.Member
		want   map[string]float64
	}{
		// Equal agents share equally.
		{"three equal", []cluster.Member{m("a", 1), m("b", 1), m("c", 1)}, map[string]float64{"a": 1. / 3, "b": 1. / 3, "c": 1. / 3}},
		// Capacity 2 carries twice the rate of capacity 1.
		{"weighted", []cluster.Member{m("a", 2), m("b", 1), m("c", 1)}, map[string]float64{"a": .5, "b": .25, "c": .25}},
		// An unset capacity counts as 1, never 0 (which would divide by 0).
		{"zero capacity", []cluster.Member{m("a", 0), m("b", 0)}, map[string]float64{"a": .5, "b": .5}},
		// Nobody: nothing to split.
		{"empty", nil, map[string]float64{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Split(c.agents)
			if len(got) != len(c.want) {
				t.Fatalf("got %v", got)
			}
			sum := 0.0
			for id, f := range c.want {
				if math.Abs(got[id]-f) > 1e-12 {
					t.Errorf("%s: %v, want %v", id, got[id], f)
				}
				sum += got[id]
			}
			if len(got) > 0 && math.Abs(sum-1) > 1e-9 {
				t.Errorf("shares sum to %v", sum)
			}
		})
	}
}
