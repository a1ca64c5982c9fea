package proxy

import (
	"bytes"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"syscall"
	"testing"
	"time"
)

func mustToxic(t *testing.T, p *Proxy, s ToxicSpec) {
	t.Helper()
	if _, err := p.AddToxic(s); err != nil {
		t.Fatal(err)
	}
}

func TestBandwidth(t *testing.T) {
	_, p := newTestProxy(t, echoServer(t))
	// 100 KB/s downstream: 50,000 bytes take about 0.5 s.
	mustToxic(t, p, ToxicSpec{Type: "bandwidth", Attributes: map[string]any{"rate": 100}})
	c := dial(t, p.Addr())
	d := roundTrip(t, c, bytes.Repeat([]byte("x"), 50_000))
	if d < 450*time.Millisecond || d > 3*time.Second {
		t.Fatalf("50 KB at 100 KB/s took %v, want about 0.5s", d)
	}
}

func TestTimeoutBlackholeThenHeal(t *testing.T) {
	_, p := newTestProxy(t, echoServer(t))
	c := dial(t, p.Addr())
	mustToxic(t, p, ToxicSpec{Name: "cut", Type: "timeout", Stream: "upstream"})
	_, _ = c.Write([]byte("lost"))
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if n, err := c.Read(make([]byte, 8)); n != 0 || !errors.Is(err, syscall.Errno(0)) && !isTimeout(err) {
		t.Fatalf("blackhole let %d bytes through (err %v)", n, err)
	}
	if err := p.RemoveToxic("cut"); err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	roundTrip(t, c, []byte("back")) // the blackholed bytes are gone, new ones flow
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

func TestTimeoutCloses(t *testing.T) {
	_, p := newTestProxy(t, echoServer(t))
	mustToxic(t, p, ToxicSpec{Type: "timeout", Attributes: map[string]any{"timeout": 200}})
	c := dial(t, p.Addr())
	start := time.Now()
	_, err := c.Read(make([]byte, 1))
	if el := time.Since(start); err == nil || el < 150*time.Millisecond || el > 3*time.Second {
		t.Fatalf("timeout 200ms: read ended after %v with %v", el, err)
	}
}

func TestResetPeer(t *testing.T) {
	_, p := newTestProxy(t, echoServer(t))
	mustToxic(t, p, ToxicSpec{Type: "reset_peer", Stream: "upstream"})
	c := dial(t, p.Addr())
	_, _ = c.Write([]byte("hi"))
	_, err := c.Read(make([]byte, 1))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("got %v, want connection reset by peer", err)
	}
}

func TestSlicer(t *testing.T) {
	_, p := newTestProxy(t, echoServer(t))
	// 200 bytes in pieces of 10±5 with 2ms between: >= 13 pieces, >= 24 ms.
	mustToxic(t, p, ToxicSpec{Type: "slicer", Attributes: map[string]any{"average_size": 10, "size_variation": 5, "delay": 2000}})
	c := dial(t, p.Addr())
	start := time.Now()
	_, _ = c.Write(bytes.Repeat([]byte("s"), 200))
	got, reads := 0, 0
	buf := make([]byte, 1024)
	for got < 200 {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got += n
		reads++
	}
	if el := time.Since(start); reads < 5 || el < 24*time.Millisecond {
		t.Fatalf("200 bytes arrived in %d reads over %v, want many small reads over >= 24ms", reads, el)
	}
}

func TestSlowClose(t *testing.T) {
	_, p := newTestProxy(t, echoServer(t))
	mustToxic(t, p, ToxicSpec{Type: "slow_close", Attributes: map[string]any{"delay": 300}})
	c := dial(t, p.Addr())
	roundTrip(t, c, []byte("x"))
	start := time.Now()
	_ = c.CloseWrite() // echo server closes, its FIN is held 300 ms
	_, err := c.Read(make([]byte, 1))
	if el := time.Since(start); err != io.EOF || el < 280*time.Millisecond || el > 3*time.Second {
		t.Fatalf("EOF after %v (%v), want about 300ms", el, err)
	}
}

func TestLimitData(t *testing.T) {
	_, p := newTestProxy(t, echoServer(t))
	mustToxic(t, p, ToxicSpec{Type: "limit_data", Attributes: map[string]any{"bytes": 10}})
	c := dial(t, p.Addr())
	_, _ = c.Write(bytes.Repeat([]byte("d"), 100))
	b, _ := io.ReadAll(c)
	if len(b) != 10 {
		t.Fatalf("read %d bytes, want exactly 10", len(b))
	}
}

// hits sends n keep-alive requests through the proxy and returns statuses
// and latencies.
func hits(t *testing.T, addr string, n int) (map[int]int, []time.Duration) {
	t.Helper()
	cl := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	defer cl.CloseIdleConnections()
	codes := map[int]int{}
	var lat []time.Duration
	for range n {
		start := time.Now()
		resp, err := cl.Get("http://" + addr + "/x")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		codes[resp.StatusCode]++
		lat = append(lat, time.Since(start))
	}
	return codes, lat
}

func TestHTTPAbortPercent(t *testing.T) {
	_, p := newTestProxy(t, httpUpstream(t))
	mustToxic(t, p, ToxicSpec{Type: "http_abort", Attributes: map[string]any{"status": 503, "percent": 10}})
	const n = 8000
	codes, _ := hits(t, p.Addr(), n)
	pct := 100 * float64(codes[503]) / n
	t.Logf("http_abort 10%%: measured %.2f%% of %d requests", pct, n)
	if math.Abs(pct-10) > 1 || codes[200]+codes[503] != n {
		t.Fatalf("codes %v: %.2f%% 503, want 10%% ± 1 point and the rest 200", codes, pct)
	}
}

func TestHTTPDelayPercent(t *testing.T) {
	_, p := newTestProxy(t, httpUpstream(t))
	mustToxic(t, p, ToxicSpec{Type: "http_delay", Attributes: map[string]any{"delay": 30, "percent": 50}})
	const n = 200
	_, lat := hits(t, p.Addr(), n)
	slow := 0
	for _, d := range lat {
		if d >= 30*time.Millisecond {
			slow++
		}
	}
	if pct := 100 * float64(slow) / n; pct < 38 || pct > 62 {
		t.Fatalf("%.0f%% of requests took >= 30ms, want about 50%%", pct)
	}
}

// The latency distributions have the documented shapes.
func TestLatencyDistributions(t *testing.T) {
	cases := []struct {
		dist           string
		mean, sd       float64 // ms, wanted
		minv, maxv     float64 // ms, bounds every sample respects
		meanTol, sdTol float64
	}{
		// uniform 100±20: mean 100, sd 20/sqrt(3)
		{"uniform", 100, 20 / math.Sqrt(3), 80, 120, 1, 1},
		// normal mean 100 sd 20
		{"normal", 100, 20, 0, math.Inf(1), 1, 1},
		// pareto: 100 + excess with mean 20, never below 100
		{"pareto", 120, -1, 100, math.Inf(1), 1.5, 0},
	}
	for _, tc := range cases {
		t.Run(tc.dist, func(t *testing.T) {
			st := &latencyStage{t: LatencyToxic{Latency: 100, Jitter: 20, Distribution: tc.dist}, env: &Env{Rand: rand.New(rand.NewPCG(1, 2))}}
			const n = 100_000
			var sum, sq float64
			for range n {
				v := float64(st.delay()) / float64(time.Millisecond)
				if v < tc.minv || v > tc.maxv {
					t.Fatalf("sample %v outside [%v, %v]", v, tc.minv, tc.maxv)
				}
				sum += v
				sq += v * v
			}
			mean := sum / n
			sd := math.Sqrt(sq/n - mean*mean)
			if math.Abs(mean-tc.mean) > tc.meanTol || (tc.sd >= 0 && math.Abs(sd-tc.sd) > tc.sdTol) {
				t.Fatalf("mean %.2f sd %.2f, want %.2f, %.2f", mean, sd, tc.mean, tc.sd)
			}
		})
	}
}

// A toxicity of 0.5 applies a toxic to about half the links.
func TestToxicityPerLink(t *testing.T) {
	_, p := newTestProxy(t, echoServer(t))
	mustToxic(t, p, ToxicSpec{Type: "latency", Toxicity: 0.5, Attributes: map[string]any{"latency": 50}})
	slow := 0
	const n = 60
	for range n {
		c := dial(t, p.Addr())
		if roundTrip(t, c, []byte("t")) >= 50*time.Millisecond {
			slow++
		}
		c.Close()
	}
	if slow < 18 || slow > 42 {
		t.Fatalf("%d of %d links slowed, want about half", slow, n)
	}
}
