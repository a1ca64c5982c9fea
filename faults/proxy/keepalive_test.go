package proxy

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// pathUpstream answers 200 "ok <path>", so that a response can be matched
// to its request (a reply landing on the wrong request shows).
func pathUpstream(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, "ok "+r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// TestHTTPAbortKeepAlive: Go's HTTP client, keep-alive, 4 workers sending
// sequential requests (a third of them POSTs with a body) through an
// http_abort toxic at 10%. The measured abort share must be 10% ± 1 point
// (10,000 requests: one point is 3.3 standard deviations), every response
// must be either the upstream's answer to that very request or the
// injected 503, and the connections must be reused.
func TestHTTPAbortKeepAlive(t *testing.T) {
	const workers, perWorker = 4, 2500
	// A fresh seed each run: with a fixed one, every run replays the same
	// few per-link streams (seed 1's first four give 9.3%), and the test
	// would measure that sample, not the toxic. Logged for replay.
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	s := NewServer(WithSeed(seed))
	t.Cleanup(func() { _ = s.Close() })
	p, err := s.Add("p", "127.0.0.1:0", pathUpstream(t), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.AddToxic(ToxicSpec{Type: "http_abort", Attributes: map[string]any{"percent": 10, "status": 503}}); err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	base := "http://" + p.Addr()

	var mu sync.Mutex
	aborted, bad := 0, []string{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				path := fmt.Sprintf("/w%d/r%d", w, i)
				ab, err := keepAliveRequest(client, base+path, path, i%3 == 0)
				mu.Lock()
				if err != nil {
					bad = append(bad, err.Error())
				} else if ab {
					aborted++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// The replies share the client's write lock with the downstream pump
	// only if that pump is off splice (Replier).
	if f, n := pumpsFast(p); f > 0 {
		t.Fatalf("%d of %d pumps on splice with http_abort installed", f, n)
	}
	if len(bad) > 0 {
		t.Fatalf("%d bad responses, first: %s", len(bad), bad[0])
	}
	total := workers * perWorker
	pct := 100 * float64(aborted) / float64(total)
	if pct < 9 || pct > 11 {
		t.Fatalf("seed %d: aborted %d of %d = %.2f%%, want 10%% ± 1 point", seed, aborted, total, pct)
	}
	// Go's transport may dial a spare connection while a finished one
	// goes back to its idle pool, so a few more than workers is normal;
	// one per abort (~1,000) would mean the aborts break keep-alive.
	links := counterValue(s.metrics.links.WithLabelValues("p"))
	if links > 100 {
		t.Fatalf("%v connections for %d requests by %d sequential workers: aborts break keep-alive", links, total, workers)
	}
	t.Logf("aborted %.2f%% of %d requests over %v connections", pct, total, links)
}

// keepAliveRequest sends one request and checks its response: either the
// upstream's "ok <path>" or the injected 503.
func keepAliveRequest(c *http.Client, url, path string, post bool) (aborted bool, err error) {
	var resp *http.Response
	if post {
		resp, err = c.Post(url, "text/plain", strings.NewReader(strings.Repeat("b", 100)))
	} else {
		resp, err = c.Get(url)
	}
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return false, fmt.Errorf("%s: body: %w", path, err)
	}
	switch {
	case resp.StatusCode == 200 && string(body) == "ok "+path && resp.Header.Get("X-Faultline-Fault") == "":
		return false, nil
	case resp.StatusCode == 503 && string(body) == "faultline: injected 503\n" && resp.Header.Get("X-Faultline-Fault") == "http_abort":
		return true, nil
	}
	return false, fmt.Errorf("%s: unexpected %d %q", path, resp.StatusCode, body)
}
