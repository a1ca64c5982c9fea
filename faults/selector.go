package faults

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

// Edge is a directed connection between two instances (from calls to).
type Edge struct {
	From targets.Instance `json:"from"`
	To   targets.Instance `json:"to"`
}

// Selection is what a selector chose: instances, or edges for an edge
// selector.
type Selection struct {
	Instances []targets.Instance `json:"instances,omitempty"`
	Edges     []Edge             `json:"edges,omitempty"`
}

// ErrNoMatch is returned when a selector matches nothing: a fault that
// silently hits nothing would make a game day lie.
var ErrNoMatch = errors.New("selector matches no instance")

// Select applies sel to insts: filter by service (role), instance id,
// label key=value, or edge "from->to" (each side a role or an id), then
// pick all, count(n) or percent(p) with seed. Candidates are sorted by id
// before the seeded shuffle, so the same seed and inventory pick the same
// targets whatever order the inventory came in.
func Select(sel scenarios.Selector, insts []targets.Instance, seed int64) (Selection, error) {
	sorted := append([]targets.Instance(nil), insts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	if sel.Edge != "" {
		edges, err := matchEdges(sel.Edge, sorted)
		if err != nil {
			return Selection{}, err
		}
		n, err := pickCount(sel.Pick, len(edges))
		if err != nil {
			return Selection{}, err
		}
		shuffle(len(edges), seed, func(i, j int) { edges[i], edges[j] = edges[j], edges[i] })
		return Selection{Edges: edges[:n]}, nil
	}
	var match []targets.Instance
	for _, in := range sorted {
		if matches(sel, in) {
			match = append(match, in)
		}
	}
	if len(match) == 0 {
		return Selection{}, fmt.Errorf("%w: service %q instance %q label %q (known: %s)", ErrNoMatch, sel.Service, sel.Instance, sel.Label, ids(sorted))
	}
	n, err := pickCount(sel.Pick, len(match))
	if err != nil {
		return Selection{}, err
	}
	shuffle(len(match), seed, func(i, j int) { match[i], match[j] = match[j], match[i] })
	out := match[:n]
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return Selection{Instances: out}, nil
}

func matches(sel scenarios.Selector, in targets.Instance) bool {
	if sel.Service != "" && in.Role != sel.Service {
		return false
	}
	if sel.Instance != "" && in.ID != sel.Instance {
		return false
	}
	if sel.Label != "" {
		k, v, _ := strings.Cut(sel.Label, "=")
		if got, ok := in.Labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

func matchEdges(spec string, insts []targets.Instance) ([]Edge, error) {
	from, to, ok := strings.Cut(spec, "->")
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if !ok || from == "" || to == "" {
		return nil, fmt.Errorf("edge %q is not from->to (a service or instance on each side)", spec)
	}
	var edges []Edge
	for _, a := range insts {
		if a.Role != from && a.ID != from {
			continue
		}
		for _, b := range insts {
			if (b.Role == to || b.ID == to) && a.ID != b.ID {
				edges = append(edges, Edge{From: a, To: b})
			}
		}
	}
	if len(edges) == 0 {
		return nil, fmt.Errorf("%w: edge %q (known: %s)", ErrNoMatch, spec, ids(insts))
	}
	return edges, nil
}

// pickCount says how many of n candidates a pick takes. percent(p) rounds
// up, so that any positive percentage of a non-empty set hits something.
func pickCount(p scenarios.Pick, n int) (int, error) {
	switch p.Mode {
	case "", scenarios.PickAll:
		return n, nil
	case scenarios.PickCount:
		if p.N < 1 {
			return 0, fmt.Errorf("pick count(%d): need at least 1", p.N)
		}
		return min(p.N, n), nil
	case scenarios.PickPercent:
		if p.Percent <= 0 || p.Percent > 100 {
			return 0, fmt.Errorf("pick percent(%v): need above 0 and at most 100", p.Percent)
		}
		return min(n, int(math.Ceil(p.Percent*float64(n)/100-1e-9))), nil
	}
	return 0, fmt.Errorf("pick mode %q (allowed: all, count, percent)", p.Mode)
}

func shuffle(n int, seed int64, swap func(i, j int)) {
	r := rand.New(rand.NewPCG(uint64(seed), 0xfa017))
	r.Shuffle(n, swap)
}

func ids(insts []targets.Instance) string {
	s := make([]string, len(insts))
	for i, in := range insts {
		s[i] = in.ID
	}
	return strings.Join(s, ", ")
}
