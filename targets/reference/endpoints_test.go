package reference

import (
	"net/http/httptest"
	"testing"
)

func TestReferenceGraph(t *testing.T) {
	g := Graph()
	cases := []struct {
		endpoint, component string
		want                bool
	}{
		{"orders.create", "inventory", true}, // orders reserves stock
		{"orders.create", "bus", true},       // and appends to ORDERS
		{"orders.create", "gateway", true},   // every endpoint passes the edge
		{"catalog.get", "inventory", false},  // catalog never calls inventory
		{"catalog.get", "orders", false},     // the gateway does not make endpoints share services
		{"query.get", "bus", true},           // the read model comes from the stream
		{"query.get", "notify", false},       // notify is a consumer, not on any request path
	}
	for _, c := range cases {
		if got := g.DependsOn(c.endpoint, c.component); got != c.want {
			t.Errorf("DependsOn(%s, %s) = %v, want %v", c.endpoint, c.component, got, c.want)
		}
	}
	for _, e := range publicEndpoints {
		r := httptest.NewRequest(e.Method, "http://x"+examplePath(e.Path), nil)
		if got := endpointName(r); got != e.Name {
			t.Errorf("endpointName(%s %s) = %s, want %s", e.Method, e.Path, got, e.Name)
		}
		if routeOf(examplePath(e.Path)) != e.Service {
			t.Errorf("gateway routes %s to %q, want %s", e.Path, routeOf(examplePath(e.Path)), e.Service)
		}
	}
}

func examplePath(p string) string {
	out := []byte{}
	skip := false
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '{':
			skip = true
			out = append(out, 'x')
		case p[i] == '}':
			skip = false
		case !skip:
			out = append(out, p[i])
		}
	}
	return string(out)
}
