package reports

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// DepGraph is a dependency graph as plain data, kept in the result header
// so that blast radius can be judged from the Result alone. The
// coordinator fills Header.Graph from the target's declared graph and
// Header.Traced from what the target's tracing saw; both use this shape.
//
// Endpoint names are the names windows carry (the load mix's names), so
// the coordinator maps mix endpoints to target endpoints when it fills it.
type DepGraph struct {
	// Endpoints maps an endpoint to the services its requests reach first.
	Endpoints map[string][]string `json:"endpoints,omitempty"`
	// Services maps a service to the services it calls.
	Services map[string][]string `json:"services,omitempty"`
	// Instances maps an instance id to its service, so that a fault on
	// one instance ("orders-2") is charged to its service ("orders").
	Instances map[string]string `json:"instances,omitempty"`
}

// maxGraphPaths bounds the paths one query returns, and maxGraphSteps
// the walk: a dense graph has exponentially many acyclic paths, and a
// report needs only the shortest few.
const (
	maxGraphPaths = 64
	maxGraphSteps = 100_000
)

// Paths returns up to maxGraphPaths acyclic paths from endpoint to
// component, each a list of services starting with the first one reached
// and ending with component, sorted shortest first. A nil graph has no
// paths.
func (g *DepGraph) Paths(endpoint, component string) [][]string {
	if g == nil {
		return nil
	}
	w := &walker{g: g, component: component, reach: g.reaching(component)}
	firsts := slices.Clone(g.Endpoints[endpoint])
	sort.Strings(firsts)
	for _, first := range firsts {
		if w.reach[first] {
			w.walk([]string{first})
		}
	}
	out := w.out
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) < len(out[j]) // shortest path first
		}
		return strings.Join(out[i], ">") < strings.Join(out[j], ">")
	})
	return out
}

// reaching returns the services from which component can be reached
// (component included), so that the walk never enters a dead end.
func (g *DepGraph) reaching(component string) map[string]bool {
	callers := map[string][]string{}
	for s, deps := range g.Services {
		for _, d := range deps {
			callers[d] = append(callers[d], s)
		}
	}
	reach := map[string]bool{component: true}
	queue := []string{component}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		for _, s := range callers[c] {
			if !reach[s] {
				reach[s] = true
				queue = append(queue, s)
			}
		}
	}
	return reach
}

type walker struct {
	g         *DepGraph
	component string
	reach     map[string]bool
	steps     int
	out       [][]string
}

func (w *walker) walk(path []string) {
	w.steps++
	if len(w.out) >= maxGraphPaths || w.steps > maxGraphSteps {
		return
	}
	last := path[len(path)-1]
	if last == w.component {
		w.out = append(w.out, slices.Clone(path))
		return
	}
	next := slices.Clone(w.g.Services[last])
	sort.Strings(next)
	for _, n := range next {
		if !w.reach[n] || slices.Contains(path, n) { // a dead end, or a cycle
			continue
		}
		w.walk(append(path, n))
	}
}

// DependsOn reports whether endpoint reaches component in g.
func (g *DepGraph) DependsOn(endpoint, component string) bool {
	return len(g.Paths(endpoint, component)) > 0
}

// HasEndpoint reports whether g knows endpoint at all.
func (g *DepGraph) HasEndpoint(endpoint string) bool {
	if g == nil {
		return false
	}
	_, ok := g.Endpoints[endpoint]
	return ok
}

// ServiceOf returns the service an endpoint belongs to: the first service
// its requests reach (the first in sorted order when there are several),
// or "" when g does not know the endpoint.
func (g *DepGraph) ServiceOf(endpoint string) string {
	if g == nil || len(g.Endpoints[endpoint]) == 0 {
		return ""
	}
	return slices.Min(g.Endpoints[endpoint])
}

// AllServices returns every service named anywhere in g, sorted.
func (g *DepGraph) AllServices() []string {
	if g == nil {
		return nil
	}
	set := map[string]bool{}
	for _, ss := range g.Endpoints {
		for _, s := range ss {
			set[s] = true
		}
	}
	for s, deps := range g.Services {
		set[s] = true
		for _, d := range deps {
			set[d] = true
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Component resolves what a fault hit to the service it is charged to:
// an instance id through Instances, "service:x" and "instance:x" selector
// keys, and the callee of an "edge:a->b". It returns "" when it cannot
// tell, and then blast radius says so instead of guessing.
func (g *DepGraph) Component(target string) string {
	kind, v, ok := strings.Cut(target, ":")
	if !ok {
		kind, v = "instance", target
	}
	switch kind {
	case "service":
		return v
	case "edge":
		_, to, _ := strings.Cut(v, "->")
		return g.Component(strings.TrimSpace(to))
	case "instance":
		if g != nil {
			if s, ok := g.Instances[v]; ok {
				return s
			}
		}
		if g != nil && slices.Contains(g.AllServices(), v) {
			return v // an edge end may name a service
		}
	}
	return ""
}

// String renders a path as "endpoint -> a -> b".
func pathString(endpoint string, path []string) string {
	return fmt.Sprintf("%s -> %s", endpoint, strings.Join(path, " -> "))
}

// TracedGraph is the traced dependency graph: Header.Traced, else the last
// traced event's graph (a run learns it only at its end, after the header
// was written). nil when the run traced nothing.
func (r *Result) TracedGraph() *DepGraph {
	if r.Header.Traced != nil {
		return r.Header.Traced
	}
	for i := len(r.Events) - 1; i >= 0; i-- {
		e := &r.Events[i]
		if e.Kind != EvTraced || e.Params["graph"] == nil {
			continue
		}
		if g, ok := e.Params["graph"].(*DepGraph); ok {
			return g
		}
		b, err := json.Marshal(e.Params["graph"])
		if err != nil {
			return nil
		}
		var g DepGraph
		if json.Unmarshal(b, &g) != nil {
			return nil
		}
		return &g
	}
	return nil
}
