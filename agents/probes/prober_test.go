package probes

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
)

// orderProbe writes to /orders and reads /records/{id} with the id the
// write acknowledged.
func orderProbe(rate float64, grace time.Duration) scenarios.Probe {
	return scenarios.Probe{
		Name:    "orders",
		Write:   scenarios.Request{Method: "POST", Path: "/orders", Body: `{"probe":"{{probe_id}}","n":{{seq}}}`},
		Read:    scenarios.Request{Method: "GET", Path: `/records/{{capture "write" "order.id"}}`},
		Rate:    scenarios.Rate{Freq: rate, Per: time.Second},
		Timeout: 2 * time.Second,
		Grace:   grace,
	}
}

// collect runs p to the end and returns its samples sorted by write time.
func collect(t *testing.T, ctx context.Context, p *Prober) []reports.ProbeSample {
	t.Helper()
	out := make(chan reports.ProbeSample, 16)
	errc := make(chan error, 1)
	go func() { errc <- p.Run(ctx, out); close(out) }()
	var got []reports.ProbeSample
	for s := range out {
		got = append(got, s)
	}
	if err := <-errc; err != nil {
		t.Fatalf("Run: %v", err)
	}
	sort.Slice(got, func(i, j int) bool { return got[i].Written.Before(got[j].Written) })
	return got
}

func median(ds []time.Duration) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

// Ground truth: a read model whose slow instance shows a write 300 ms
// after it was acknowledged measures a lag p50 of 300 ± 30 ms, the fast
// instance 150 ± 30 ms, and one write dropped on purpose is exactly one
// lost write.
func TestKnownLagAndOneLostWrite(t *testing.T) {
	m := newReadModel(t, map[string]instanceBehaviour{
		"query-1": {lag: 150 * time.Millisecond},
		"query-2": {lag: 300 * time.Millisecond},
	}, 4) // the fourth write is acknowledged and thrown away
	p, err := New(Config{RunID: "r1", AgentID: "a1", Probe: orderProbe(10, time.Second),
		WriteURL: m.write.URL, Readers: m.readerList(), Until: time.Now().Add(2 * time.Second),
		Linger: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := collect(t, ctx, p)
	if len(got) < 15 || len(got) != m.writes() {
		t.Fatalf("%d samples for %d writes, want one per write and about 20", len(got), m.writes())
	}
	var lags, fast []time.Duration
	lost := 0
	for _, s := range got {
		if s.Acked.IsZero() {
			t.Errorf("sample %s not acknowledged: %s", s.Key, s.Error)
		}
		if s.Lost {
			lost++
			if s.Key != "rec-4" {
				t.Errorf("lost %s, want only the dropped rec-4", s.Key)
			}
			continue
		}
		if s.Error != "" || s.Violations != 0 {
			t.Errorf("sample %s: error %q, %d violations; want none", s.Key, s.Error, s.Violations)
		}
		lags = append(lags, s.Lag())
		fast = append(fast, s.LastStaleBy["query-1"].Sub(s.Acked))
		// The fast instance serves it while the slow one is still stale.
		if !s.FirstFresh.Before(s.LastStale) {
			t.Errorf("sample %s: first fresh %v not before last stale %v, want the fast instance first", s.Key, s.FirstFresh, s.LastStale)
		}
	}
	if lost != 1 {
		t.Errorf("lost writes = %d, want exactly 1", lost)
	}
	if p50 := median(lags); p50 < 270*time.Millisecond || p50 > 330*time.Millisecond {
		t.Errorf("lag p50 = %v, want 300ms ± 30ms", p50)
	}
	// The same samples through the report's metrics.
	c := reports.MeasureConsistency(&reports.Result{Probes: got}, "orders", 0, 0)
	if c.Lost != 1 || c.Lag.P50 < 270*time.Millisecond || c.Lag.P50 > 330*time.Millisecond {
		t.Errorf("report: lost %d, lag p50 %v; want 1 and 300ms ± 30ms", c.Lost, c.Lag.P50)
	}
	for _, il := range c.PerInstance {
		want := map[string]time.Duration{"query-1": 150 * time.Millisecond, "query-2": 300 * time.Millisecond}[il.Instance]
		if il.P50 < want-30*time.Millisecond || il.P50 > want+30*time.Millisecond {
			t.Errorf("report: %s lag p50 %v, want %v ± 30ms", il.Instance, il.P50, want)
		}
	}
	if p50 := median(fast); p50 < 120*time.Millisecond || p50 > 180*time.Millisecond {
		t.Errorf("query-1 lag p50 = %v, want 150ms ± 30ms", p50)
	}
}

// An instance that served the record and then answers 404 again (a
// replica replaced by an empty one) is a monotonic-read violation.
func TestMonotonicReadViolation(t *testing.T) {
	m := newReadModel(t, map[string]instanceBehaviour{
		"query-1": {lag: 50 * time.Millisecond, forgetFrom: 150 * time.Millisecond, forgetTo: 250 * time.Millisecond},
		"query-2": {lag: 300 * time.Millisecond},
	})
	p, err := New(Config{Probe: orderProbe(5, time.Second), WriteURL: m.write.URL, Readers: m.readerList(),
		Until: time.Now().Add(time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, context.Background(), p)
	if len(got) == 0 {
		t.Fatal("no samples")
	}
	for _, s := range got {
		// 100 ms of forgetting at a 10-15 ms poll gap is several reads.
		if s.Violations < 2 {
			t.Errorf("sample %s: %d violations, want at least 2", s.Key, s.Violations)
		}
		// Violations do not stretch the lag: it stays the slow instance's.
		if l := s.Lag(); l < 250*time.Millisecond || l > 350*time.Millisecond {
			t.Errorf("sample %s: lag %v, want about 300ms", s.Key, l)
		}
	}
}

// A write the target refuses is reported, never followed, never lost.
func TestWriteNotAcknowledged(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	p, err := New(Config{Probe: orderProbe(20, 0), WriteURL: srv.URL, MaxSamples: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, context.Background(), p)
	if len(got) != 3 {
		t.Fatalf("%d samples, want 3", len(got))
	}
	for _, s := range got {
		if !s.Acked.IsZero() || s.Lost || s.Reads != 0 || !strings.Contains(s.Error, "status 503") {
			t.Errorf("sample %+v: want unacknowledged, not lost, no reads, error naming status 503", s)
		}
	}
}

// A record that never shows up is polled for MaxWait only, then looked at
// once more at end + grace, and lost; a full in-flight cap skips writes
// and says so.
func TestNeverVisibleIsBoundedAndLost(t *testing.T) {
	m := newReadModel(t, map[string]instanceBehaviour{"q": {lag: time.Hour}})
	p, err := New(Config{Probe: orderProbe(10, 300*time.Millisecond), WriteURL: m.write.URL, Readers: m.readerList(),
		Until: time.Now().Add(time.Second), MaxWait: 200 * time.Millisecond, MaxInFlight: 3})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	got := collect(t, context.Background(), p)
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("Run took %v, want about Until + grace (1.3s)", el)
	}
	lost, skipped := 0, 0
	for _, s := range got {
		switch {
		case s.Lost:
			lost++
			// 200 ms at a 10 ms gap is at most ~21 reads, plus the last look.
			if s.Reads > 30 {
				t.Errorf("sample %s: %d reads, want the poll bounded by MaxWait", s.Key, s.Reads)
			}
		case strings.HasPrefix(s.Error, "skipped"):
			skipped++
		default:
			t.Errorf("sample %+v: want lost or skipped", s)
		}
	}
	if lost != m.writes() || lost == 0 || skipped == 0 {
		t.Errorf("lost %d of %d writes, %d skipped; want every write lost and some skipped", lost, m.writes(), skipped)
	}
}

// Cancelling ctx stops at once: pending samples come back unresolved,
// never lost.
func TestCancelLeavesNothingLost(t *testing.T) {
	m := newReadModel(t, map[string]instanceBehaviour{"q": {lag: time.Hour}})
	p, err := New(Config{Probe: orderProbe(20, time.Minute), WriteURL: m.write.URL, Readers: m.readerList()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	got := collect(t, ctx, p)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Run took %v after cancel, want prompt", el)
	}
	for _, s := range got {
		if s.Lost || !strings.Contains(s.Error, "stopped") {
			t.Errorf("sample %+v: want unresolved, not lost", s)
		}
	}
}

// Bad configurations fail in New, before any traffic, saying what is
// allowed.
func TestConfigErrors(t *testing.T) {
	good := orderProbe(5, time.Second)
	for _, tc := range []struct {
		name string
		mod  func(c *Config)
		want string
	}{
		// Traffic outside loopback and the allowlist is refused.
		{"foreign write URL", func(c *Config) { c.WriteURL = "http://10.1.2.3:8080" }, "allowlist"},
		// A reader elsewhere is refused too.
		{"foreign reader", func(c *Config) { c.Readers = []Reader{{Name: "q", BaseURL: "http://example.com"}} }, "allowlist"},
		// Not a URL.
		{"relative URL", func(c *Config) { c.WriteURL = "/orders" }, "absolute http"},
		// A rate of zero would never write.
		{"zero rate", func(c *Config) { c.Probe.Rate = scenarios.Rate{} }, "above zero"},
		// Readers need distinct names for per-instance results.
		{"duplicate reader", func(c *Config) {
			c.Readers = []Reader{{Name: "q", BaseURL: "http://127.0.0.1:1"}, {Name: "q", BaseURL: "http://127.0.0.1:2"}}
		}, "unique"},
		// A probe captures only from its own write.
		{"capture elsewhere", func(c *Config) { c.Probe.Read.Path = `/x/{{capture "browse" "id"}}` }, `only from its write`},
		// The write cannot use what it has not received yet.
		{"write captures", func(c *Config) { c.Probe.Write.Path = `/x/{{capture "write" "id"}}` }, "own response"},
		// Syntax errors come from the scenario language's parser.
		{"bad template", func(c *Config) { c.Probe.Read.Path = "/x/{{nope}}" }, "unknown template function"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{Probe: good, WriteURL: "http://127.0.0.1:9"}
			tc.mod(&c)
			_, err := New(c)
			if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrConfig mentioning %q", err, tc.want)
			}
		})
	}
}
