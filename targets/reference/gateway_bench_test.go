package reference

import (
	"net/http"
	"testing"
)

// BenchmarkGatewayProxiedGet measures the gateway's own cost per request
// that goes upstream: routing, trace, throttle, breaker, bulkhead, and the
// HTTP round trip through its link to a service (a local HTTP server).
func BenchmarkGatewayProxiedGet(b *testing.B) {
	h, _ := testGateway(b, func(o *Options) { o.GatewayCache = false; o.Throttling = false })
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if w := get(h, "GET", "/catalog/items/item-1"); w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

// BenchmarkGatewayCachedGet measures a GET answered from the gateway cache.
func BenchmarkGatewayCachedGet(b *testing.B) {
	h, _ := testGateway(b, func(o *Options) { o.Throttling = false })
	get(h, "GET", "/catalog/items/item-1")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if w := get(h, "GET", "/catalog/items/item-1"); w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}
