package load

import (
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline/faultline/reports"
)

// A throttle that answers every other request at once with 429 and serves
// the rest in 40 ms: the good responses' latency is the served ones' (p50
// >= 40 ms), while the latency over all answers is pulled down by the
// instant rejections (p50 well under 40 ms), and half the requests are good.
func TestGoodLatencyExcludesRejections(t *testing.T) {
	if testing.Short() {
		t.Skip("2 s of load")
	}
	var n atomic.Int64
	srv := newArrivals(t, time.Now(), func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 0 {
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		time.Sleep(40 * time.Millisecond)
	})
	ws := runEngine(t, Config{RunID: "r", AgentID: "a", BaseURL: srv.srv.URL, Share: 1,
		Load: constLoad(100, 2*time.Second)})
	tot := sum(ws, "")
	good := reports.NewHist()
	for _, w := range ws {
		good.Merge(w.GoodLatency)
	}
	all50, good50 := tot.latency.Quantile(50), good.Quantile(50)
	t.Logf("requests %d good %d; p50 all %s, good %s; good histogram holds %d", tot.requests, tot.good, all50, good50, good.Count())
	if tot.requests < 190 || good.Count() != tot.good {
		t.Fatalf("requests %d, good %d, good latencies %d: want ~200 requests and one good latency per good response", tot.requests, tot.good, good.Count())
	}
	if r := float64(tot.good) / float64(tot.requests); r < 0.49 || r > 0.51 {
		t.Errorf("good share %.3f, want 0.50 ± 0.01", r)
	}
	if good50 < 40*time.Millisecond {
		t.Errorf("good p50 %s, want >= 40ms (every good response took 40 ms to serve)", good50)
	}
	if min := good.Snapshot().Min(); min < 40_000 {
		t.Errorf("fastest good response %d µs, want >= 40 ms: a rejection leaked into the good histogram", min)
	}
	if all50 >= good50 {
		t.Errorf("p50 over all answers %s not under the good p50 %s: the instant 429s should pull it down", all50, good50)
	}
}
