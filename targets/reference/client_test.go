package reference

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// backend is a real HTTP server whose behaviour a test switches.
type backend struct {
	srv   *httptest.Server
	hits  atomic.Int64
	mu    sync.Mutex
	code  int
	delay time.Duration
}

func newTestBackend(t *testing.T, code int) *backend {
	b := &backend{code: code}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		b.mu.Lock()
		code, delay := b.code, b.delay
		b.mu.Unlock()
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *backend) member(id string) member { return member{id: id, base: b.srv.URL} }

func opts(mut func(*Options)) Options {
	o := DefaultOptions()
	o.RetryBackoff = time.Millisecond
	mut(&o)
	return o
}

func TestDepClientRetries(t *testing.T) {
	cases := []struct {
		name       string
		retries    bool
		idempotent bool
		wantStatus int
		wantBadHit int64 // hits on the failing instance
	}{
		{"retry moves an idempotent call to the healthy instance", true, true, 200, 1},
		{"a non-idempotent call is not retried after it was sent", true, false, 0, 1},
		{"retries off: one attempt only", false, true, 0, 1},
	}
	for _, c := range cases {
		bad, good := newTestBackend(t, 503), newTestBackend(t, 200)
		cl := newDepClient("svc", []member{bad.member("bad"), good.member("good")},
			opts(func(o *Options) { o.Retries = c.retries; o.Breakers = false }), time.Second, 1)
		cl.rr.Store(^uint64(0)) // the next pick starts at members[0], the bad one
		rep, err := cl.do(context.Background(), "GET", "/", nil, c.idempotent, nil)
		got := 0
		if err == nil && rep.status == 200 {
			got = 200
		}
		if got != c.wantStatus {
			t.Errorf("%s: status %v err %v, want %d", c.name, rep, err, c.wantStatus)
		}
		if bad.hits.Load() != c.wantBadHit {
			t.Errorf("%s: bad instance hit %d times, want %d", c.name, bad.hits.Load(), c.wantBadHit)
		}
	}
}

func TestDepClientBreakerOpensAndFailsFast(t *testing.T) {
	bad := newTestBackend(t, 500)
	cl := newDepClient("svc", []member{bad.member("bad")},
		opts(func(o *Options) { o.Retries = false; o.BreakerFailures = 3; o.BreakerOpen = time.Hour }), time.Second, 1)
	for range 3 {
		cl.do(context.Background(), "GET", "/", nil, true, nil)
	}
	for range 10 {
		if _, err := cl.do(context.Background(), "GET", "/", nil, true, nil); !errors.Is(err, errBreakerOpen) {
			t.Fatalf("after 3 failures: err = %v, want breaker open", err)
		}
	}
	if n := bad.hits.Load(); n != 3 {
		t.Fatalf("instance hit %d times, want 3 (the breaker must stop the rest)", n)
	}
	// Breakers off: every call reaches the failing instance.
	off := newDepClient("svc", []member{bad.member("bad")}, opts(func(o *Options) { o.Retries = false; o.Breakers = false }), time.Second, 1)
	for range 10 {
		off.do(context.Background(), "GET", "/", nil, true, nil)
	}
	if n := bad.hits.Load(); n != 13 {
		t.Fatalf("breakers off: %d hits, want 13", n)
	}
}

func TestDepClientTimeoutAndBulkhead(t *testing.T) {
	slow := newTestBackend(t, 200)
	slow.delay = 2 * time.Second
	cl := newDepClient("svc", []member{slow.member("slow")},
		opts(func(o *Options) { o.Retries = false; o.Breakers = false; o.BulkheadLimit = 2 }), 100*time.Millisecond, 1)
	start := time.Now()
	_, err := cl.do(context.Background(), "GET", "/", nil, true, nil)
	if !errors.Is(err, errTimeout) || statusFor(err) != http.StatusGatewayTimeout {
		t.Fatalf("err = %v, want timeout", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("a 100 ms timeout returned after %s", d)
	}
	// Bulkhead: with 2 calls in flight the third fails at once, unsent.
	noTimeout := newDepClient("svc", []member{slow.member("slow")},
		opts(func(o *Options) { o.Timeouts = false; o.Retries = false; o.Breakers = false; o.BulkheadLimit = 2 }), time.Second, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for range 2 {
		go noTimeout.do(ctx, "GET", "/", nil, true, nil)
	}
	time.Sleep(300 * time.Millisecond) // generous: both calls are now in flight
	before := slow.hits.Load()
	if _, err := noTimeout.do(ctx, "GET", "/", nil, true, nil); !errors.Is(err, errBulkhead) {
		t.Fatalf("third call: err = %v, want bulkhead full", err)
	}
	if slow.hits.Load() != before {
		t.Fatal("the refused call reached the instance")
	}
}
