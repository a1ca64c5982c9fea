package main

import (
	"reflect"
	"testing"

	"github.com/faultline/faultline/agents/probes"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

// TestProbeReaders: a probe polls every instance of the service behind its
// read path, directly, not the edge.
func TestProbeReaders(t *testing.T) {
	eps := []targets.Endpoint{
		{Name: "orders.create", Method: "POST", Path: "/orders", Service: "orders"},
		{Name: "query.get", Method: "GET", Path: "/query/orders/{id}", Service: "query"},
	}
	insts := []targets.Instance{
		{Role: "gateway", ID: "gateway-1", Addr: "127.0.0.1:9000"},
		{Role: "query", ID: "query-1", Addr: "127.0.0.1:9001"},
		{Role: "query", ID: "query-2", Addr: "127.0.0.1:9002"},
	}
	probe := func(name, path string) scenarios.Probe {
		return scenarios.Probe{Name: name, Read: scenarios.Request{Path: path}}
	}
	cases := []struct {
		name  string
		probe scenarios.Probe
		want  []probes.Reader
	}{
		{"a query read path polls both query instances", probe("p", `/query/orders/{{capture "write" "id"}}`),
			[]probes.Reader{{Name: "query-1", BaseURL: "http://127.0.0.1:9001"}, {Name: "query-2", BaseURL: "http://127.0.0.1:9002"}}},
		{"a path no endpoint serves reads through the edge (no entry)", probe("p", "/nowhere/x"), nil},
		{"a method the endpoint does not serve reads through the edge", scenarios.Probe{Name: "p", Read: scenarios.Request{Method: "POST", Path: "/query/orders/x"}}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := probeReaders([]scenarios.Probe{c.probe}, eps, insts)["p"]
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("readers %v, want %v", got, c.want)
			}
		})
	}
}
