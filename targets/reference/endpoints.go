package reference

import (
	"net/http"
	"strings"

	"github.com/faultline/faultline/targets"
)

// Endpoints the gateway serves, as load mixes name them.
var publicEndpoints = []targets.Endpoint{
	{Name: "catalog.get", Method: http.MethodGet, Path: "/catalog/items/{id}", Service: "catalog"},
	{Name: "orders.create", Method: http.MethodPost, Path: "/orders", Service: "orders"},
	{Name: "orders.get", Method: http.MethodGet, Path: "/orders/{id}", Service: "orders"},
	{Name: "query.get", Method: http.MethodGet, Path: "/query/orders/{id}", Service: "query"},
}

// endpointName names a request for traces: a public endpoint's name, an
// internal call's "service.operation", or "other".
func endpointName(r *http.Request) string {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/catalog/items/"):
		return "catalog.get"
	case p == "/orders" && r.Method == http.MethodPost:
		return "orders.create"
	case strings.HasPrefix(p, "/orders/"):
		return "orders.get"
	case strings.HasPrefix(p, "/query/orders/"):
		return "query.get"
	case p == "/reserve":
		return "inventory.reserve"
	case p == "/release":
		return "inventory.release"
	case strings.HasPrefix(p, "/stock/"):
		return "inventory.stock"
	case p == "/healthz":
		return "healthz"
	}
	return "other"
}

// Graph is the reference topology's declared dependency graph, by service.
// Every endpoint passes the gateway and then reaches its own service; the
// gateway gets no service edges, or every endpoint would depend on every
// service behind it.
func Graph() *targets.Graph {
	g := targets.NewGraph()
	for _, e := range publicEndpoints {
		g.AddEndpoint(e.Name, "gateway", e.Service)
	}
	g.AddService("catalog", "bus")
	g.AddService("orders", "inventory", "bus")
	g.AddService("inventory", "bus")
	g.AddService("query", "bus")
	g.AddService("notify", "bus")
	return g
}
