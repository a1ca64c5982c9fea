package reference

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// slowAt is the latency the breakdown counts as slow: the goal's p99 bound.
const slowAt = 50 * time.Millisecond

// breakdown tells where a run's tail and failures come from: per endpoint
// and status, the count, p50/p99/max latency and the first answer body
// (the body names the component that refused: throttle, bulkhead, breaker,
// timeout); and per second of the run, how many requests were slow and how
// many failed, so a stall at one moment shows apart from a steady tail.
type breakdown struct {
	start  time.Time
	groups map[string]*statusGroup // by "endpoint status"
	secs   []secondCount
}

type statusGroup struct {
	lat   []time.Duration
	first string // first body or error seen
}

type secondCount struct{ requests, slow, failed int }

func newBreakdown() *breakdown { return &breakdown{groups: map[string]*statusGroup{}} }

// add records one result; results arrive in completion order, so the
// second is counted from the first request's start.
func (bd *breakdown) add(endpoint string, res *vegeta.Result) {
	if bd.start.IsZero() || res.Timestamp.Before(bd.start) {
		bd.start = res.Timestamp
	}
	key := fmt.Sprintf("%s %d", endpoint, res.Code)
	g := bd.groups[key]
	if g == nil {
		// The body names the component that refused; vegeta's error only
		// repeats the status, so it is the fallback (a transport error).
		g = &statusGroup{first: strings.TrimSpace(string(res.Body[:min(len(res.Body), 200)]))}
		if g.first == "" {
			g.first = res.Error
		}
		bd.groups[key] = g
	}
	g.lat = append(g.lat, res.Latency)
	sec := max(int(res.Timestamp.Sub(bd.start)/time.Second), 0)
	for len(bd.secs) <= sec {
		bd.secs = append(bd.secs, secondCount{})
	}
	c := &bd.secs[sec]
	c.requests++
	if res.Latency >= slowAt {
		c.slow++
	}
	if res.Code < 200 || res.Code >= 400 {
		c.failed++
	}
}

// quantile returns the q-quantile of sorted latencies (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// lines renders the breakdown, one line per endpoint and status, then
// one per second of the run (by when the request was sent).
func (bd *breakdown) lines() []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(bd.groups)) {
		g := bd.groups[k]
		slices.Sort(g.lat)
		r := func(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
		line := fmt.Sprintf("%-17s %6d, p50 %v, p99 %v, max %v", k, len(g.lat), r(quantile(g.lat, 0.5)), r(quantile(g.lat, 0.99)), r(g.lat[len(g.lat)-1]))
		if !strings.HasSuffix(k, " 200") && !strings.HasSuffix(k, " 201") {
			line += ", first: " + g.first
		}
		out = append(out, line)
	}
	for i, c := range bd.secs {
		out = append(out, fmt.Sprintf("second %2d: %5d sent, %4d >= %v, %4d failed", i, c.requests, c.slow, slowAt, c.failed))
	}
	return out
}

func (bd *breakdown) log(b *testing.B) {
	for _, l := range bd.lines() {
		b.Log(l)
	}
}

func TestBreakdown(t *testing.T) {
	t0 := time.Unix(1000, 0)
	bd := newBreakdown()
	res := func(at, lat time.Duration, code uint16, body string) *vegeta.Result {
		return &vegeta.Result{Timestamp: t0.Add(at), Latency: lat, Code: code, Body: []byte(body)}
	}
	bd.add("catalog.get", res(0, time.Millisecond, 200, "{}"))
	bd.add("catalog.get", res(100*time.Millisecond, 3*time.Millisecond, 200, "{}"))
	r503 := res(1500*time.Millisecond, 600*time.Millisecond, 503, `{"error":"bulkhead full"}`)
	r503.Error = "503 Service Unavailable"
	bd.add("orders.create", r503)
	bd.add("orders.create", res(1600*time.Millisecond, 700*time.Millisecond, 503, `{"error":"later"}`))
	r := res(2100*time.Millisecond, 60*time.Millisecond, 0, "")
	r.Error = "dial tcp: connection refused"
	bd.add("catalog.get", r)
	got := strings.Join(bd.lines(), "\n")
	for _, want := range []string{
		"catalog.get 200        2, p50 1ms, p99 3ms, max 3ms",
		`orders.create 503      2, p50 600ms, p99 700ms, max 700ms, first: {"error":"bulkhead full"}`,
		"catalog.get 0          1, p50 60ms, p99 60ms, max 60ms, first: dial tcp: connection refused",
		"second  0:     2 sent,    0 >= 50ms,    0 failed",
		"second  1:     2 sent,    2 >= 50ms,    2 failed",
		"second  2:     1 sent,    1 >= 50ms,    1 failed",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("breakdown lacks %q in:\n%s", want, got)
		}
	}
	if q := quantile([]time.Duration{1, 2, 3, 4}, 0.5); q != 2 {
		t.Errorf("median of 1..4 = %v, want 2", q)
	}
	if q := quantile(nil, 0.99); q != 0 {
		t.Errorf("quantile of nothing = %v, want 0", q)
	}
}
