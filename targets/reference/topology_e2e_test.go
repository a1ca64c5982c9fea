package reference

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestE2EDefaultTopology runs one topology with every pattern on and the
// default 2 s replace delay through the order flow, a slow dependency,
// a partition and an instance kill, in that order (the kill last: it
// disturbs the most).
func TestE2EDefaultTopology(t *testing.T) {
	top := startTopology(t, nil)

	t.Run("order reaches query and notify", func(t *testing.T) {
		id, r := placeOrder(top, "item-1")
		if id == "" {
			t.Fatalf("POST /orders: %d %s %v", r.status, r.body, r.err)
		}
		if r.header.Get(TraceHeader) == "" {
			t.Error("gateway answered without X-Trace-Id")
		}
		eventually(t, 10*time.Second, "order visible in query through the gateway", func() bool {
			return call(http.MethodGet, top.BaseURL()+"/query/orders/"+id, nil).status == http.StatusOK
		})
		eventually(t, 10*time.Second, "order delivered to notify", func() bool {
			return call(http.MethodGet, service(top, "notify-1")+"/notify/deliveries/"+id, nil).status == http.StatusOK
		})
		eventually(t, 10*time.Second, "notify's backlog drains to 0", func() bool {
			var st NotifyStats
			r := call(http.MethodGet, service(top, "notify-1")+"/notify/stats", nil)
			return jsonUnmarshal(r.body, &st) == nil && st.Backlog == 0 && st.Unique >= 1
		})
		if g := call(http.MethodGet, top.BaseURL()+"/orders/"+id, nil); g.status != http.StatusOK {
			t.Errorf("GET /orders/%s: %d %s", id, g.status, g.body)
		}
		// The trace of the POST shows orders touched inventory and the bus.
		served := r.header.Get("X-Served-By")
		var traces []Trace
		getJSON(t, admin(top, served)+"/traces/"+r.header.Get(TraceHeader), &traces)
		deps := map[string]string{}
		for _, tr := range traces {
			for _, c := range tr.Calls {
				deps[c.Service] = c.Outcome
			}
		}
		if deps["inventory"] != OutcomeOK || deps["bus"] != OutcomeOK {
			t.Errorf("trace on %s recorded %v, want inventory and bus ok", served, deps)
		}
	})

	t.Run("slow inventory with breakers on fails fast", func(t *testing.T) {
		durs, statuses, catalogBad := slowInventory(t, top)
		late := durs[len(durs)/2:]
		t.Logf("breakers on: median of the later half %s, statuses %v, catalog failures %d", median(late), statuses, catalogBad)
		if median(late) > 300*time.Millisecond {
			t.Errorf("breakers on: later orders took %s (median), want fast failure < 300ms", median(late))
		}
		if statuses[http.StatusCreated] > 0 {
			t.Errorf("breakers on: %d orders succeeded through a 2 s link with 500 ms timeouts", statuses[http.StatusCreated])
		}
		if catalogBad > 0 {
			t.Errorf("catalog was affected: %d failed reads", catalogBad)
		}
		// Breakers close again once the latency is gone (open 2 s, then trial).
		ordersInARow(t, top, 5, 20*time.Second, "5 orders in a row succeed after the latency is removed", func(int) string { return "item-2" })
	})

	t.Run("partitioned query-1 falls behind and catches up", func(t *testing.T) {
		for _, b := range []string{"bus-1", "bus-2", "bus-3"} {
			setLink(t, top, "query-1", b, false)
		}
		var ids []string
		for i := range 10 {
			id, r := placeOrder(top, fmt.Sprintf("item-%d", 10+i))
			if id == "" {
				t.Fatalf("order during partition: %d %s", r.status, r.body)
			}
			ids = append(ids, id)
		}
		has := func(q string) int {
			n := 0
			for _, id := range ids {
				if call(http.MethodGet, service(top, q)+"/query/orders/"+id, nil).status == http.StatusOK {
					n++
				}
			}
			return n
		}
		eventually(t, 10*time.Second, "query-2 projects all 10 orders", func() bool { return has("query-2") == 10 })
		behind1, behind2 := queryStats(top, "query-1"), queryStats(top, "query-2")
		if n := has("query-1"); n != 0 {
			t.Errorf("query-1 projected %d of 10 orders while partitioned from the bus", n)
		}
		t.Logf("during partition: query-1 last_seq %d, query-2 last_seq %d", behind1.LastSeq, behind2.LastSeq)
		if behind1.LastSeq >= behind2.LastSeq {
			t.Errorf("query-1 (seq %d) is not behind query-2 (seq %d)", behind1.LastSeq, behind2.LastSeq)
		}
		for _, b := range []string{"bus-1", "bus-2", "bus-3"} {
			setLink(t, top, "query-1", b, true)
		}
		took := eventually(t, 30*time.Second, "query-1 catches up with every order", func() bool { return has("query-1") == 10 })
		t.Logf("query-1 caught up %s after healing", took.Round(time.Millisecond))
		if a, b := queryStats(top, "query-1"), queryStats(top, "query-2"); a.LastSeq != b.LastSeq || a.Projected != b.Projected {
			t.Errorf("after healing: query-1 %+v, query-2 %+v", a, b)
		}
	})

	t.Run("links are listed and bus routes really go through them", func(t *testing.T) {
		links, err := top.Links(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]bool{}
		for _, l := range links {
			byName[l.Name] = l.Admin != "" && l.Listen != l.Upstream
		}
		for _, want := range []string{"gateway-1->catalog-2", "orders-1->inventory-2", "query-1->bus-3", "bus-1->bus-2", "bus-3->bus-1"} {
			if !byName[want] {
				t.Errorf("link %s missing or not proxied (links: %d)", want, len(links))
			}
		}
		routes := func() int {
			var v struct{ Routes int }
			jsonUnmarshal(call(http.MethodGet, admin(top, "bus-1")+"/stats", nil).body, &v)
			return v.Routes
		}
		if routes() == 0 {
			t.Fatal("bus-1 has no routes before the partition")
		}
		cut := [][2]string{{"bus-1", "bus-2"}, {"bus-1", "bus-3"}, {"bus-2", "bus-1"}, {"bus-3", "bus-1"}}
		for _, c := range cut {
			setLink(t, top, c[0], c[1], false)
		}
		// No gossiped direct route may survive or appear: zero routes, and
		// it stays zero.
		eventually(t, 10*time.Second, "bus-1 loses every route", func() bool { return routes() == 0 })
		time.Sleep(2 * time.Second)
		if n := routes(); n != 0 {
			t.Errorf("bus-1 has %d routes while every link to it is cut: a route bypassed the links", n)
		}
		for _, c := range cut {
			setLink(t, top, c[0], c[1], true)
		}
		eventually(t, 20*time.Second, "bus-1 routes again after healing", func() bool { return routes() > 0 })
		// Orders must work again once the cluster has healed.
		ordersInARow(t, top, 5, 30*time.Second, "5 orders in a row after the bus partition heals", func(int) string { return "item-6" })
	})

	t.Run("paused query-2 leaves the pool until resumed; restart replaces at once", func(t *testing.T) {
		ctx := context.Background()
		if err := top.Pause(ctx, "query-2"); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "gateway de-registers paused query-2", func() bool { return !gatewayRegistered(top)["query-2"] })
		if st := instanceState(top, "query-2"); st != "paused" {
			t.Errorf("registry state of paused query-2 = %q", st)
		}
		if err := top.Resume(ctx, "query-2"); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "gateway re-registers resumed query-2", func() bool { return gatewayRegistered(top)["query-2"] })
		before := top.pid("notify-1")
		if err := top.Restart(ctx, "notify-1"); err != nil {
			t.Fatal(err)
		}
		// Restart does not wait for replace_delay (2 s): a new pid at once.
		took := eventually(t, 10*time.Second, "notify-1 restarted and running", func() bool {
			return top.pid("notify-1") != before && instanceState(top, "notify-1") == "running"
		})
		t.Logf("notify-1 restarted in %s", took.Round(time.Millisecond))
		if err := top.Kill(ctx, "nobody-1"); err == nil {
			t.Error("killing an unknown instance did not fail")
		}
	})

	t.Run("killed orders-1 is de-registered, replaced and routed to again", func(t *testing.T) {
		o := top.spec.Options
		if !gatewayRegistered(top)["orders-1"] {
			t.Fatal("orders-1 not registered before the kill")
		}
		killedAt := time.Now()
		if err := top.Kill(context.Background(), "orders-1"); err != nil {
			t.Fatal(err)
		}
		gone := eventually(t, 10*time.Second, "gateway de-registers orders-1", func() bool { return !gatewayRegistered(top)["orders-1"] })
		bound := o.HealthInterval * time.Duration(o.UnhealthyThreshold)
		t.Logf("de-registered %s after SIGKILL (interval x threshold = %s)", gone.Round(time.Millisecond), bound)
		// One extra interval: the kill lands anywhere inside a probe period.
		// Plus polling and scheduling slack on a shared 2-core machine.
		if gone > bound+o.HealthInterval+time.Second {
			t.Errorf("de-registration took %s, want <= %s + one interval + 1s slack", gone, bound)
		}
		back := eventually(t, 30*time.Second, "gateway routes to the replacement", func() bool { return gatewayRegistered(top)["orders-1"] })
		t.Logf("re-registered %s after the kill", time.Since(killedAt).Round(time.Millisecond))
		_ = back
		served := map[string]bool{}
		for range 20 {
			if _, r := placeOrder(top, "item-3"); r.status == http.StatusCreated {
				served[r.header.Get("X-Served-By")] = true
			}
		}
		if !served["orders-1"] {
			t.Errorf("no order served by the replaced orders-1 (served by %v)", served)
		}
		kinds := map[string]bool{}
		for _, e := range top.Events() {
			if e.Instance == "orders-1" {
				kinds[e.Kind] = true
			}
		}
		for _, k := range []string{"killed", "exited", "replaced", "ready"} {
			if !kinds[k] {
				t.Errorf("registry has no %q event for orders-1 (events: %v)", k, kinds)
			}
		}
	})
}

// slowInventory puts 2 s of latency on every orders->inventory link, sends
// 24 orders five at a time while reading the catalog, then removes the
// latency. It returns the order durations in completion order.
func slowInventory(t *testing.T, top *Topology) ([]time.Duration, map[int]int, int) {
	t.Helper()
	pairs := [][2]string{{"orders-1", "inventory-1"}, {"orders-1", "inventory-2"}, {"orders-2", "inventory-1"}, {"orders-2", "inventory-2"}}
	for _, p := range pairs {
		addLatency(t, top, p[0], p[1], 2000)
	}
	defer func() {
		for _, p := range pairs {
			removeToxic(t, top, p[0], p[1])
		}
	}()
	var mu sync.Mutex
	var durs []time.Duration
	statuses := map[int]int{}
	catalogBad := 0
	stop := make(chan struct{})
	var cwg sync.WaitGroup
	cwg.Add(1)
	go func() { // catalog reads must be unaffected throughout
		defer cwg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			if r := call(http.MethodGet, fmt.Sprintf("%s/catalog/items/item-%d", top.BaseURL(), i%50), nil); r.status != http.StatusOK {
				mu.Lock()
				catalogBad++
				mu.Unlock()
			}
		}
	}()
	sem := make(chan struct{}, 5)
	var wg sync.WaitGroup
	for range 24 {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			_, r := placeOrder(top, "item-4")
			mu.Lock()
			durs = append(durs, r.dur)
			statuses[r.status]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(stop)
	cwg.Wait()
	return durs, statuses, catalogBad
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	r := call(http.MethodGet, u, nil)
	if r.err != nil || r.status != http.StatusOK {
		t.Fatalf("GET %s: %v %d %s", u, r.err, r.status, r.body)
	}
	if err := jsonUnmarshal(r.body, v); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

func instanceState(top *Topology, id string) string {
	ins, _ := top.Instances(context.Background())
	for _, in := range ins {
		if in.ID == id {
			return in.State
		}
	}
	return ""
}
