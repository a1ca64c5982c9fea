package reports

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// TestTracedGraphFromEvent: a run learns its traced graph only at its end,
// after the header was written, so it comes as a traced event. Read back
// from JSON (Params become maps), it is the graph written; a header graph
// wins over it; none means nil.
func TestTracedGraphFromEvent(t *testing.T) {
	g := &DepGraph{Endpoints: map[string][]string{"e1": {"catalog"}}, Services: map[string][]string{"catalog": {"inventory"}}}
	b, err := json.Marshal(Event{Time: time.Unix(1, 0), Kind: EvTraced, Params: map[string]any{"graph": g}})
	if err != nil {
		t.Fatal(err)
	}
	var e Event
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	header := &DepGraph{Endpoints: map[string][]string{"e9": {"x"}}}
	cases := []struct {
		name string
		r    Result
		want *DepGraph
	}{
		{"event read back from JSON", Result{Events: []Event{e}}, g},
		{"event as written (typed)", Result{Events: []Event{{Kind: EvTraced, Params: map[string]any{"graph": g}}}}, g},
		{"the header's graph wins", Result{Header: Header{Traced: header}, Events: []Event{e}}, header},
		{"nothing traced", Result{Events: []Event{{Kind: EvNote}}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.r.TracedGraph(); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("graph %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestBlastRadiusTracedEvent: containment reads the traced graph from the
// traced event: e1's undeclared call to inventory is named as a cascade.
func TestBlastRadiusTracedEvent(t *testing.T) {
	r := blastRun(t, []string{"e1", "e3", "e4"}, nil)
	r.Events = append(r.Events, Event{Time: r.Header.Started.Add(40 * time.Second), Kind: EvTraced, Params: map[string]any{"graph": &DepGraph{
		Endpoints: map[string][]string{"e1": {"catalog"}, "e3": {"orders"}, "e4": {"inventory"}},
		Services:  map[string][]string{"catalog": {"inventory"}, "orders": {"inventory"}}}}})
	b := measureBlast(t, r)
	if b.Contained || len(b.Cascades) != 1 || b.Cascades[0].Endpoint != "e1" || len(b.Cascades[0].Path) != 3 {
		t.Fatalf("contained %v cascades %+v; want one cascade e1 -> catalog -> inventory", b.Contained, b.Cascades)
	}
}
