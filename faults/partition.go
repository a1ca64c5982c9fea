package faults

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
)

// Cut is one directed byte flow to stop: bytes sent by From no longer
// reach To (whichever side opened the connection).
type Cut struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Partition shapes.
const (
	ShapeIsolate  = "isolate"           // one instance against the rest
	ShapeHalves   = "halves"            // two halves
	ShapeMajority = "majority-minority" // a majority that keeps quorum, a minority that does not
	ShapeBridge   = "bridge"            // two halves sharing one node that sees both
	ShapeRing     = "ring"              // each node sees only its two neighbours
	ShapeOneWay   = "one-way"           // A's bytes don't reach B, B's reach A
	ShapeGroups   = "groups"            // explicit groups, cut from each other
)

// Shapes lists the partition shapes.
var Shapes = []string{ShapeIsolate, ShapeHalves, ShapeMajority, ShapeBridge, ShapeRing, ShapeOneWay, ShapeGroups}

// Partition computes the exact set of directed cuts for shape over the
// instance ids. It is a pure function: the same ids (in any order), groups
// and seed give the same cuts. groups is required for "groups", and
// optional for "isolate" (groups[0][0] is the isolated node) and
// "one-way" (groups[0] is A, groups[1] is B); otherwise the seed chooses.
// The result is sorted.
func Partition(shape string, ids []string, groups [][]string, seed int64) ([]Cut, error) {
	nodes := append([]string(nil), ids...)
	sort.Strings(nodes)
	for i := 1; i < len(nodes); i++ {
		if nodes[i] == nodes[i-1] {
			return nil, fmt.Errorf("partition: instance %q listed twice", nodes[i])
		}
	}
	if len(nodes) < 2 {
		return nil, fmt.Errorf("partition %s: need at least 2 instances, got %d", shape, len(nodes))
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x9a27))
	r.Shuffle(len(nodes), func(i, j int) { nodes[i], nodes[j] = nodes[j], nodes[i] })
	var cuts []Cut
	switch shape {
	case ShapeIsolate:
		one := nodes[0]
		if len(groups) > 0 && len(groups[0]) > 0 {
			one = groups[0][0]
			if !contains(nodes, one) {
				return nil, fmt.Errorf("partition isolate: %q is not one of the instances (%s)", one, strings.Join(ids, ", "))
			}
		}
		cuts = between([]string{one}, without(nodes, one), true)
	case ShapeHalves:
		h := len(nodes) / 2
		cuts = between(nodes[:h], nodes[h:], true)
	case ShapeMajority:
		m := len(nodes)/2 + 1 // strictly more than half
		if m == len(nodes) {
			m--
		}
		cuts = between(nodes[:m], nodes[m:], true)
	case ShapeBridge:
		if len(nodes) < 3 {
			return nil, fmt.Errorf("partition bridge: need at least 3 instances, got %d", len(nodes))
		}
		rest := nodes[1:] // nodes[0] is the bridge, connected to all
		h := len(rest) / 2
		cuts = between(rest[:h], rest[h:], true)
	case ShapeRing:
		n := len(nodes)
		for i := range n {
			for j := range n {
				d := (j - i + n) % n
				if i != j && d != 1 && d != n-1 {
					cuts = append(cuts, Cut{nodes[i], nodes[j]})
				}
			}
		}
	case ShapeOneWay:
		a, b := nodes[:len(nodes)/2], nodes[len(nodes)/2:]
		if len(groups) > 0 {
			if len(groups) != 2 {
				return nil, fmt.Errorf("partition one-way: want 2 groups (A, B), got %d", len(groups))
			}
			if err := checkGroups(groups, nodes, false); err != nil {
				return nil, err
			}
			a, b = groups[0], groups[1]
		}
		cuts = between(a, b, false)
	case ShapeGroups:
		if len(groups) < 2 {
			return nil, fmt.Errorf("partition groups: want at least 2 groups, got %d", len(groups))
		}
		if err := checkGroups(groups, nodes, true); err != nil {
			return nil, err
		}
		for i := range groups {
			for j := i + 1; j < len(groups); j++ {
				cuts = append(cuts, between(groups[i], groups[j], true)...)
			}
		}
	default:
		return nil, fmt.Errorf("partition shape %q (allowed: %s)", shape, strings.Join(Shapes, ", "))
	}
	sort.Slice(cuts, func(i, j int) bool {
		if cuts[i].From != cuts[j].From {
			return cuts[i].From < cuts[j].From
		}
		return cuts[i].To < cuts[j].To
	})
	return cuts, nil
}

// between cuts a->b, and b->a too when both.
func between(a, b []string, both bool) []Cut {
	var out []Cut
	for _, x := range a {
		for _, y := range b {
			out = append(out, Cut{x, y})
			if both {
				out = append(out, Cut{y, x})
			}
		}
	}
	return out
}

// checkGroups: every group member is an instance, none twice, and (when
// all) every instance is in a group.
func checkGroups(groups [][]string, nodes []string, all bool) error {
	seen := map[string]bool{}
	for gi, g := range groups {
		if len(g) == 0 {
			return fmt.Errorf("partition: group %d is empty", gi+1)
		}
		for _, id := range g {
			if !contains(nodes, id) {
				return fmt.Errorf("partition: group %d names %q, not an instance (known: %s)", gi+1, id, strings.Join(sorted(nodes), ", "))
			}
			if seen[id] {
				return fmt.Errorf("partition: %q is in two groups", id)
			}
			seen[id] = true
		}
	}
	if all {
		for _, id := range nodes {
			if !seen[id] {
				return fmt.Errorf("partition groups: %q is in no group (every instance must be placed)", id)
			}
		}
	}
	return nil
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

func without(s []string, x string) []string {
	var out []string
	for _, v := range s {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
