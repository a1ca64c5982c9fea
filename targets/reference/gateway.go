package reference

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// gateway is the edge (the whitepaper's ALB plus API Gateway): it routes
// by path prefix to healthy instances, throttles with a token bucket,
// caches GET answers for a short TTL, and stamps X-Trace-Id.
type gateway struct {
	n       *node
	health  *healthChecker
	pools   map[string]*depClient // by service
	limiter *rate.Limiter         // nil when throttling is off

	cmu   sync.Mutex
	cache map[string]cachedReply

	smu       sync.Mutex
	throttled int
}

type cachedReply struct {
	rep *reply
	at  time.Time
}

// gatewayRoutes maps path prefixes to services.
var gatewayRoutes = []struct{ prefix, service string }{
	{"/catalog/", "catalog"},
	{"/orders", "orders"},
	{"/query/", "query"},
}

func runGateway(ctx context.Context, n *node) (http.Handler, error) {
	g := &gateway{n: n, health: newHealthChecker(n.o), pools: map[string]*depClient{}, cache: map[string]cachedReply{}}
	for _, r := range gatewayRoutes {
		members, err := n.membersOf(r.service)
		if err != nil {
			return nil, err
		}
		c := newDepClient(r.service, members, n.o, n.o.GatewayTimeout, seedOf(n.self.ID+r.service))
		c.eligible, c.failOpen = g.health.registered, n.o.FailOpen
		for _, m := range members {
			g.health.add(m)
		}
		g.pools[r.service] = c
	}
	if n.o.Throttling {
		g.limiter = rate.NewLimiter(rate.Limit(n.o.ThrottleRate), n.o.ThrottleBurst)
	}
	go g.health.run(ctx)
	n.setReady(g.ready)
	n.setStats(g.statsView)
	return g, nil
}

// ready is true once every pool has a registered instance.
func (g *gateway) ready() bool {
	reg, _ := g.health.view()
	for _, r := range gatewayRoutes {
		any := false
		for _, m := range g.pools[r.service].members {
			any = any || reg[m.id]
		}
		if !any {
			return false
		}
	}
	return true
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return
	}
	service := routeOf(r.URL.Path)
	if service == "" {
		writeErr(w, http.StatusNotFound, "no route for %s (routes: /catalog/*, /orders*, /query/*)", r.URL.Path)
		return
	}
	if g.limiter != nil && !g.limiter.Allow() {
		g.smu.Lock()
		g.throttled++
		g.smu.Unlock()
		w.Header().Set("Retry-After", "1")
		writeErr(w, http.StatusTooManyRequests, "throttled: over %.0f req/s", g.n.o.ThrottleRate)
		return
	}
	key := r.URL.RequestURI()
	cacheable := g.n.o.GatewayCache && r.Method == http.MethodGet
	if cacheable {
		if rep, ok := g.cached(key); ok {
			g.write(w, rep, "hit")
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		writeErr(w, http.StatusRequestEntityTooLarge, "request body over 1 MiB")
		return
	}
	hdr := http.Header{}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		hdr.Set("Content-Type", ct)
	}
	rep, err := g.pools[service].do(r.Context(), r.Method, key, body, r.Method == http.MethodGet, hdr)
	if err != nil {
		writeErr(w, statusFor(err), "%s: %v", service, err)
		return
	}
	if cacheable && rep.status == http.StatusOK {
		g.cmu.Lock()
		g.cache[key] = cachedReply{rep: rep, at: time.Now()}
		g.cmu.Unlock()
	}
	g.write(w, rep, "miss")
}

func routeOf(path string) string {
	for _, r := range gatewayRoutes {
		if strings.HasPrefix(path, r.prefix) {
			return r.service
		}
	}
	return ""
}

// cached returns a fresh cached reply; expired entries are dropped on read
// and by the sweep in write, so the cache stays bounded by the key space
// seen within one TTL.
func (g *gateway) cached(key string) (*reply, bool) {
	g.cmu.Lock()
	defer g.cmu.Unlock()
	c, ok := g.cache[key]
	if !ok {
		return nil, false
	}
	if time.Since(c.at) >= g.n.o.GatewayCacheTTL {
		delete(g.cache, key)
		return nil, false
	}
	return c.rep, true
}

func (g *gateway) sweep() {
	g.cmu.Lock()
	defer g.cmu.Unlock()
	if len(g.cache) < 10000 {
		return
	}
	for k, c := range g.cache {
		if time.Since(c.at) >= g.n.o.GatewayCacheTTL {
			delete(g.cache, k)
		}
	}
}

func (g *gateway) write(w http.ResponseWriter, rep *reply, cache string) {
	h := w.Header()
	for _, k := range []string{"Content-Type", "X-Stale", "X-Local-Cache", "Retry-After"} {
		if v := rep.header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	h.Set("X-Served-By", rep.from)
	if g.n.o.GatewayCache {
		h.Set("X-Cache", cache)
	}
	w.WriteHeader(rep.status)
	w.Write(rep.body)
	if cache == "miss" {
		g.sweep()
	}
}

func (g *gateway) statsView() any {
	reg, events := g.health.view()
	g.smu.Lock()
	throttled := g.throttled
	g.smu.Unlock()
	failedOpen := map[string]int64{}
	for s, c := range g.pools {
		failedOpen[s] = c.failedOpen.Load()
	}
	return map[string]any{"registered": reg, "health_events": events, "throttled": throttled, "failed_open": failedOpen}
}
