package reports

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// blastRun fails every fifth request of the breached endpoints while
// slow-inv is applied (22 s to 25 s), and records which services each
// endpoint's requests touched, as the reference topology's tracing does.
func blastRun(t *testing.T, breached []string, deps map[string][]string) *Result {
	t.Helper()
	n := map[string]int{}
	r := mxResult(sixEndpoints, 20, func(ep string, at time.Duration) (bool, time.Duration) {
		if slices.Contains(breached, ep) && at >= 22*time.Second && at < 25*time.Second {
			n[ep]++
			return n[ep]%5 == 0, 2 * time.Millisecond
		}
		return false, 2 * time.Millisecond
	})
	for i := range r.Windows {
		w := &r.Windows[i]
		for _, svc := range deps[w.Endpoint] {
			if w.Deps == nil {
				w.Deps = map[string]int64{}
			}
			w.Deps[svc+":ok"] += w.Good
		}
	}
	r.Header.Graph = mxGraph()
	r.Events = []Event{mxEvent(EvFaultApplied, 22*time.Second, "slow-inv", "inventory-1"),
		mxEvent(EvFaultReverted, 25*time.Second, "slow-inv", "inventory-1")}
	return r
}

// tracedAsDeclared is what tracing sees when the graph is right.
var tracedAsDeclared = map[string][]string{"e1": {"catalog"}, "e2": {"catalog"}, "e3": {"orders", "inventory"},
	"e4": {"inventory"}, "e5": {"query"}, "e6": {"query"}}

func measureBlast(t *testing.T, r *Result) BlastRadius {
	t.Helper()
	s, p := mxDecode(t)
	ss, err := NewSteadyState(s, r)
	if err != nil {
		t.Fatal(err)
	}
	b, err := MeasureBlastRadius(r, p, "slow-inv", ss)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Ground truth: six endpoints, two of which (e3 through orders, e4
// directly) depend on the faulted inventory; both breach, nothing else
// does. Endpoint blast radius 2/6, contained; the one service other than
// inventory that breached is orders (1 of 4); the request blast radius is
// the injected errors over all requests in the span.
func TestBlastRadiusContained(t *testing.T) {
	b := measureBlast(t, blastRun(t, []string{"e3", "e4"}, tracedAsDeclared))
	if b.Component != "inventory" {
		t.Errorf("component %q, want inventory (from instance inventory-1)", b.Component)
	}
	if !slices.Equal(b.Breached, []string{"e3", "e4"}) || b.EndpointRadius != 2.0/6 {
		t.Errorf("breached %v radius %.4f, want [e3 e4] and 2/6", b.Breached, b.EndpointRadius)
	}
	if !b.Contained || len(b.Cascades) != 0 {
		t.Errorf("contained %v, cascades %v; want contained", b.Contained, b.Cascades)
	}
	if !slices.Equal(b.BreachedServices, []string{"orders"}) || b.ServiceRadius != 0.25 {
		t.Errorf("services %v radius %v, want [orders] and 1/4", b.BreachedServices, b.ServiceRadius)
	}
	// Span 22 s to 25 s + 2 s settle: 5 slots × 6 endpoints × 40 requests;
	// errors: every fifth of e3's and e4's 3 × 40 fault-time requests.
	if b.From != 22*time.Second || b.To != 27*time.Second || b.Requests != 1200 || b.Errors != 48 {
		t.Errorf("span %v..%v, %d requests, %d errors; want 22s..27s, 1200, 48", b.From, b.To, b.Requests, b.Errors)
	}
	if !near(b.RequestRadius, 48.0/1200, 1e-12) {
		t.Errorf("request radius %v, want 0.04", b.RequestRadius)
	}
}

// A cascade: e1 breaches although the declared graph says catalog does
// not call inventory. When tracing saw catalog call inventory, the
// report names the undeclared path; when nothing links them, it says the
// damage spread outside the graph.
func TestBlastRadiusCascade(t *testing.T) {
	for _, tc := range []struct {
		name   string
		traced *DepGraph
		deps   map[string][]string
		path   string
		reason string
	}{
		// The traced graph has the undeclared catalog -> inventory call.
		{"traced graph", &DepGraph{Endpoints: map[string][]string{"e1": {"catalog"}, "e3": {"orders"}, "e4": {"inventory"}},
			Services: map[string][]string{"catalog": {"inventory"}, "orders": {"inventory"}}},
			tracedAsDeclared, "e1 -> catalog -> inventory", "not declared"},
		// No traced graph: the windows' Deps show e1 reaching inventory.
		{"window deps", nil, map[string][]string{"e1": {"catalog", "inventory"}, "e3": {"orders", "inventory"}, "e4": {"inventory"}},
			"e1 -> catalog -> inventory", "not declared"},
		// Traced, and e1 never reached inventory: outside the graph.
		{"unrelated", nil, tracedAsDeclared, "", "outside the graph"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := blastRun(t, []string{"e1", "e3", "e4"}, tc.deps)
			r.Header.Traced = tc.traced
			b := measureBlast(t, r)
			if b.EndpointRadius != 3.0/6 || b.Contained || len(b.Cascades) != 1 {
				t.Fatalf("radius %v contained %v cascades %v; want 3/6, uncontained, one cascade", b.EndpointRadius, b.Contained, b.Cascades)
			}
			c := b.Cascades[0]
			got := ""
			if len(c.Path) > 0 {
				got = strings.Join(c.Path, " -> ")
			}
			if c.Endpoint != "e1" || got != tc.path || !strings.Contains(c.Reason, tc.reason) || c.Declared {
				t.Errorf("cascade %+v (%s), want e1 via %q, reason with %q", c, c, tc.path, tc.reason)
			}
			if !slices.Equal(b.BreachedServices, []string{"catalog", "orders"}) || b.ServiceRadius != 0.5 {
				t.Errorf("services %v radius %v, want [catalog orders] and 2/4", b.BreachedServices, b.ServiceRadius)
			}
		})
	}
}

// Without a graph, service radius and containment are not measured, and
// the notes say so instead of guessing.
func TestBlastRadiusWithoutGraph(t *testing.T) {
	r := blastRun(t, []string{"e4"}, nil)
	r.Header.Graph = nil
	b := measureBlast(t, r)
	if b.EndpointRadius != 1.0/6 || !math.IsNaN(b.ServiceRadius) || b.Contained || b.Component != "inventory" {
		t.Errorf("blast %+v: want 1/6, service radius NaN, not judged contained, component from the selector", b)
	}
	if len(b.Notes) < 2 {
		t.Errorf("notes %v, want the missing graph explained", b.Notes)
	}
}

// DepGraph resolves faulted targets to services and finds paths.
func TestDepGraph(t *testing.T) {
	g := mxGraph()
	for _, tc := range []struct{ target, want string }{
		{"service:inventory", "inventory"},      // a service selector
		{"instance:orders-1", "orders"},         // an instance selector
		{"inventory-1", "inventory"},            // an event's instance
		{"edge:orders->inventory", "inventory"}, // an edge is charged to its callee
		{"edge:orders-1->inventory-1", "inventory"},
		{"label:tier=db", ""}, // cannot tell
		{"instance:ghost-9", ""},
	} {
		if got := g.Component(tc.target); got != tc.want {
			t.Errorf("Component(%q) = %q, want %q", tc.target, got, tc.want)
		}
	}
	if got := g.Paths("e3", "inventory"); len(got) != 1 || strings.Join(got[0], ">") != "orders>inventory" {
		t.Errorf("paths e3 -> inventory = %v", got)
	}
	g.Services["inventory"] = []string{"orders"} // a cycle must not loop
	if !g.DependsOn("e4", "orders") || g.DependsOn("e1", "inventory") {
		t.Error("DependsOn wrong with a cycle")
	}
	var nilG *DepGraph
	if nilG.DependsOn("e1", "x") || nilG.ServiceOf("e1") != "" || nilG.Component("x") != "" {
		t.Error("nil graph should know nothing")
	}
}
