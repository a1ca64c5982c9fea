package reference

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeService is a real HTTP server standing in for one service instance.
type fakeService struct {
	srv     *httptest.Server
	hits    atomic.Int64
	healthy atomic.Bool
	mu      sync.Mutex
	traces  []string
}

func newFakeService(t testing.TB) *fakeService {
	f := &fakeService{}
	f.healthy.Store(true)
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			if !f.healthy.Load() {
				w.WriteHeader(http.StatusInternalServerError)
			}
			return
		}
		f.hits.Add(1)
		f.mu.Lock()
		f.traces = append(f.traces, r.Header.Get(TraceHeader))
		f.mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/missing") {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// testGateway runs the real gateway handler, with its links through a real
// faults/proxy server, in front of one fake instance per service.
func testGateway(t testing.TB, mut func(*Options)) (http.Handler, map[string]*fakeService) {
	o := DefaultOptions()
	o.HealthInterval, o.UnhealthyThreshold, o.HealthyThreshold = 20*time.Millisecond, 2, 2
	if mut != nil {
		mut(&o)
	}
	spec := &Spec{Options: o}
	fakes := map[string]*fakeService{}
	for _, role := range []string{"catalog", "orders", "query"} {
		f := newFakeService(t)
		fakes[role] = f
		spec.Instances = append(spec.Instances, InstanceSpec{Role: role, ID: role + "-1", Addr: f.srv.Listener.Addr().String()})
	}
	n := &node{spec: spec, self: InstanceSpec{Role: "gateway", ID: "gateway-1"}, o: o, tr: newTracer(),
		log: log.New(io.Discard, "", 0), links: newLinkSet("gateway-1", "127.0.0.1:0", newBackend())}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h, err := runGateway(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !n.isReady() {
		if time.Now().After(deadline) {
			t.Fatal("gateway never registered its instances")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return n.tr.wrap(endpointName, true, h), fakes
}

func get(h http.Handler, method, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(`{}`)))
	return w
}

func TestGatewayThrottling(t *testing.T) {
	cases := []struct {
		name      string
		on        bool
		wantOK    func(int) bool
		want429At bool
	}{
		// 100 requests at once against a bucket of 10 tokens refilled at
		// 50/s: about 10 pass (plus refill while the loop runs).
		{"on: the bucket admits its burst, then 429", true, func(n int) bool { return n >= 10 && n <= 40 }, true},
		// Off means really off: every request reaches the service.
		{"off: nothing is throttled", false, func(n int) bool { return n == 100 }, false},
	}
	for _, c := range cases {
		h, _ := testGateway(t, func(o *Options) {
			o.Throttling, o.ThrottleRate, o.ThrottleBurst, o.GatewayCache = c.on, 50, 10, false
		})
		ok, throttled := 0, 0
		for range 100 {
			switch w := get(h, "GET", "/catalog/items/item-1"); w.Code {
			case http.StatusOK:
				ok++
			case http.StatusTooManyRequests:
				throttled++
				if w.Header().Get("Retry-After") == "" {
					t.Errorf("%s: 429 without Retry-After", c.name)
				}
			default:
				t.Errorf("%s: status %d %s", c.name, w.Code, w.Body)
			}
		}
		if !c.wantOK(ok) || (throttled > 0) != c.want429At {
			t.Errorf("%s: %d ok, %d throttled", c.name, ok, throttled)
		}
	}
}

func TestGatewayCacheAndTrace(t *testing.T) {
	h, fakes := testGateway(t, func(o *Options) { o.GatewayCacheTTL = 200 * time.Millisecond })
	cat := fakes["catalog"]
	w1 := get(h, "GET", "/catalog/items/item-1")
	w2 := get(h, "GET", "/catalog/items/item-1")
	if w1.Header().Get("X-Cache") != "miss" || w2.Header().Get("X-Cache") != "hit" || cat.hits.Load() != 1 {
		t.Fatalf("cache: first %q second %q, service hits %d; want miss, hit, 1", w1.Header().Get("X-Cache"), w2.Header().Get("X-Cache"), cat.hits.Load())
	}
	time.Sleep(250 * time.Millisecond) // past the TTL
	if get(h, "GET", "/catalog/items/item-1").Header().Get("X-Cache") != "miss" || cat.hits.Load() != 2 {
		t.Fatal("an expired entry was served")
	}
	get(h, "GET", "/catalog/items/missing")
	get(h, "GET", "/catalog/items/missing")
	if cat.hits.Load() != 4 {
		t.Fatalf("a 404 was cached (service hits %d, want 4)", cat.hits.Load())
	}
	get(h, "POST", "/orders")
	get(h, "POST", "/orders")
	if fakes["orders"].hits.Load() != 2 {
		t.Fatal("a POST was cached")
	}
	// Every request got a trace id, and the service saw the same one.
	if id := w1.Header().Get(TraceHeader); id == "" || cat.traces[0] != id {
		t.Fatalf("trace id %q at the edge, %q at the service", id, cat.traces[0])
	}
	if w := get(h, "GET", "/nowhere"); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "/catalog/*") {
		t.Fatalf("unrouted path: %d %s", w.Code, w.Body)
	}
}

func TestGatewayFailsOpen(t *testing.T) {
	h, fakes := testGateway(t, func(o *Options) { o.GatewayCache = false })
	q := fakes["query"]
	q.healthy.Store(false)
	time.Sleep(200 * time.Millisecond) // 10 intervals: surely de-registered
	// Its only instance is unhealthy: the gateway routes to it anyway.
	if w := get(h, "GET", "/query/orders/x"); w.Code != http.StatusOK {
		t.Fatalf("fail-open: %d %s", w.Code, w.Body)
	}
}

func TestGatewayDeregistersUnhealthyInstance(t *testing.T) {
	h, fakes := testGateway(t, func(o *Options) { o.GatewayCache = false; o.FailOpen = false })
	q := fakes["query"]
	q.healthy.Store(false)
	deadline := time.Now().Add(5 * time.Second)
	for get(h, "GET", "/query/orders/x").Code != http.StatusServiceUnavailable {
		if time.Now().After(deadline) {
			t.Fatal("an unhealthy instance kept receiving traffic")
		}
		time.Sleep(10 * time.Millisecond)
	}
	before := q.hits.Load()
	if w := get(h, "GET", "/query/orders/x"); !strings.Contains(w.Body.String(), "no registered instance") {
		t.Fatalf("body %s", w.Body)
	}
	if q.hits.Load() != before {
		t.Fatal("a de-registered instance got a request")
	}
	q.healthy.Store(true)
	deadline = time.Now().Add(5 * time.Second)
	for get(h, "GET", "/query/orders/x").Code != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("a healthy instance was never re-registered")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
