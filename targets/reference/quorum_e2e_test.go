package reference

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"
)

// TestE2EBreakersOffAndBusQuorum runs a topology with breakers off and a
// long replace delay (so killed buses stay dead): first the slow
// dependency again, to show what breakers buy, then the bus quorum.
func TestE2EBreakersOffAndBusQuorum(t *testing.T) {
	top := startTopology(t, func(c *Config) {
		c.Options.Breakers = false
		c.ReplaceDelay = 5 * time.Minute
	})
	o := top.spec.Options

	t.Run("slow inventory with breakers off piles up timeouts", func(t *testing.T) {
		durs, statuses, catalogBad := slowInventory(t, top)
		late := durs[len(durs)/2:]
		t.Logf("breakers off: median of the later half %s, statuses %v, catalog failures %d", median(late), statuses, catalogBad)
		// Every order waits out its call timeouts: at least one CallTimeout,
		// usually 1+RetryAttempts of them. With breakers on the same test
		// measures ~1 ms (TestE2EDefaultTopology).
		if median(late) < o.CallTimeout {
			t.Errorf("breakers off: later orders took %s (median), want >= call timeout %s", median(late), o.CallTimeout)
		}
		if statuses[http.StatusCreated] > 0 {
			t.Errorf("%d orders succeeded through a 2 s link with 500 ms timeouts", statuses[http.StatusCreated])
		}
		if catalogBad > 0 {
			t.Errorf("catalog was affected: %d failed reads", catalogBad)
		}
		ordersInARow(t, top, 5, 20*time.Second, "5 orders in a row succeed after the latency is removed", func(int) string { return "item-2" })
	})

	t.Run("one bus down: orders still succeed", func(t *testing.T) {
		if err := top.Kill(context.Background(), "bus-2"); err != nil {
			t.Fatal(err)
		}
		// Stream and KV leaders on bus-2 are re-elected (NATS elects in
		// 4-9 s); after that every order must succeed.
		took := ordersInARow(t, top, 10, 30*time.Second, "10 orders in a row succeed with bus-2 dead", func(i int) string { return fmt.Sprintf("item-%d", 20+i) })
		t.Logf("10 orders in a row succeeded %s after killing bus-2", took.Round(time.Millisecond))
	})

	t.Run("two buses down: orders fail with 503 in time, catalog serves from cache", func(t *testing.T) {
		if err := top.Kill(context.Background(), "bus-1"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(o.CatalogCacheTTL + time.Second) // let catalog's local cache expire
		bound := o.GatewayTimeout
		for i := range 8 {
			_, r := placeOrder(top, "item-5")
			if r.err != nil {
				t.Fatalf("order %d: %v after %s (hung)", i, r.err, r.dur)
			}
			if r.status != http.StatusServiceUnavailable {
				t.Errorf("order %d with no bus quorum: %d %s, want 503", i, r.status, r.body)
			}
			if r.dur > bound {
				t.Errorf("order %d took %s, want < gateway timeout %s", i, r.dur, bound)
			}
		}
		stale := 0
		for i := range 20 {
			r := call(http.MethodGet, fmt.Sprintf("%s/catalog/items/item-%d", top.BaseURL(), 60+i), nil)
			if r.status != http.StatusOK {
				t.Errorf("catalog item-%d with no bus quorum: %d %s", 60+i, r.status, r.body)
			}
			if r.header.Get("X-Stale") == "true" {
				stale++
			}
		}
		// bus-3 alone still answers KV reads (direct gets need no quorum),
		// so the reads above may be fresh. Cut catalog off bus-3 as well:
		// now only cache fallback can answer.
		t.Logf("catalog: %d of 20 reads answered from the stale cache with bus-3 reachable", stale)
		for _, c := range []string{"catalog-1", "catalog-2"} {
			setLink(t, top, c, "bus-3", false)
		}
		time.Sleep(o.CatalogCacheTTL + time.Second)
		for i := range 6 {
			r := call(http.MethodGet, fmt.Sprintf("%s/catalog/items/item-%d", top.BaseURL(), 80+i), nil)
			if r.status != http.StatusOK || r.header.Get("X-Stale") != "true" {
				t.Errorf("catalog item-%d with no bus at all: %d stale=%q %s, want 200 from the stale cache",
					80+i, r.status, r.header.Get("X-Stale"), r.body)
			}
			if r.dur > bound {
				t.Errorf("stale read took %s, want < %s", r.dur, bound)
			}
		}
	})
}
