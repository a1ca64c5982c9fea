package faults

import (
	"fmt"
	"testing"
)

func cutSet(cs []Cut) map[string]bool {
	m := map[string]bool{}
	for _, c := range cs {
		m[c.From+">"+c.To] = true
	}
	return m
}

// reach reports whether from's bytes reach to under cuts.
func reach(cuts []Cut, from, to string) bool { return !cutSet(cuts)[from+">"+to] }

func TestPartitionShapes(t *testing.T) {
	five := []string{"n1", "n2", "n3", "n4", "n5"}
	cases := []struct {
		name   string
		shape  string
		ids    []string
		groups [][]string
		n      int // exact number of directed cuts
		check  func(t *testing.T, cuts []Cut)
	}{
		// isolate n3 from 4 others: 4 pairs x 2 directions
		{"isolate named", ShapeIsolate, five, [][]string{{"n3"}}, 8, func(t *testing.T, c []Cut) {
			if reach(c, "n3", "n1") || reach(c, "n1", "n3") || !reach(c, "n1", "n2") {
				t.Fatal("n3 not isolated, or others cut")
			}
		}},
		// isolate, seeded choice: still one node against 4
		{"isolate seeded", ShapeIsolate, five, nil, 8, nil},
		// halves of 5: 2 and 3, 6 pairs both ways
		{"halves", ShapeHalves, five, nil, 12, nil},
		// majority 3, minority 2 of 5
		{"majority-minority 5", ShapeMajority, five, nil, 12, nil},
		// majority of 4 is 3 vs 1
		{"majority-minority 4", ShapeMajority, five[:4], nil, 6, nil},
		// bridge over 5: bridge + {2} + {2}: 4 pairs both ways cut
		{"bridge", ShapeBridge, five, nil, 8, func(t *testing.T, c []Cut) {
			// exactly one node reaches everyone both ways
			for _, b := range five {
				all := true
				for _, o := range five {
					if o != b && (!reach(c, b, o) || !reach(c, o, b)) {
						all = false
					}
				}
				if all {
					return
				}
			}
			t.Fatal("no bridge node sees both sides")
		}},
		// ring of 5: each node keeps 2 neighbours, loses 2 -> 10 directed cuts
		{"ring", ShapeRing, five, nil, 10, func(t *testing.T, c []Cut) {
			for _, x := range five {
				seen := 0
				for _, y := range five {
					if x != y && reach(c, x, y) {
						seen++
						if !reach(c, y, x) {
							t.Fatal("ring must be symmetric")
						}
					}
				}
				if seen != 2 {
					t.Fatalf("%s sees %d nodes, want 2", x, seen)
				}
			}
		}},
		// one-way A={n1} -> B={n2,n3}: 2 directed cuts, reverse flows
		{"one-way", ShapeOneWay, five[:3], [][]string{{"n1"}, {"n2", "n3"}}, 2, func(t *testing.T, c []Cut) {
			if reach(c, "n1", "n2") || !reach(c, "n2", "n1") {
				t.Fatal("one-way is not one way")
			}
		}},
		// explicit groups {n1,n2} {n3} {n4,n5}: 2*1+2*2+1*2 = 8 pairs, 16 cuts
		{"groups", ShapeGroups, five, [][]string{{"n1", "n2"}, {"n3"}, {"n4", "n5"}}, 16, func(t *testing.T, c []Cut) {
			if !reach(c, "n1", "n2") || reach(c, "n2", "n3") || reach(c, "n5", "n1") {
				t.Fatal("groups wrong")
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cuts, err := Partition(tc.shape, tc.ids, tc.groups, 42)
			if err != nil {
				t.Fatal(err)
			}
			if len(cuts) != tc.n {
				t.Fatalf("%d cuts, want %d: %v", len(cuts), tc.n, cuts)
			}
			if tc.check != nil {
				tc.check(t, cuts)
			}
			// Same ids in another order, same seed: same cuts.
			rev := append([]string(nil), tc.ids...)
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			again, _ := Partition(tc.shape, rev, tc.groups, 42)
			if fmt.Sprint(again) != fmt.Sprint(cuts) {
				t.Fatal("not reproducible across input order")
			}
		})
	}
}

func TestPartitionErrors(t *testing.T) {
	cases := []struct {
		name   string
		shape  string
		ids    []string
		groups [][]string
	}{
		{"unknown shape", "star", []string{"a", "b"}, nil},
		{"one node", ShapeHalves, []string{"a"}, nil},
		{"bridge of two", ShapeBridge, []string{"a", "b"}, nil},
		{"group misses a node", ShapeGroups, []string{"a", "b", "c"}, [][]string{{"a"}, {"b"}}},
		{"node in two groups", ShapeGroups, []string{"a", "b"}, [][]string{{"a", "b"}, {"b"}}},
		{"unknown node", ShapeIsolate, []string{"a", "b"}, [][]string{{"z"}}},
		{"duplicate id", ShapeHalves, []string{"a", "a"}, nil},
	}
	for _, tc := range cases {
		if _, err := Partition(tc.shape, tc.ids, tc.groups, 1); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}
