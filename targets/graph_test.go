package targets

import (
	"reflect"
	"testing"
)

func shopGraph() *Graph {
	g := NewGraph()
	g.AddEndpoint("catalog.get", "catalog")
	g.AddEndpoint("orders.create", "orders")
	g.AddService("catalog", "bus")
	g.AddService("orders", "inventory", "bus")
	g.AddService("inventory", "bus")
	return g
}

func TestGraphDependsOn(t *testing.T) {
	g := shopGraph()
	cases := []struct {
		endpoint, component string
		want                bool
	}{
		{"catalog.get", "catalog", true},       // the first hop counts
		{"catalog.get", "bus", true},           // one service deep
		{"catalog.get", "inventory", false},    // catalog never calls inventory
		{"orders.create", "bus", true},         // reached two ways
		{"orders.create", "inventory", true},   // direct dependency
		{"missing.endpoint", "catalog", false}, // unknown endpoint depends on nothing
		{"catalog.get", "orders", false},       // no edge leads back to orders
		{"orders.create", "notify", false},     // not in the graph at all
	}
	for _, c := range cases {
		if got := g.DependsOn(c.endpoint, c.component); got != c.want {
			t.Errorf("DependsOn(%s, %s) = %v, want %v", c.endpoint, c.component, got, c.want)
		}
	}
}

func TestGraphPaths(t *testing.T) {
	g := shopGraph()
	got := g.Paths("orders.create", "bus")
	want := [][]string{{"orders", "bus"}, {"orders", "inventory", "bus"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Paths = %v, want %v", got, want)
	}
	if d := g.Dependents("inventory"); !reflect.DeepEqual(d, []string{"orders.create"}) {
		t.Fatalf("Dependents(inventory) = %v", d)
	}
	g.AddService("bus", "orders") // a cycle: walks must stop, not loop
	if d := g.Dependents("inventory"); !reflect.DeepEqual(d, []string{"catalog.get", "orders.create"}) {
		// catalog.get now reaches inventory through bus->orders->inventory.
		t.Fatalf("Dependents(inventory) with cycle = %v", d)
	}
	if s := g.Services(); !reflect.DeepEqual(s, []string{"bus", "catalog", "inventory", "orders"}) {
		t.Fatalf("Services = %v", s)
	}
	var zero Graph
	zero.AddEndpoint("x", "y") // the zero value is usable
	if !zero.DependsOn("x", "y") {
		t.Fatal("zero graph lost its edge")
	}
}
