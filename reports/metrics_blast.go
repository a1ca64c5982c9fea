package reports

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/faultline/faultline/scenarios"
)

// BlastSettle is how long after a fault ends its damage still counts: a
// request in flight at the revert, or a breaker still open, shows in the
// next slot or two.
const BlastSettle = 2 * SlotLength

// BlastRadius is how far one fault's damage spread, measured from the
// windows, with containment checked against the declared dependency graph
// (Header.Graph) and the traced dependencies (Header.Traced, else the
// windows' Deps).
type BlastRadius struct {
	Fault string
	// Component is the service the fault hit ("" when it could not be
	// told; containment is then unknown, see Notes).
	Component string
	// From and To are the judged span: the fault's apply to its end plus
	// BlastSettle, cut at the next fault.
	From, To time.Duration
	// Endpoints are the measured endpoints; Breached those that left the
	// steady state in [From, To). EndpointRadius is their ratio.
	Endpoints, Breached []string
	EndpointRadius      float64
	// Services are the graph's services; BreachedServices those, other
	// than Component, owning a breached endpoint. NaN without a graph.
	Services, BreachedServices []string
	ServiceRadius              float64
	// Requests and Errors in [From, To); Excess is errors beyond each
	// endpoint's baseline error rate (before the fault), summed.
	Requests, Errors int64
	Excess           float64
	RequestRadius    float64
	// Contained holds when every breached endpoint depends on Component
	// both as declared and as traced. Cascades lists those that do not.
	Contained bool
	Cascades  []Cascade
	Notes     []string
}

// Cascade is a breached endpoint outside the faulted component's declared
// and traced dependents, and how the damage reached it.
type Cascade struct {
	Endpoint string
	Declared bool // the declared graph has a path to the component
	Traced   bool // tracing saw the endpoint's requests reach it
	// Path is the route the damage took, endpoint first: the traced path
	// when the dependency was traced but not declared, the declared one
	// when declared but never traced; empty when neither exists.
	Path   []string
	Reason string
}

func (c Cascade) String() string {
	if len(c.Path) == 0 {
		return c.Endpoint + ": " + c.Reason
	}
	return strings.Join(c.Path, " -> ") + ": " + c.Reason
}

// MeasureBlastRadius measures the blast radius of the named fault of plan
// p, telling breaches with sj (normally a *SteadyState).
func MeasureBlastRadius(r *Result, p *scenarios.Plan, fault string, sj SlotJudge) (BlastRadius, error) {
	pf, ok := p.Fault(fault)
	if !ok {
		return BlastRadius{}, fmt.Errorf("fault %q is not in the plan (faults: %s)", fault, faultNames(p))
	}
	applied, end, recoverFrom, _, notes := faultWindow(r, pf)
	b := BlastRadius{Fault: fault, From: applied, Notes: notes, Endpoints: r.Endpoints()}
	b.To = min(max(end, recoverFrom)+BlastSettle, horizon(r, p, pf, applied))
	if len(b.Endpoints) == 0 {
		return b, fmt.Errorf("no windows in the result: nothing to measure")
	}
	b.Component = faultComponent(r, pf)
	for _, ep := range b.Endpoints {
		for _, at := range sj.Slots() {
			if at+SlotLength > b.From && at < b.To && !sj.EndpointHolds(ep, at) {
				b.Breached = append(b.Breached, ep)
				break
			}
		}
	}
	b.EndpointRadius = float64(len(b.Breached)) / float64(len(b.Endpoints))
	b.serviceRadius(r.Header.Graph)
	b.requestRadius(r, p.Warmup)
	b.containment(r)
	return b, nil
}

// faultComponent charges a fault to a service: through the instance the
// events name, else the plan's target selector.
func faultComponent(r *Result, pf scenarios.PlannedFault) string {
	g := r.Header.Graph
	for _, s := range r.FaultSpans() {
		if s.Fault == pf.Name && s.Instance != "" {
			if c := g.Component(s.Instance); c != "" {
				return c
			}
		}
	}
	return g.Component(pf.Target)
}

func (b *BlastRadius) serviceRadius(g *DepGraph) {
	b.ServiceRadius = math.NaN()
	if g == nil || len(g.AllServices()) == 0 {
		b.Notes = append(b.Notes, "no dependency graph in the result header: service blast radius and containment cannot be measured")
		return
	}
	b.Services = g.AllServices()
	set := map[string]bool{}
	for _, ep := range b.Breached {
		if s := g.ServiceOf(ep); s != "" && s != b.Component {
			set[s] = true
		}
	}
	for s := range set {
		b.BreachedServices = append(b.BreachedServices, s)
	}
	sort.Strings(b.BreachedServices)
	b.ServiceRadius = float64(len(b.BreachedServices)) / float64(len(b.Services))
}

// requestRadius counts errors in excess of each endpoint's error rate
// before the fault. An endpoint doing better than its baseline does not
// offset one doing worse.
func (b *BlastRadius) requestRadius(r *Result, warmup time.Duration) {
	for _, ep := range b.Endpoints {
		baseReq, baseGood := rangeCounts(r, ep, warmup, b.From)
		req, good := rangeCounts(r, ep, b.From, b.To)
		b.Requests += req
		b.Errors += req - good
		rate := 0.0
		if baseReq > 0 {
			rate = float64(baseReq-baseGood) / float64(baseReq)
		} else if req > 0 {
			b.Notes = append(b.Notes, fmt.Sprintf("%s has no requests before the fault: its baseline error rate is taken as 0", ep))
		}
		b.Excess += max(0, float64(req-good)-rate*float64(req))
	}
	b.RequestRadius = math.NaN()
	if b.Requests > 0 {
		b.RequestRadius = b.Excess / float64(b.Requests)
	}
}

// containment checks every breached endpoint against the component's
// declared and traced dependents.
func (b *BlastRadius) containment(r *Result) {
	g, tr := r.Header.Graph, r.TracedGraph()
	if b.Component == "" || g == nil {
		b.Notes = append(b.Notes, "the faulted component or the dependency graph is unknown: containment not judged")
		return
	}
	deps := tracedFromWindows(r)
	b.Contained = true
	for _, ep := range b.Breached {
		c := Cascade{Endpoint: ep}
		declared := g.Paths(ep, b.Component)
		c.Declared = len(declared) > 0
		traced, known := tracedPath(tr, deps, g, ep, b.Component)
		c.Traced = len(traced) > 0
		if !known {
			c.Traced = c.Declared // no tracing: the declared graph alone
			b.Notes = append(b.Notes, fmt.Sprintf("%s has no traced dependencies: containment judged on the declared graph alone", ep))
		}
		if c.Declared && c.Traced {
			continue
		}
		b.Contained = false
		switch {
		case c.Traced:
			c.Path = append([]string{ep}, traced...)
			c.Reason = "traced, but not declared: an undeclared dependency carried the fault"
		case c.Declared:
			c.Path = append([]string{ep}, declared[0]...)
			c.Reason = "declared, but no traced request reached " + b.Component + ": the damage came another way"
		default:
			c.Reason = "no dependency on " + b.Component + ", declared or traced: the damage spread outside the graph (shared host, load, a client)"
		}
		b.Cascades = append(b.Cascades, c)
	}
}

// tracedFromWindows collects, per endpoint, the services its windows'
// Deps name ("inventory:error" -> inventory).
func tracedFromWindows(r *Result) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for i := range r.Windows {
		w := &r.Windows[i]
		for k, n := range w.Deps {
			if n <= 0 {
				continue
			}
			svc, _, _ := strings.Cut(k, ":")
			if out[w.Endpoint] == nil {
				out[w.Endpoint] = map[string]bool{}
			}
			out[w.Endpoint][svc] = true
		}
	}
	return out
}

// tracedPath finds how ep's traced requests reached component: a path in
// the traced graph, else from the windows' Deps (the endpoint's first
// declared service, then component). known is false when nothing was
// traced for ep at all.
func tracedPath(tr *DepGraph, deps map[string]map[string]bool, g *DepGraph, ep, component string) (path []string, known bool) {
	if tr.HasEndpoint(ep) {
		if ps := tr.Paths(ep, component); len(ps) > 0 {
			return ps[0], true
		}
		return nil, true
	}
	d, ok := deps[ep]
	if !ok {
		return nil, false
	}
	if !d[component] {
		return nil, true
	}
	if first := g.ServiceOf(ep); first != "" && first != component {
		return []string{first, component}, true
	}
	return []string{component}, true
}
