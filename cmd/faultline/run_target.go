package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/faultline/faultline/agents/probes"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
	"github.com/faultline/faultline/targets/reference"
)

// checkTargetKind refuses targets faultline run cannot drive, before
// anything starts.
func checkTargetKind(sc *scenarios.Scenario) error {
	switch sc.Target.Kind {
	case "reference":
		return nil
	case "external":
		if sc.Target.BaseURL == "" {
			return fmt.Errorf("target kind external needs base_url")
		}
		if len(sc.Timeline) > 0 {
			return fmt.Errorf("the scenario has faults, but an external target exposes no instances or links to fault in this build; use target: {kind: reference}, or remove the timeline")
		}
		return nil
	}
	return fmt.Errorf("target kind %q: faultline run drives kind reference (started by itself) and kind external (base_url) in this build", sc.Target.Kind)
}

// refTarget is a reference topology started for one pass of a run.
type refTarget struct {
	topo *reference.Topology
}

// startReference starts the reference topology with the pass's options
// (the scenario's target options with the variant's laid over them) in a
// temporary run-scoped directory, which Stop removes.
func startReference(ctx context.Context, sc *scenarios.Scenario, v scenarios.Variant, log io.Writer) (*refTarget, error) {
	opts, err := reference.FromOptions(scenarios.MergedOptions(sc.Target, v))
	if err != nil {
		return nil, err
	}
	topo, err := reference.Start(ctx, reference.Config{Options: opts, Log: log})
	if err != nil {
		return nil, err
	}
	return &refTarget{topo: topo}, nil
}

// Stop stops every instance; bounded, so Ctrl-C never hangs on it.
func (r *refTarget) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_ = r.topo.Stop(ctx)
}

// events returns the supervisor's lifecycle events after since, as result
// events: a replacement is instance_replaced (TTR of a kill counts from
// it), a kill the supervisor did itself is instance_killed, the rest are
// notes.
func (r *refTarget) events(since time.Time) []reports.Event {
	var out []reports.Event
	for _, e := range r.topo.Events() {
		if !e.Time.After(since) {
			continue
		}
		ev := reports.Event{Time: e.Time, Instance: e.Instance, Kind: reports.EvNote,
			Detail: strings.TrimSpace(fmt.Sprintf("target: %s %s pid %d %s", e.Instance, e.Kind, e.PID, e.Detail))}
		switch e.Kind {
		case "replaced":
			ev.Kind = reports.EvInstanceReplaced
		case "killed":
			ev.Kind = reports.EvInstanceKilled
		}
		out = append(out, ev)
	}
	return out
}

// depGraph is the header's dependency graph for a load mix: mix endpoints
// mapped to the target's endpoints by method and path, the service edges
// the target declares, and which service each instance belongs to.
func depGraph(g *targets.Graph, eps []targets.Endpoint, mix []scenarios.Endpoint, insts []targets.Instance) *reports.DepGraph {
	d := &reports.DepGraph{Endpoints: map[string][]string{}, Services: map[string][]string{}, Instances: map[string]string{}}
	for _, in := range insts {
		d.Instances[in.ID] = in.Role
	}
	edges := map[[2]string]bool{}
	for _, te := range eps {
		for _, svc := range g.Services() {
			for _, path := range g.Paths(te.Name, svc) {
				for i := 0; i+1 < len(path); i++ {
					edges[[2]string{path[i], path[i+1]}] = true
				}
			}
		}
	}
	for e := range edges {
		d.Services[e[0]] = append(d.Services[e[0]], e[1])
	}
	for k := range d.Services {
		sort.Strings(d.Services[k])
	}
	for _, m := range mix {
		for _, te := range eps {
			if strings.EqualFold(m.Method, te.Method) && pathMatches(m.Path, te.Path) {
				// The graph's first hops for the target endpoint.
				for _, svc := range g.Services() {
					for _, p := range g.Paths(te.Name, svc) {
						if len(p) > 0 && !contains(d.Endpoints[m.Name], p[0]) {
							d.Endpoints[m.Name] = append(d.Endpoints[m.Name], p[0])
						}
					}
				}
			}
		}
	}
	return d
}

// pathMatches reports whether a mix path template fits an endpoint path
// pattern: equal segments, or a {placeholder} against anything.
func pathMatches(tmpl, pattern string) bool {
	tmpl, _, _ = strings.Cut(tmpl, "?")
	a, b := strings.Split(strings.Trim(tmpl, "/"), "/"), strings.Split(strings.Trim(pattern, "/"), "/")
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.HasPrefix(b[i], "{") && strings.HasSuffix(b[i], "}") {
			continue
		}
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// probeReaders maps each probe to the instances that serve its read path
// directly: the target endpoint its read path matches names the service
// behind the edge, and every instance of that service is polled, so a
// lagging replica shows in the per-instance lag, and probe reads never
// spend the edge's throttle budget that the load is measured against. A
// probe whose read path matches no endpoint reads through the edge.
func probeReaders(prs []scenarios.Probe, eps []targets.Endpoint, insts []targets.Instance) map[string][]probes.Reader {
	out := map[string][]probes.Reader{}
	for _, pr := range prs {
		method := pr.Read.Method
		if method == "" {
			method = "GET"
		}
		svc := ""
		for _, te := range eps {
			if strings.EqualFold(method, te.Method) && pathMatches(pr.Read.Path, te.Path) {
				svc = te.Service
				break
			}
		}
		for _, in := range insts {
			if svc != "" && in.Role == svc && in.Addr != "" {
				out[pr.Name] = append(out[pr.Name], probes.Reader{Name: in.ID, BaseURL: "http://" + in.Addr})
			}
		}
	}
	return out
}
