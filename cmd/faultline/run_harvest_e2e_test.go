package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
	"github.com/faultline/faultline/targets/reference"
)

// TestHarvestCacheE2E: on the real reference topology, browse's
// backend_calls and store_calls from the harvest match what the clients
// saw in the answers (X-Cache: hit means the gateway called no service;
// X-Local-Cache: miss means catalog read the KV bucket). With the gateway
// cache on (2 s, over two items) backend calls per request are far below
// 1; with every cache off, about 1.
func TestHarvestCacheE2E(t *testing.T) {
	if testing.Short() {
		t.Skip("e2e: builds faultline and starts the reference topology twice")
	}
	bin := filepath.Join(t.TempDir(), "faultline")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cases := []struct {
		name             string
		cache            bool
		minCalls, maxCls float64 // backend_calls per request
	}{
		{"gateway cache on", true, 0, 0.2},
		{"every cache off", false, 0.98, 1.05}, // retries only on failures
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := reference.DefaultOptions()
			o.GatewayCache, o.GatewayCacheTTL = c.cache, 2*time.Second
			if !c.cache {
				o.CatalogCacheTTL = time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			topo, err := reference.Start(ctx, reference.Config{Binary: bin, Options: o})
			if err != nil {
				t.Fatal(err)
			}
			defer topo.Stop(context.Background())
			// Two batches, with the instances' counts sampled before,
			// between and after them: each window measures its batch.
			mix := []scenarios.Endpoint{{Name: "browse", Method: "GET", Path: "/catalog/items/item-{{rand 0 1}}"}}
			hv := newHarvester(topo, mix, nil)
			var at []time.Time // before each sample, and after the last
			var batches []browsed
			for i := range 3 {
				at = append(at, time.Now())
				hv.sampleSummaries(ctx)
				if i < 2 {
					batches = append(batches, browseTwoItems(t, topo.BaseURL(), 150))
				}
			}
			at = append(at, time.Now())
			seen := browsed{}
			for _, b := range batches {
				seen = browsed{seen.requests + b.requests, seen.gatewayHits + b.gatewayHits, seen.kvReads + b.kvReads}
			}
			res := &reports.Result{Header: reports.Header{Started: at[0]}, Events: hv.harvest(ctx)}
			for i, b := range batches {
				// Sample i is read after at[i], sample i+1 before at[i+2].
				from, to := at[i].Sub(at[0]), at[i+2].Sub(at[0])
				got, d, err := res.Harvest().MeasureWindow(res, "store_calls", "browse", from, to)
				want := float64(b.kvReads) / float64(b.requests)
				t.Logf("batch %d: store_calls %.3f over [%s, %s) (%s), clients saw %.3f", i+1, got, from, to, d, want)
				if err != nil || got != want {
					t.Errorf("batch %d: store_calls over its window %v (%v), want exactly %v", i+1, got, err, want)
				}
			}
			h := res.Harvest()
			if h == nil {
				t.Fatal("no harvest")
			}
			backend, d1, err1 := h.Measure(res, "backend_calls", "browse")
			store, d2, err2 := h.Measure(res, "store_calls", "browse")
			if err1 != nil || err2 != nil {
				t.Fatalf("backend_calls: %v; store_calls: %v", err1, err2)
			}
			wantBackend := float64(seen.requests-seen.gatewayHits) / float64(seen.requests)
			wantStore := float64(seen.kvReads) / float64(seen.requests)
			t.Logf("backend_calls %.3f (%s), clients saw %.3f; store_calls %.3f (%s), clients saw %.3f", backend, d1, wantBackend, store, d2, wantStore)
			// A request or two of the topology's own start-up checks may
			// count too: 1% of 300.
			if math.Abs(backend-wantBackend) > 0.01 || math.Abs(store-wantStore) > 0.01 {
				t.Errorf("harvest measured backend %.3f, store %.3f; the answers say %.3f, %.3f", backend, store, wantBackend, wantStore)
			}
			if backend < c.minCalls || backend > c.maxCls {
				t.Errorf("backend_calls %.3f, want within [%.2f, %.2f]", backend, c.minCalls, c.maxCls)
			}
		})
	}
}

// browsed is what the clients saw in the answers.
type browsed struct{ requests, gatewayHits, kvReads int }

// browseTwoItems sends n GETs for item-0 and item-1 through the gateway
// from four workers (bounded: n requests, each with a 5 s timeout) and
// counts what the cache headers say.
func browseTwoItems(t *testing.T, base string, n int) browsed {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	var mu sync.Mutex
	var seen browsed
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				resp, err := client.Get(fmt.Sprintf("%s/catalog/items/item-%d", base, i%2))
				if err != nil {
					t.Errorf("browse: %v", err)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mu.Lock()
				seen.requests++
				switch {
				case resp.StatusCode != http.StatusOK:
					t.Errorf("browse: status %d", resp.StatusCode)
				case resp.Header.Get("X-Cache") == "hit":
					seen.gatewayHits++
				case resp.Header.Get("X-Local-Cache") == "miss":
					seen.kvReads++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return seen
}
