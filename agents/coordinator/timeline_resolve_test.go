package coordinator

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

// fakeInventory is a fixed set of instances and links.
type fakeInventory struct {
	insts []targets.Instance
	links []targets.Link
}

func (f fakeInventory) Instances(context.Context) ([]targets.Instance, error) { return f.insts, nil }
func (f fakeInventory) Links(context.Context, string) ([]targets.Link, error) {
	return f.links, nil
}

func inv() fakeInventory {
	in := func(role, id string, pid int, state string) targets.Instance {
		return targets.Instance{Role: role, ID: id, PID: pid, State: state, Host: "h1"}
	}
	link := func(from, to string) targets.Link {
		return targets.Link{Name: from + "->" + to, From: from, To: to, Admin: "http://127.0.0.1:9" + from[len(from)-1:]}
	}
	return fakeInventory{
		insts: []targets.Instance{
			in("orders", "orders-1", 101, targets.StateRunning), in("orders", "orders-2", 102, targets.StateRunning),
			in("inventory", "inventory-1", 201, targets.StateRunning), in("inventory", "inventory-2", 202, targets.StateDead),
			in("bus", "bus-1", 301, targets.StateRunning), in("bus", "bus-2", 302, targets.StateRunning),
		},
		links: []targets.Link{link("orders-1", "inventory-1"), link("orders-2", "inventory-1"), link("orders-1", "bus-1"),
			link("orders-1", "bus-2"), link("bus-1", "bus-2"), link("bus-2", "bus-1")},
	}
}

func TestResolve(t *testing.T) {
	cases := []struct {
		name      string
		spec      scenarios.FaultSpec
		instances []string
		toxics    []string // proxy/stream
		pids      []int
		err       error
	}{
		// A kill picks among running instances only: inventory-2 is dead.
		{name: "kill skips dead instances", spec: scenarios.FaultSpec{Name: "k", Kind: "kill", Target: scenarios.Selector{Service: "inventory"}},
			instances: []string{"inventory-1"}, pids: []int{201}},
		// Latency on a service: every link into its instances, downstream.
		{name: "latency into a service", spec: scenarios.FaultSpec{Name: "l", Kind: "latency", Target: scenarios.Selector{Service: "inventory"},
			Params: map[string]any{"latency": 300 * time.Millisecond}},
			instances: []string{"inventory-1"}, toxics: []string{"orders-1->inventory-1/downstream", "orders-2->inventory-1/downstream"}},
		// An edge: only that caller's link, both directions when asked.
		{name: "edge both directions", spec: scenarios.FaultSpec{Name: "e", Kind: "latency", Target: scenarios.Selector{Edge: "orders-2->inventory-1"},
			Params: map[string]any{"latency": time.Second, "direction": "both"}},
			instances: []string{"inventory-1"}, toxics: []string{"orders-2->inventory-1/downstream", "orders-2->inventory-1/upstream"}},
		// Isolating orders-1 from the bus cuts its links to both buses both
		// ways (upstream: its bytes; downstream: theirs), nothing between buses.
		{name: "partition groups", spec: scenarios.FaultSpec{Name: "p", Kind: "partition", Target: scenarios.Selector{Instance: "orders-1"},
			Params: map[string]any{"shape": "groups", "groups": [][]string{{"orders-1"}, {"bus"}}}},
			instances: []string{"orders-1"}, toxics: []string{"orders-1->bus-1/downstream", "orders-1->bus-1/upstream", "orders-1->bus-2/downstream", "orders-1->bus-2/upstream"}},
		// A network fault on an instance nobody has dialled yet faults nothing: an error.
		{name: "no link", spec: scenarios.FaultSpec{Name: "n", Kind: "latency", Target: scenarios.Selector{Service: "orders"},
			Params: map[string]any{"latency": time.Second}}, err: ErrNoLink},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Resolve(context.Background(), inv(), tc.spec, "f-1", 1)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.Instances, tc.instances) {
				t.Errorf("instances %v, want %v", r.Instances, tc.instances)
			}
			var tox []string
			for _, x := range r.Targets.Toxics {
				tox = append(tox, x.Proxy+"/"+x.Toxic.Stream)
			}
			sort.Strings(tox)
			if !reflect.DeepEqual(tox, tc.toxics) {
				t.Errorf("toxics %v, want %v", tox, tc.toxics)
			}
			var pids []int
			for _, p := range r.Targets.Procs {
				pids = append(pids, p.PID)
			}
			if !reflect.DeepEqual(pids, tc.pids) {
				t.Errorf("pids %v, want %v", pids, tc.pids)
			}
		})
	}
}

func TestNetworkToxicsUnits(t *testing.T) {
	cases := []struct {
		name  string
		spec  scenarios.FaultSpec
		typ   string
		attrs map[string]any
	}{
		// Durations become milliseconds, as Toxiproxy's attributes are.
		{"latency", scenarios.FaultSpec{Kind: "latency", Params: map[string]any{"latency": 250 * time.Millisecond, "jitter": 20 * time.Millisecond}},
			"latency", map[string]any{"latency": int64(250), "jitter": int64(20)}},
		// Bytes per second become KB/s.
		{"bandwidth", scenarios.FaultSpec{Kind: "bandwidth", Params: map[string]any{"rate": int64(64 * 1024)}}, "bandwidth", map[string]any{"rate": int64(64)}},
		// A blackhole is a timeout toxic that never closes (timeout 0).
		{"blackhole", scenarios.FaultSpec{Kind: "blackhole"}, "timeout", map[string]any{"timeout": 0}},
		// Ratios become percentages; a missing percent means all requests.
		{"http_abort", scenarios.FaultSpec{Kind: "http_abort", Params: map[string]any{"status": 503, "percent": 0.1}}, "http_abort", map[string]any{"status": 503, "percent": 10.0}},
		{"http_delay default percent", scenarios.FaultSpec{Kind: "http_delay", Params: map[string]any{"delay": time.Second}}, "http_delay", map[string]any{"delay": int64(1000), "percent": 100.0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ts, err := NetworkToxics(tc.spec, "x")
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 1 || ts[0].Type != tc.typ || ts[0].Stream != "downstream" || ts[0].Toxicity != 1 {
				t.Fatalf("toxics %+v", ts)
			}
			if !reflect.DeepEqual(ts[0].Attributes, tc.attrs) {
				t.Errorf("attributes %#v, want %#v", ts[0].Attributes, tc.attrs)
			}
		})
	}
}
