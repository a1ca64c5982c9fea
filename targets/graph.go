package targets

import (
	"fmt"
	"sort"
)

// Graph is a declared dependency graph: which services each endpoint
// reaches first, and which services each service calls. Components are
// service names (not instances). The zero value is empty and usable.
type Graph struct {
	endpoints map[string][]string // endpoint -> services it reaches first
	services  map[string][]string // service -> services it calls
}

// NewGraph returns an empty graph.
func NewGraph() *Graph {
	return &Graph{endpoints: map[string][]string{}, services: map[string][]string{}}
}

// AddEndpoint records that endpoint reaches the given services directly.
func (g *Graph) AddEndpoint(endpoint string, services ...string) {
	if g.endpoints == nil {
		g.endpoints = map[string][]string{}
	}
	g.endpoints[endpoint] = appendNew(g.endpoints[endpoint], services...)
}

// AddService records that service calls the given services.
func (g *Graph) AddService(service string, deps ...string) {
	if g.services == nil {
		g.services = map[string][]string{}
	}
	g.services[service] = appendNew(g.services[service], deps...)
}

func appendNew(list []string, add ...string) []string {
	for _, a := range add {
		found := false
		for _, l := range list {
			found = found || l == a
		}
		if !found {
			list = append(list, a)
		}
	}
	return list
}

// Endpoints returns the endpoint names, sorted.
func (g *Graph) Endpoints() []string { return sortedKeys(g.endpoints) }

// Services returns every service named anywhere in the graph, sorted.
func (g *Graph) Services() []string {
	set := map[string][]string{}
	for _, ss := range g.endpoints {
		for _, s := range ss {
			set[s] = nil
		}
	}
	for s, deps := range g.services {
		set[s] = nil
		for _, d := range deps {
			set[d] = nil
		}
	}
	return sortedKeys(set)
}

func sortedKeys(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DependsOn reports whether a request to endpoint can reach component,
// directly or through other services. An unknown endpoint depends on
// nothing.
func (g *Graph) DependsOn(endpoint, component string) bool {
	return len(g.Paths(endpoint, component)) > 0
}

// Paths returns every acyclic path of services from endpoint to
// component, each starting with the first service reached and ending with
// component, sorted for stable output.
func (g *Graph) Paths(endpoint, component string) [][]string {
	var out [][]string
	for _, first := range g.endpoints[endpoint] {
		g.walk([]string{first}, component, &out)
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}

func (g *Graph) walk(path []string, component string, out *[][]string) {
	last := path[len(path)-1]
	if last == component {
		*out = append(*out, append([]string(nil), path...))
		return
	}
	for _, next := range g.services[last] {
		if contains(path, next) { // a cycle: stop here
			continue
		}
		g.walk(append(path, next), component, out)
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// Dependents returns the endpoints that depend on component, sorted.
func (g *Graph) Dependents(component string) []string {
	var out []string
	for _, e := range g.Endpoints() {
		if g.DependsOn(e, component) {
			out = append(out, e)
		}
	}
	return out
}
