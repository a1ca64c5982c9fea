package load

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/faultline/faultline/scenarios"
)

// cannedRT answers every request at once from memory, so that the
// benchmarks below measure the engine's own work per hit, not the network.
type cannedRT struct{}

func (cannedRT) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("ok")), Header: http.Header{}}, nil
}

// BenchmarkHitOverhead is one hit's path through the engine, minus the
// network: take a released hit, render its endpoint, build the request the
// way vegeta does, run it through the recording transport, read the body.
func BenchmarkHitOverhead(b *testing.B) {
	for _, c := range []struct {
		name string
		ep   scenarios.Endpoint
	}{
		{"static", scenarios.Endpoint{Name: "get", Weight: 1, Path: "/x"}},
		{"templated", scenarios.Endpoint{Name: "post", Weight: 1, Method: "POST", Path: "/items/{{rand 1 100000}}",
			Body: `{"id":"{{uuid}}","n":{{seq}}}`, Headers: map[string]string{"X-Req": "{{seq}}"}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			e, err := New(Config{BaseURL: "http://127.0.0.1:1", Share: 1, Load: constLoad(1000, time.Hour, c.ep)})
			if err != nil {
				b.Fatal(err)
			}
			e.rec.origin, e.rec.base = time.Now(), context.Background()
			tr := e.client.Transport.(*transport)
			tr.h1, tr.h2 = cannedRT{}, cannedRT{}
			p := newPacer(newSchedule(e.sh, 0, 3600, 1), e.rec.origin, false, nil, &e.rec.behind)
			tg := e.targeter(p)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p.hits <- hit{k: uint64(i), at: int64(i) * 1000}
				var t vegeta.Target
				_ = tg(&t)
				req, err := t.Request()
				if err != nil {
					b.Fatal(err)
				}
				resp, err := e.client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}

// BenchmarkPace is the pacer's work per hit on a sine schedule, timers
// aside: the inverse of the schedule and the catch-up bucket.
func BenchmarkPace(b *testing.B) {
	sh := sineShape{mean: 1e9, amp: 5e8, period: 60}
	s := newSchedule(sh, 0, 3600, 1)
	var prev float64
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		t, ok := s.at(uint64(i), prev)
		if !ok {
			b.Fatal("schedule ended")
		}
		prev = t
	}
}
