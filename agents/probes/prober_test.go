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

// undisturbed reports whether a starved CPU left sample s alone on inst:
// the write acknowledged within 20 ms, and the instance's last stale and
// first fresh reads no more than 40 ms apart (the poll gap is 10-15 ms).
func undisturbed(s reports.ProbeSample, inst string) bool {
	ls, ok1 := s.LastStaleBy[inst]
	ff, ok2 := s.PerInstance[inst]
	return ok1 && ok2 && s.Acked.Sub(s.Written) <= 20*time.Millisecond && ff.Sub(ls) <= 40*time.Millisecond
}

// Ground truth: a read model whose slow instance shows a write 300 ms
// after it stored it measures a lag p50 of 300 ± 30 ms, the fast instance
// 150 ± 30 ms, and one write dropped on purpose is exactly one lost write.
//
// A stale read is always sent before the write shows, so every lag is
// under 300 ms whatever the load: that bound is checked on every sample.
// (It is 0 when a stalled acknowledgement arrived after the write showed.)
// How close under it a lag lands depends on the poll cadence, which a
// starved CPU stretches (this machine runs other people's load tests), so
// the ± 30 ms is judged on the samples the machine did not disturb.
func TestKnownLagAndOneLostWrite(t *testing.T) {
	m := newReadModel(t, map[string]instanceBehaviour{
		"query-1": {lag: 150 * time.Millisecond},
		"query-2": {lag: 300 * time.Millisecond},
	}, 4) // the fourth write is acknowledged and thrown away
	p, err := New(Config{RunID: "r1", AgentID: "a1", Probe: orderProbe(20, time.Second),
		WriteURL: m.write.URL, Readers: m.readerList(), Until: time.Now().Add(2 * time.Second),
		Linger: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got := collect(t, ctx, p)
	if len(got) < 30 || len(got) != m.writes() {
		t.Fatalf("%d samples for %d writes, want one per write and about 40", len(got), m.writes())
	}
	var calm []reports.ProbeSample
	lost := 0
	for _, s := range got {
		if s.Acked.IsZero() {
			t.Errorf("sample %s not acknowledged: %s", s.Key, s.Error)
		}
		if s.Lost {
			lost++
			calm = append(calm, s)
			if s.Key != "rec-4" {
				t.Errorf("lost %s, want only the dropped rec-4", s.Key)
			}
			continue
		}
		if s.Error != "" || s.Violations != 0 {
			t.Errorf("sample %s: error %q, %d violations; want none", s.Key, s.Error, s.Violations)
		}
		// 0 when a stalled ack arrived after the write was already visible.
		if l := s.Lag(); l < 0 || l >= 300*time.Millisecond {
			t.Errorf("sample %s: lag %v, want in [0, 300ms)", s.Key, l)
		}
		if undisturbed(s, "query-1") && undisturbed(s, "query-2") {
			calm = append(calm, s)
		}
	}
	if lost != 1 {
		t.Errorf("lost writes = %d, want exactly 1", lost)
	}
	if len(calm) < 9 {
		t.Skipf("only %d of %d samples undisturbed by this machine's load: too few to judge ± 30 ms (the bounds above held)", len(calm)-1, len(got)-1)
	}
	// The undisturbed samples (and the lost one) through the report.
	c := reports.MeasureConsistency(&reports.Result{Probes: calm}, "orders", 0, 0)
	t.Logf("%d undisturbed samples of %d: lag p50 %v p99 %v", c.Lag.Count, len(got)-1, c.Lag.P50, c.Lag.P99)
	if c.Lost != 1 || c.Lag.P50 < 270*time.Millisecond || c.Lag.P50 > 330*time.Millisecond {
		t.Errorf("lost %d, lag p50 %v; want 1 and 300ms ± 30ms", c.Lost, c.Lag.P50)
	}
	for _, il := range c.PerInstance {
		want := map[string]time.Duration{"query-1": 150 * time.Millisecond, "query-2": 300 * time.Millisecond}[il.Instance]
		if il.P50 < want-30*time.Millisecond || il.P50 > want+30*time.Millisecond {
			t.Errorf("%s lag p50 %v, want %v ± 30ms", il.Instance, il.P50, want)
		}
	}
}

// An instance that served the record and then answers 404 again (a
// replica replaced by an empty one) is a monotonic-read violation.
func TestMonotonicReadViolation(t *testing.T) {
	m := newReadModel(t, map[string]instanceBehaviour{
		// Wide windows, so that a scheduling stall of a loaded machine
		// cannot skip the fresh reads before the forgetting.
		"query-1": {lag: 20 * time.Millisecond, forgetFrom: 300 * time.Millisecond, forgetTo: 900 * time.Millisecond},
		"query-2": {lag: 1200 * time.Millisecond},
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
	var lags []time.Duration
	for _, s := range got {
		// 600 ms of forgetting at a 15-45 ms poll gap is about 20 rounds;
		// even a starved CPU polls a few times in it.
		if s.Violations < 2 {
			t.Errorf("sample %s: %d violations (%d reads, first fresh on query-1 at %v), want at least 2",
				s.Key, s.Violations, s.Reads, s.PerInstance["query-1"].Sub(s.Acked))
		}
		// Violations do not stretch the lag: a stale read is always sent
		// before the slow instance shows the write, whatever the machine's
		// load, so the lag stays under its 1200 ms.
		if l := s.Lag(); l <= 0 || l >= 1200*time.Millisecond {
			t.Errorf("sample %s: lag %v, want in (0, 1200ms)", s.Key, l)
		}
		lags = append(lags, s.Lag())
	}
	// A stalled poll can cut one sample's lag short; the median holds.
	if m := median(lags); m < 1000*time.Millisecond {
		t.Errorf("lag p50 %v, want 1200ms - 200ms at worst", m)
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
