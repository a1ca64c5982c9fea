package reports

import (
	"strings"
	"testing"
)

// FuzzDepGraphComponent: any fault target string resolves to a service of
// the graph or to "", never panics.
func FuzzDepGraphComponent(f *testing.F) {
	for _, s := range []string{"service:inventory", "instance:orders-1", "edge:a->b", "edge:->", "edge:orders->edge:x", ":", "", "label:a=b", "inventory-1"} {
		f.Add(s)
	}
	g := mxGraph()
	g.Services["inventory"] = []string{"orders"} // a cycle
	f.Fuzz(func(t *testing.T, target string) {
		c := g.Component(target)
		if c == "" {
			return
		}
		known := strings.HasPrefix(target, "service:") // a service selector names its service as is
		for _, s := range g.AllServices() {
			known = known || s == c
		}
		if !known {
			t.Fatalf("Component(%q) = %q, not a service of the graph", target, c)
		}
	})
}

// FuzzDepGraphPaths: paths from any endpoint to any component end at the
// component, never repeat a service, and stay bounded (in count and in
// time) on a dense graph, whether or not the component is reachable.
func FuzzDepGraphPaths(f *testing.F) {
	f.Add("e3", "inventory", 3)
	f.Add("e1", "orders", 8)
	f.Fuzz(func(t *testing.T, ep, comp string, n int) {
		n = 2 + (n&0x7fffffff)%10
		g := &DepGraph{Endpoints: map[string][]string{ep: {"s0"}}, Services: map[string][]string{}}
		names := []string{comp}
		for i := 0; i < n; i++ {
			names = append(names, "s"+string(rune('0'+i)))
		}
		for _, a := range names {
			g.Services[a] = names // every service calls every other: a dense graph
			if n%2 == 1 {
				g.Services[a] = names[1:] // ... and none reaches comp: no dead-end walk
			}
		}
		ps := g.Paths(ep, comp)
		if len(ps) > maxGraphPaths {
			t.Fatalf("%d paths, want at most %d", len(ps), maxGraphPaths)
		}
		for _, p := range ps {
			if p[len(p)-1] != comp {
				t.Fatalf("path %v does not end at %q", p, comp)
			}
			seen := map[string]bool{}
			for _, s := range p {
				if seen[s] {
					t.Fatalf("path %v repeats %q", p, s)
				}
				seen[s] = true
			}
		}
	})
}
