package faults

import (
	"context"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline/faultline/faults/proxy"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

func inventory() []targets.Instance {
	return []targets.Instance{
		{Role: "catalog", ID: "catalog-2", Labels: map[string]string{"zone": "b"}},
		{Role: "catalog", ID: "catalog-1", Labels: map[string]string{"zone": "a"}},
		{Role: "orders", ID: "orders-1", Labels: map[string]string{"zone": "a"}},
		{Role: "orders", ID: "orders-2", Labels: map[string]string{"zone": "b"}},
		{Role: "inventory", ID: "inventory-1"},
	}
}

func TestSelect(t *testing.T) {
	cases := []struct {
		name  string
		sel   scenarios.Selector
		n     int
		edges int
	}{
		// every catalog instance
		{"service all", scenarios.Selector{Service: "catalog", Pick: scenarios.Pick{Mode: scenarios.PickAll}}, 2, 0},
		// one of two, seeded
		{"service count 1", scenarios.Selector{Service: "orders", Pick: scenarios.Pick{Mode: scenarios.PickCount, N: 1}}, 1, 0},
		// count larger than the match takes all
		{"count over", scenarios.Selector{Service: "orders", Pick: scenarios.Pick{Mode: scenarios.PickCount, N: 9}}, 2, 0},
		// 50% of 5 rounds up to 3
		{"percent", scenarios.Selector{Pick: scenarios.Pick{Mode: scenarios.PickPercent, Percent: 50}}, 3, 0},
		// label filter
		{"label", scenarios.Selector{Label: "zone=a"}, 2, 0},
		// one instance by id
		{"instance", scenarios.Selector{Instance: "inventory-1"}, 1, 0},
		// orders -> inventory: 2 edges
		{"edge", scenarios.Selector{Edge: "orders->inventory"}, 0, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Select(tc.sel, inventory(), 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Instances) != tc.n || len(s.Edges) != tc.edges {
				t.Fatalf("got %d instances %d edges, want %d %d", len(s.Instances), len(s.Edges), tc.n, tc.edges)
			}
		})
	}
	if _, err := Select(scenarios.Selector{Service: "nope"}, inventory(), 1); !errors.Is(err, ErrNoMatch) {
		t.Fatalf("no match: got %v", err)
	}
}

// The same seed picks the same targets; across seeds every candidate is
// picked sometimes.
func TestSelectSeeded(t *testing.T) {
	sel := scenarios.Selector{Pick: scenarios.Pick{Mode: scenarios.PickCount, N: 1}}
	a, _ := Select(sel, inventory(), 99)
	inv := inventory()
	inv[0], inv[4] = inv[4], inv[0]
	b, _ := Select(sel, inv, 99)
	if a.Instances[0].ID != b.Instances[0].ID {
		t.Fatal("same seed, different pick")
	}
	seen := map[string]bool{}
	for seed := range int64(200) {
		s, _ := Select(sel, inventory(), seed)
		seen[s.Instances[0].ID] = true
	}
	if len(seen) != 5 {
		t.Fatalf("over 200 seeds only %d of 5 instances picked", len(seen))
	}
}

func TestLease(t *testing.T) {
	var fired atomic.Int32
	l := NewLease(100*time.Millisecond, func() { fired.Add(1) })
	for range 5 {
		time.Sleep(50 * time.Millisecond)
		if !l.Renew(100 * time.Millisecond) {
			t.Fatal("renew of a live lease failed")
		}
	}
	if fired.Load() != 0 {
		t.Fatal("renewed lease fired")
	}
	deadline := time.Now().Add(2 * time.Second)
	for fired.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if fired.Load() != 1 || !l.Expired() || l.Renew(time.Second) {
		t.Fatalf("lease fired %d times, expired %v; renew after expiry must fail", fired.Load(), l.Expired())
	}
	s := NewLease(50*time.Millisecond, func() { fired.Add(10) })
	if !s.Stop() {
		t.Fatal("stop of a live lease")
	}
	time.Sleep(100 * time.Millisecond)
	if fired.Load() != 1 {
		t.Fatal("stopped lease fired")
	}
}

type nopFault struct{}

func (nopFault) Apply(context.Context, time.Duration) error { return nil }
func (nopFault) Renew(context.Context, time.Duration) error { return nil }
func (nopFault) Revert(context.Context) error               { return nil }

func TestRecorded(t *testing.T) {
	var evs []reports.Event
	r := NewRecorded(nopFault{}, Record{Fault: "f1", Kind: "latency", Executor: "proxy", Agent: "a1", Params: map[string]any{"latency": "100ms"}},
		func(e reports.Event) { evs = append(evs, e) })
	_ = r.Apply(context.Background(), time.Second)
	_ = r.Revert(context.Background())
	r.Expired() // already reverted: no second event
	if len(evs) != 2 || evs[0].Kind != reports.EvFaultApplied || evs[1].Kind != reports.EvFaultReverted {
		t.Fatalf("events %+v", evs)
	}
	if evs[0].Executor != "proxy" || evs[0].Params["latency"] != "100ms" || !evs[1].Time.After(evs[0].Time) && !evs[1].Time.Equal(evs[0].Time) {
		t.Fatalf("event fields %+v", evs)
	}
}

func TestRegistry(t *testing.T) {
	f := func(scenarios.FaultSpec, Selection) (Fault, error) { return nopFault{}, nil }
	if err := Register("test-kind", f); err != nil {
		t.Fatal(err)
	}
	if err := Register("test-kind", f); err == nil {
		t.Fatal("double registration accepted")
	}
	if _, err := New(scenarios.FaultSpec{Kind: "test-kind"}, Selection{}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(scenarios.FaultSpec{Kind: "nope"}, Selection{}); !errors.Is(err, ErrUnknownKind) {
		t.Fatalf("got %v", err)
	}
}

// A partition over real proxy links blackholes a->b and heals on revert.
func TestProxyPartitionCutsAndHeals(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _, _ = io.Copy(c, c); c.Close() }()
		}
	}()
	srv := proxy.NewServer(proxy.WithSeed(1))
	defer srv.Close()
	ab, err := srv.Add("a->b", "127.0.0.1:0", ln.Addr().String(), true)
	if err != nil {
		t.Fatal(err)
	}
	pp := &ProxyPartition{Name: "p1", Cuts: []Cut{{"a", "b"}, {"b", "a"}}, Links: func(from, to string) (*proxy.Proxy, bool) {
		if from == "a" && to == "b" {
			return ab, true
		}
		return nil, false
	}}
	if err := pp.Apply(context.Background(), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	c, _ := net.Dial("tcp", ab.Addr())
	defer c.Close()
	_, _ = c.Write([]byte("x"))
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, _ := c.Read(make([]byte, 1)); n != 0 {
		t.Fatal("bytes crossed a partition")
	}
	if err := pp.Revert(context.Background()); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _ = c.Write([]byte("y"))
	b := make([]byte, 1)
	if _, err := io.ReadFull(c, b); err != nil || b[0] != 'y' {
		t.Fatalf("after heal: %q %v", b, err)
	}
	if len(ab.Toxics()) != 0 {
		t.Fatal("heal left toxics")
	}
}
