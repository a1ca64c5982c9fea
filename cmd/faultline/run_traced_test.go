package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

var tracedEPs = []targets.Endpoint{
	{Name: "catalog.get", Method: "GET", Path: "/catalog/items/{id}", Service: "catalog"},
	{Name: "orders.create", Method: "POST", Path: "/orders", Service: "orders"},
}

var tracedMix = []scenarios.Endpoint{
	{Name: "browse", Method: "GET", Path: "/catalog/items/item-{{rand 0 99}}"},
	{Name: "order", Method: "POST", Path: "/orders"},
}

// TestTracedGraph: instances' /traces/summary (served over real loopback
// sockets) become a graph keyed by the mix's endpoint names; a dead
// instance is skipped with a note, and calls that all failed still count
// as a dependency (the request went there).
func TestTracedGraph(t *testing.T) {
	serve := func(body map[string]any) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/traces/summary" {
				http.NotFound(w, r)
				return
			}
			_ = json.NewEncoder(w).Encode(body)
		}))
		t.Cleanup(srv.Close)
		return strings.TrimPrefix(srv.URL, "http://")
	}
	gw := serve(map[string]any{
		"catalog.get":   map[string]any{"requests": 10, "deps": map[string]any{"catalog": map[string]int{"ok": 10}}},
		"orders.create": map[string]any{"requests": 5, "deps": map[string]any{"orders": map[string]int{"ok": 5}}},
	})
	orders := serve(map[string]any{
		// inventory timed out every time: still a traced dependency
		"orders.create": map[string]any{"requests": 5, "deps": map[string]any{"inventory": map[string]int{"timeout": 5}, "bus": map[string]int{"ok": 0}}},
	})
	catalog := serve(map[string]any{
		// an undeclared call from catalog to inventory shows up
		"catalog.get": map[string]any{"requests": 10, "deps": map[string]any{"bus": map[string]int{"ok": 3}, "inventory": map[string]int{"ok": 1}}},
	})
	insts := []targets.Instance{
		{Role: "gateway", ID: "gateway-1", Admin: gw},
		{Role: "orders", ID: "orders-1", Admin: orders},
		{Role: "catalog", ID: "catalog-1", Admin: "http://" + catalog},
		{Role: "catalog", ID: "catalog-2", Admin: "127.0.0.1:1"}, // dead: nothing listens on port 1
	}
	g, notes := tracedGraph(context.Background(), insts, tracedEPs, tracedMix)
	if g == nil {
		t.Fatal("no graph")
	}
	wantEP := map[string][]string{"browse": {"catalog", "gateway"}, "order": {"gateway", "orders"}}
	if !reflect.DeepEqual(g.Endpoints, wantEP) {
		t.Errorf("endpoints %v, want %v", g.Endpoints, wantEP)
	}
	// bus had zero calls from orders: no edge
	wantSvc := map[string][]string{"gateway": {"catalog", "orders"}, "orders": {"inventory"}, "catalog": {"bus", "inventory"}}
	if !reflect.DeepEqual(g.Services, wantSvc) {
		t.Errorf("services %v, want %v", g.Services, wantSvc)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "catalog-2") {
		t.Errorf("notes %q, want one naming catalog-2", notes)
	}
	if ps := g.Paths("browse", "inventory"); len(ps) == 0 {
		t.Errorf("browse reaches inventory through catalog in the traced graph; paths %v", ps)
	}
	if none, _ := tracedGraph(context.Background(), insts[3:], tracedEPs, tracedMix); none != nil {
		t.Errorf("no instance answered: graph %v, want nil", none)
	}
}
