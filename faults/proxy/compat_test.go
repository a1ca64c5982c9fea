package proxy

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
)

// Toxiproxy's own Go client drives our server unchanged.
func TestToxiproxyClientCompat(t *testing.T) {
	s := NewServer(WithSeed(1))
	t.Cleanup(func() { _ = s.Close() })
	cl := toxiproxy.NewClient(adminServer(t, s))
	up := echoServer(t)

	px, err := cl.CreateProxy("echo", "127.0.0.1:0", up)
	if err != nil {
		t.Fatalf("CreateProxy: %v", err)
	}
	if px.Listen == "127.0.0.1:0" || !px.Enabled {
		t.Fatalf("created proxy: listen %q enabled %v, want a real port and enabled", px.Listen, px.Enabled)
	}
	if _, err := px.AddToxic("lag", "latency", "downstream", 1, toxiproxy.Attributes{"latency": 100}); err != nil {
		t.Fatalf("AddToxic: %v", err)
	}
	c := dial(t, px.Listen)
	if d := roundTrip(t, c, []byte("hello")); d < 100*time.Millisecond || d > 500*time.Millisecond {
		t.Fatalf("round trip through a 100ms latency toxic took %v", d)
	}
	if _, err := px.UpdateToxic("lag", 1, toxiproxy.Attributes{"latency": 0}); err != nil {
		t.Fatalf("UpdateToxic: %v", err)
	}
	if d := roundTrip(t, c, []byte("hello")); d > 90*time.Millisecond {
		t.Fatalf("after update to 0ms the round trip took %v", d)
	}
	txs, err := px.Toxics()
	if err != nil || len(txs) != 1 || txs[0].Name != "lag" {
		t.Fatalf("Toxics: %v %+v", err, txs)
	}
	if err := px.RemoveToxic("lag"); err != nil {
		t.Fatalf("RemoveToxic: %v", err)
	}
	all, err := cl.Proxies()
	if err != nil || all["echo"] == nil {
		t.Fatalf("Proxies: %v %v", err, all)
	}
	if _, err := cl.Populate([]toxiproxy.Proxy{{Name: "two", Listen: "127.0.0.1:0", Upstream: up, Enabled: true}}); err != nil {
		t.Fatalf("Populate: %v", err)
	}
	if err := px.Disable(); err != nil {
		t.Fatalf("Disable: %v", err)
	}
	if err := cl.ResetState(); err != nil {
		t.Fatalf("ResetState: %v", err)
	}
	if err := px.Delete(); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := cl.Proxy("echo"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("deleted proxy: got %v, want a 404", err)
	}
}

// Bad input is a 400 whose JSON names the field.
func TestBadToxicInput(t *testing.T) {
	s := NewServer()
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Add("p", "127.0.0.1:0", echoServer(t), true); err != nil {
		t.Fatal(err)
	}
	base := adminServer(t, s)
	cases := []struct {
		name, body, field string
		status            int
	}{
		// a type nobody registered
		{"unknown type", `{"type":"latencyy"}`, "type", 400},
		// an attribute the type does not have
		{"unknown attribute", `{"type":"latency","attributes":{"latncy":5}}`, "attributes.latncy", 400},
		// durations cannot be negative
		{"negative latency", `{"type":"latency","attributes":{"latency":-1}}`, "attributes.latency", 400},
		// a fractional ms where an integer is expected
		{"float latency", `{"type":"latency","attributes":{"latency":1.5}}`, "attributes.latency", 400},
		// toxicity is a probability
		{"toxicity above 1", `{"type":"latency","toxicity":1.5}`, "toxicity", 400},
		{"toxicity below 0", `{"type":"latency","toxicity":-0.1}`, "toxicity", 400},
		// streams are upstream or downstream only
		{"bad stream", `{"type":"latency","stream":"sideways"}`, "stream", 400},
		// HTTP toxics read requests, so only upstream
		{"http_abort downstream", `{"type":"http_abort","stream":"downstream"}`, "stream", 400},
		// a lease cannot be negative
		{"negative lease", `{"type":"latency","lease":"-1s"}`, "lease", 400},
		{"negative lease_ms", `{"type":"latency","lease_ms":-5}`, "lease_ms", 400},
		// a top-level typo is refused, not silently ignored
		{"unknown top-level field", `{"type":"latency","toxicty":1}`, "toxicty", 400},
		// missing type
		{"missing type", `{"attributes":{}}`, "type", 400},
		// a second toxic of the same name
		{"duplicate", `{"type":"slow_close"}`, "name", 409},
		// unknown distribution
		{"bad distribution", `{"type":"latency","attributes":{"distribution":"zipf"}}`, "attributes.distribution", 400},
	}
	resp, err := http.Post(base+"/proxies/p/toxics", "application/json", strings.NewReader(`{"type":"slow_close"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("setup: %v %v", err, resp)
	}
	resp.Body.Close()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Post(base+"/proxies/p/toxics", "application/json", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			var e APIError
			if err := json.Unmarshal(b, &e); err != nil {
				t.Fatalf("body %q is not a JSON error: %v", b, err)
			}
			if resp.StatusCode != tc.status || e.Status != tc.status || e.Field != tc.field || !strings.Contains(e.Message, tc.field) {
				t.Fatalf("got %d %s, want %d naming %q", resp.StatusCode, b, tc.status, tc.field)
			}
		})
	}
}

// An upstream outside the allowlist is refused.
func TestUpstreamOutsideAllowlist(t *testing.T) {
	s := NewServer()
	t.Cleanup(func() { _ = s.Close() })
	_, err := s.Add("p", "127.0.0.1:0", "192.0.2.10:80", true)
	if err == nil || !strings.Contains(err.Error(), "allowlist") {
		t.Fatalf("got %v, want an allowlist refusal", err)
	}
	base := adminServer(t, s)
	resp, err := http.Post(base+"/proxies", "application/json", strings.NewReader(`{"name":"x","upstream":"192.0.2.10:80"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("status %d, want 403", resp.StatusCode)
	}
}

// With a token, requests without it are refused.
func TestTokenRequired(t *testing.T) {
	s := NewServer(WithToken("s3cret"))
	t.Cleanup(func() { _ = s.Close() })
	base := adminServer(t, s)
	for _, tc := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer nope", 401}, {"Bearer s3cret", 200}} {
		req, _ := http.NewRequest("GET", base+"/proxies", nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Fatalf("auth %q: status %d, want %d", tc.auth, resp.StatusCode, tc.want)
		}
	}
}

// The API shows the remaining lease and takes lease on create.
func TestAPILeaseRemaining(t *testing.T) {
	s := NewServer()
	t.Cleanup(func() { _ = s.Close() })
	if _, err := s.Add("p", "127.0.0.1:0", echoServer(t), true); err != nil {
		t.Fatal(err)
	}
	base := adminServer(t, s)
	resp, err := http.Post(base+"/proxies/p/toxics", "application/json", strings.NewReader(`{"type":"latency","lease":"10s"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tj toxicJSON
	_ = json.NewDecoder(resp.Body).Decode(&tj)
	resp.Body.Close()
	if tj.LeaseRemainingMS == nil || *tj.LeaseRemainingMS < 9000 || *tj.LeaseRemainingMS > 10000 {
		t.Fatalf("lease_remaining_ms = %v, want about 10000", tj.LeaseRemainingMS)
	}
}
