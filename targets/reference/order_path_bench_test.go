package reference

import (
	"fmt"
	"net/http"
	"sort"
	"testing"
)

// BenchmarkOrderCreatePath places orders one at a time through the gateway
// and reports, from the traces of orders and inventory, where an order's
// time goes: the call to inventory, inventory's bus calls (and how many),
// and the OrderPlaced publish. Medians; one order in flight at a time, so
// the figures are the critical path, not queueing.
//
//	go test -run '^$' -bench OrderCreatePath -benchtime 100x ./targets/reference
func BenchmarkOrderCreatePath(b *testing.B) {
	if testing.Short() {
		b.Skip("starts real processes")
	}
	top, err := Start(b.Context(), Config{Binary: instanceBinary(b), Options: DefaultOptions()})
	if err != nil {
		b.Fatal(err)
	}
	defer top.Stop(b.Context())
	placeOrder(top, "item-0") // warm the links and connections
	var total, inv, invBus, invCalls, publish []float64
	b.ResetTimer()
	for i := range b.N {
		id, r := placeOrder(top, fmt.Sprintf("item-%d", i%10))
		if id == "" {
			b.Fatalf("order %d: %d %s %v", i, r.status, r.body, r.err)
		}
		tid := r.header.Get(TraceHeader)
		o := traceCalls(b, top, r.header.Get("X-Served-By"), tid)
		var invID string
		for _, c := range o {
			switch c.Service {
			case "inventory":
				inv, invID = append(inv, c.MS), c.Instance
			case "bus":
				publish = append(publish, c.MS)
			}
		}
		var ms float64
		calls := traceCalls(b, top, invID, tid)
		for _, c := range calls {
			ms += c.MS
		}
		total = append(total, float64(r.dur.Microseconds())/1000)
		invBus, invCalls = append(invBus, ms), append(invCalls, float64(len(calls)))
	}
	b.StopTimer()
	b.ReportMetric(medianOf(total), "total_ms")
	b.ReportMetric(medianOf(inv), "inventory_ms")
	b.ReportMetric(medianOf(invBus), "inventory_bus_ms")
	b.ReportMetric(medianOf(invCalls), "inventory_bus_calls")
	b.ReportMetric(medianOf(publish), "publish_ms")
	for _, id := range []string{"inventory-1", "inventory-2"} {
		b.Logf("%s stats: %s", id, call(http.MethodGet, admin(top, id)+"/stats", nil).body)
	}
	b.Logf("%s", machineLoad())
}

// traceCalls returns the calls instance id recorded for trace tid.
func traceCalls(b *testing.B, top *Topology, id, tid string) []Call {
	var traces []Trace
	r := call(http.MethodGet, admin(top, id)+"/traces/"+tid, nil)
	if r.status != http.StatusOK || jsonUnmarshal(r.body, &traces) != nil {
		b.Fatalf("trace %s on %s: %d %s", tid, id, r.status, r.body)
	}
	var calls []Call
	for _, t := range traces {
		calls = append(calls, t.Calls...)
	}
	return calls
}

func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
