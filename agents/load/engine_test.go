package load

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets"
)

// Coordinated omission: at 200/s the server stalls once for 500 ms. The
// corrected p99 shows the stall (>= 250 ms); the raw service time's does
// not, because only the requests caught in the stall were slow to serve.
func TestCoordinatedOmission(t *testing.T) {
	if testing.Short() {
		t.Skip("4 s of load")
	}
	srv := newArrivals(t, time.Now(), nil)
	var once sync.Once
	srv.stall = func(n int) time.Duration {
		d := time.Duration(0)
		if n >= 300 { // 1.5 s in
			once.Do(func() { d = 500 * time.Millisecond })
		}
		return d
	}
	// One worker at most: a closed-loop client would have sent nothing
	// during the stall and reported one slow request.
	ws := runEngine(t, Config{RunID: "r", AgentID: "a", BaseURL: srv.srv.URL, Share: 1, MaxWorkers: 1,
		Load: constLoad(200, 4*time.Second)})
	tot := sum(ws, "")
	p99, raw := tot.latency.Quantile(99), tot.service.Quantile(99)
	t.Logf("requests %d, corrected p99 %s, raw p99 %s, max behind %s", tot.requests, p99, raw, tot.maxBehind)
	if p99 < 250*time.Millisecond {
		t.Errorf("corrected p99 %s, want >= 250ms", p99)
	}
	if raw >= 250*time.Millisecond {
		t.Errorf("raw p99 %s, want < 250ms", raw)
	}
	if tot.maxBehind < 250*time.Millisecond {
		t.Errorf("behind %s: the stall held the one worker ~500 ms", tot.maxBehind)
	}
	if tot.intended != 800 || tot.requests < 780 {
		t.Errorf("intended %d requests %d, want 800 and about as many", tot.intended, tot.requests)
	}
}

// An unreachable target: refused connections are counted, windows go on,
// nothing crashes.
func TestUnreachableTarget(t *testing.T) {
	addr := func() string {
		srv := newArrivals(t, time.Now(), nil)
		srv.srv.Close()
		return srv.srv.URL
	}()
	ws := runEngine(t, Config{RunID: "r", AgentID: "a", BaseURL: addr, Share: 1,
		Load: constLoad(100, 2*time.Second)})
	tot := sum(ws, "")
	if tot.errors[ErrClassRefused] < 190 || tot.requests != tot.errors[ErrClassRefused] || tot.good != 0 {
		t.Errorf("requests %d good %d errors %v, want ~200 all connection_refused", tot.requests, tot.good, tot.errors)
	}
	if len(ws) != 2 {
		t.Errorf("%d windows, want 2", len(ws))
	}
	for _, w := range ws {
		if w.Status[0] != w.Requests {
			t.Errorf("window %d: status %v, want every request as 0 (no response)", w.Seq, w.Status)
		}
	}
}

// Destinations outside the allowlist are refused before any request.
func TestAllowlistRefusal(t *testing.T) {
	allow, _ := targets.NewAllowlist("http://svc.staging.internal:8080")
	cases := []struct {
		name, base string
		allow      *targets.Allowlist
		refused    bool
	}{
		{"loopback is always allowed", "http://127.0.0.1:1", nil, false},
		{"::1 too", "http://[::1]:1", nil, false},
		{"a listed host", "http://svc.staging.internal:8080", allow, false},
		{"another host with no allowlist", "http://10.1.2.3", nil, true},
		{"another host than the listed one", "https://prod.example.com", allow, true},
	}
	for _, c := range cases {
		_, err := New(Config{BaseURL: c.base, Allow: c.allow, Share: 1, Load: constLoad(1, time.Second)})
		if got := errors.Is(err, targets.ErrNotAllowed); got != c.refused {
			t.Errorf("%s: err %v, refused=%v want %v", c.name, err, got, c.refused)
		}
		if c.refused && !strings.Contains(err.Error(), "allowed: loopback") {
			t.Errorf("%s: error does not say what is allowed: %v", c.name, err)
		}
	}
}

// Bad configurations fail in New with a message naming what to fix.
func TestNewErrors(t *testing.T) {
	ok := constLoad(10, time.Second)
	mixOf := func(eps ...scenarios.Endpoint) scenarios.Load { l := ok; l.Mix = eps; return l }
	get := scenarios.Endpoint{Name: "get", Weight: 1, Path: "/x"}
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"not a URL", Config{BaseURL: "127.0.0.1:80", Load: ok}, "need http://"},
		{"share above 1", Config{BaseURL: "http://127.0.0.1", Share: 2, Load: ok}, "share 2"},
		{"no duration", Config{BaseURL: "http://127.0.0.1", Load: constLoad(1, 0)}, "duration"},
		{"rate 0 without a worker cap", Config{BaseURL: "http://127.0.0.1", Load: constLoad(0, time.Second)}, "MaxWorkers"},
		{"empty mix", Config{BaseURL: "http://127.0.0.1", Load: mixOf()}, "empty"},
		{"relative path", Config{BaseURL: "http://127.0.0.1", Load: mixOf(scenarios.Endpoint{Name: "a", Weight: 1, Path: "x"})}, "must start with /"},
		{"duplicate names", Config{BaseURL: "http://127.0.0.1", Load: mixOf(get, get)}, "used twice"},
		{"zero weights", Config{BaseURL: "http://127.0.0.1", Load: mixOf(scenarios.Endpoint{Name: "a", Path: "/"})}, "weights add up to 0"},
		{"bad template", Config{BaseURL: "http://127.0.0.1", Load: mixOf(scenarios.Endpoint{Name: "a", Weight: 1, Path: "/{{nope}}"})}, "unknown function"},
		{"capture from an unknown endpoint", Config{BaseURL: "http://127.0.0.1", Load: mixOf(
			scenarios.Endpoint{Name: "a", Weight: 1, Path: `/o/{{capture "order" "id"}}`})}, `endpoint "order", which is not in the mix`},
		{"capture of an undeclared name", Config{BaseURL: "http://127.0.0.1", Load: mixOf(get,
			scenarios.Endpoint{Name: "a", Weight: 1, Path: `/o/{{capture "get" "id"}}`})}, "captures nothing"},
		{"bad method", Config{BaseURL: "http://127.0.0.1", Load: mixOf(scenarios.Endpoint{Name: "a", Weight: 1, Path: "/", Method: "GE T"})}, "method"},
		{"header with a newline", Config{BaseURL: "http://127.0.0.1", Load: mixOf(scenarios.Endpoint{Name: "a", Weight: 1, Path: "/",
			Headers: map[string]string{"X": "a\nb"}})}, "header X"},
	}
	for _, c := range cases {
		_, err := New(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

// A mix with captures: "order" creates records and returns their id;
// "status" reads them back by a captured id. Weighted endpoints get their
// share of hits, and every status read uses an id the server issued (or
// the fallback before the first one).
func TestMixCaptureAndWeights(t *testing.T) {
	var issued sync.Map
	var nextID atomic.Int64
	var unknown, fallback atomic.Int64
	srv := newArrivals(t, time.Now(), func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == "POST" && r.URL.Path == "/orders":
			id := fmt.Sprintf("o-%d", nextID.Add(1))
			issued.Store(id, true)
			w.WriteHeader(201)
			_ = json.NewEncoder(w).Encode(map[string]any{"order": map[string]any{"id": id}})
		case strings.HasPrefix(r.URL.Path, "/orders/"):
			id := strings.TrimPrefix(r.URL.Path, "/orders/")
			if _, ok := issued.Load(id); ok {
				return
			}
			if id == "none" {
				fallback.Add(1)
			} else {
				unknown.Add(1)
			}
			w.WriteHeader(404)
		case r.URL.Path == "/health":
		default:
			w.WriteHeader(400)
		}
	})
	load := constLoad(400, 2*time.Second,
		scenarios.Endpoint{Name: "order", Weight: 2, Method: "POST", Path: "/orders", Body: `{"n":{{seq}}}`,
			Capture: map[string]string{"id": "order.id"}, Headers: map[string]string{"X-Req": "{{uuid}}"}},
		scenarios.Endpoint{Name: "status", Weight: 5, Path: `/orders/{{capture "order" "id"}}`},
		scenarios.Endpoint{Name: "health", Weight: 3, Path: "/health#top"}) // a fragment of its own: never sent, must not confuse the hit mark
	ws := runEngine(t, Config{RunID: "r", AgentID: "a", BaseURL: srv.srv.URL, Share: 1, Seed: 1, Load: load})
	all := sum(ws, "")
	if all.intended != 800 {
		t.Errorf("intended %d, want 800", all.intended)
	}
	for _, c := range []struct {
		ep   string
		frac float64
	}{{"order", 0.2}, {"status", 0.5}, {"health", 0.3}} {
		tot := sum(ws, c.ep)
		if got := float64(tot.intended) / 800; got < c.frac-0.06 || got > c.frac+0.06 {
			t.Errorf("%s: %.2f of intended hits, want %.2f ± 0.06", c.ep, got, c.frac)
		}
		if tot.requests != tot.intended {
			t.Errorf("%s: %d requests, %d intended", c.ep, tot.requests, tot.intended)
		}
	}
	if unknown.Load() != 0 {
		t.Errorf("%d reads used an id the server never issued", unknown.Load())
	}
	st := sum(ws, "status")
	if st.good+fallback.Load() != st.requests {
		t.Errorf("status: %d good + %d fallbacks != %d requests", st.good, fallback.Load(), st.requests)
	}
	if fallback.Load() > 20 {
		t.Errorf("%d fallback reads: captures were not used", fallback.Load())
	}
}

// SetShare halves the rate within one window, and Stop ends the run at
// once with a final partial window.
func TestSetShareAndStop(t *testing.T) {
	srv := newArrivals(t, time.Now(), nil)
	e, err := New(Config{RunID: "r", AgentID: "a", BaseURL: srv.srv.URL, Share: 1, Load: constLoad(400, time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan reports.Window, 100)
	done := make(chan error)
	go func() { done <- e.Run(context.Background(), out) }()
	var ws []reports.Window
	next := func() reports.Window {
		select {
		case w := <-out:
			ws = append(ws, w)
			return w
		case <-time.After(30 * time.Second):
			t.Fatal("no window")
		}
		return reports.Window{}
	}
	next()
	next()
	e.SetShare(0.5)
	next() // the window with the change
	w := next()
	if w.Intended != 200 {
		t.Errorf("window after SetShare(0.5): intended %d, want 200", w.Intended)
	}
	if s := e.Stats(); s.Share != 0.5 || s.IntendedRate != 200 {
		t.Errorf("stats %+v", s)
	}
	stopAt := time.Now()
	e.Stop()
	e.Stop() // idempotent
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after Stop: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after Stop")
	}
	if d := time.Since(stopAt); d > 5*time.Second {
		t.Errorf("Stop took %s", d)
	}
	last := next()
	if last.Seq != w.Seq+1 || last.Length >= time.Second || last.Length <= 0 {
		t.Errorf("final window seq %d length %s, want %d and partial", last.Seq, last.Length, w.Seq+1)
	}
	if err := e.Run(context.Background(), out); !errors.Is(err, ErrRunning) {
		t.Errorf("second Run: %v", err)
	}
}

// HTTP/2 endpoints speak h2c to a plain-http server; the others HTTP/1.1.
func TestHTTP2(t *testing.T) {
	var h1, h2 atomic.Int64
	srv := newArrivalsWith(t, time.Now(), func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor == 2 {
			h2.Add(1)
		} else {
			h1.Add(1)
		}
	}, func(s *http.Server) {
		s.Protocols = new(http.Protocols)
		s.Protocols.SetHTTP1(true)
		s.Protocols.SetUnencryptedHTTP2(true)
	})
	load := constLoad(100, time.Second,
		scenarios.Endpoint{Name: "one", Weight: 1, Path: "/1"},
		scenarios.Endpoint{Name: "two", Weight: 1, Path: "/2", HTTP2: true})
	ws := runEngine(t, Config{BaseURL: srv.srv.URL, Share: 1, Load: load})
	one, two := sum(ws, "one"), sum(ws, "two")
	if one.good != h1.Load() || two.good != h2.Load() || one.good == 0 || two.good == 0 {
		t.Errorf("h1 %d/%d good, h2 %d/%d good", h1.Load(), one.good, h2.Load(), two.good)
	}
}

// A per-endpoint timeout applies to that endpoint only.
func TestEndpointTimeout(t *testing.T) {
	srv := newArrivals(t, time.Now(), func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(time.Second)
		}
	})
	load := constLoad(20, time.Second,
		scenarios.Endpoint{Name: "slow", Weight: 1, Path: "/slow", Timeout: 100 * time.Millisecond},
		scenarios.Endpoint{Name: "fast", Weight: 1, Path: "/fast", Timeout: 5 * time.Second})
	ws := runEngine(t, Config{BaseURL: srv.srv.URL, Share: 1, Load: load})
	slow, fast := sum(ws, "slow"), sum(ws, "fast")
	if slow.errors[ErrClassTimeout] != slow.requests || slow.requests == 0 {
		t.Errorf("slow: %d requests, errors %v", slow.requests, slow.errors)
	}
	if fast.good != fast.requests || fast.requests == 0 {
		t.Errorf("fast: %d of %d good", fast.good, fast.requests)
	}
	if p := slow.service.Quantile(100); p < 90*time.Millisecond || p > 600*time.Millisecond {
		t.Errorf("slow service max %s, want about the 100 ms timeout", p)
	}
}

// At the worker cap against a target that hangs, the engine falls behind
// and says so: Behind grows window by window, intended hits keep being
// counted though they cannot be sent, and in-flight requests stay capped.
func TestWorkerCapIsNotSilent(t *testing.T) {
	release := make(chan struct{})
	srv := newArrivals(t, time.Now(), func(http.ResponseWriter, *http.Request) { <-release })
	defer close(release)
	e, err := New(Config{BaseURL: srv.srv.URL, Share: 1, MaxWorkers: 5, Drain: 100 * time.Millisecond,
		Load: constLoad(100, 3*time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan reports.Window, 16)
	if err := e.Run(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	close(out)
	var ws []reports.Window
	for w := range out {
		ws = append(ws, w)
	}
	if len(ws) != 3 {
		t.Fatalf("%d windows", len(ws))
	}
	if ws[1].Behind < 900*time.Millisecond || ws[2].Behind <= ws[1].Behind {
		t.Errorf("behind per window %s %s %s: want growing, over a second by the end", ws[0].Behind, ws[1].Behind, ws[2].Behind)
	}
	tot := sum(ws, "")
	if tot.intended != 300 {
		t.Errorf("intended %d, want 300", tot.intended)
	}
	if s := e.Stats(); s.Sent > 5 {
		t.Errorf("%d requests sent to a hung target with 5 workers", s.Sent)
	}
	if tot.errors[ErrClassCancelled] != 5 {
		t.Errorf("errors %v: the 5 hung requests should end cancelled", tot.errors)
	}
}

// The TLS option lets an https target with its own CA be reached.
func TestTLSConfig(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	ws := runEngine(t, Config{BaseURL: srv.URL, Share: 1, TLS: &tls.Config{RootCAs: pool},
		Load: constLoad(50, time.Second)})
	if tot := sum(ws, ""); tot.good != 50 {
		t.Errorf("good %d of 50, errors %v", tot.good, tot.errors)
	}
}
