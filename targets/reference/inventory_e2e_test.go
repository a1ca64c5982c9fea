package reference

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestE2EInventoryOnR3 checks reserve's guarantees on the real R3 bus,
// whose duplicate and compare-and-set checks run before the raft proposal
// (a path a one-server bus does not take): a retried reserve takes stock
// once on either instance, and concurrent reserves on both instances sell
// exactly the stock.
func TestE2EInventoryOnR3(t *testing.T) {
	const stock = 40
	top := startTopology(t, func(c *Config) { c.Options.Stock = stock })
	reserve := func(inst, order, item string) result {
		return call(http.MethodPost, service(top, inst)+"/reserve", Reservation{Order: order, Item: item, Qty: 1})
	}
	stockOf := func(item string) int64 {
		var v struct{ Stock int64 }
		r := call(http.MethodGet, service(top, "inventory-1")+"/stock/"+item, nil)
		if r.status != http.StatusOK || jsonUnmarshal(r.body, &v) != nil {
			t.Fatalf("GET /stock/%s: %d %s %v", item, r.status, r.body, r.err)
		}
		return v.Stock
	}

	t.Run("a retried reserve takes stock once", func(t *testing.T) {
		for i, inst := range []string{"inventory-1", "inventory-2", "inventory-1"} {
			r := reserve(inst, "retried-order", "item-3")
			var v struct{ Duplicate bool }
			jsonUnmarshal(r.body, &v)
			if r.status != http.StatusOK || v.Duplicate != (i > 0) {
				t.Errorf("attempt %d on %s: %d %s, want 200 with duplicate %v", i, inst, r.status, r.body, i > 0)
			}
		}
		if got := stockOf("item-3"); got != stock-1 {
			t.Errorf("stock of item-3 = %d, want %d", got, stock-1)
		}
	})

	t.Run("concurrent reserves on both instances sell exactly the stock", func(t *testing.T) {
		const orders = 100
		var mu sync.Mutex
		statuses := map[int]int{}
		var wg sync.WaitGroup
		for i := range orders {
			wg.Go(func() {
				r := reserve(fmt.Sprintf("inventory-%d", 1+i%2), fmt.Sprintf("rush-%d", i), "item-7")
				mu.Lock()
				statuses[r.status]++
				mu.Unlock()
			})
		}
		wg.Wait()
		left := stockOf("item-7")
		t.Logf("statuses %v, stock left %d", statuses, left)
		// Every 200 took one unit; a 503 (a bus call over its timeout on a
		// busy machine) may or may not have taken one.
		ok, unavailable := statuses[http.StatusOK], statuses[http.StatusServiceUnavailable]
		if taken := stock - int(left); ok > taken || taken > ok+unavailable {
			t.Errorf("%d reserves succeeded, %d answered 503, and %d units were taken", ok, unavailable, taken)
		}
		if unavailable == 0 && (ok != stock || statuses[http.StatusConflict] != orders-stock) {
			t.Errorf("statuses %v, want %d 200 and %d 409", statuses, stock, orders-stock)
		}
	})
}
