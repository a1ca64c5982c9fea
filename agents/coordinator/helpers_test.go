package coordinator

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline/faultline/agents"
	"github.com/faultline/faultline/agents/cluster"
	"github.com/faultline/faultline/reports"
	"github.com/faultline/faultline/scenarios"
)

// memSink records what a run writes, keeping windows in order.
type memSink struct {
	mu      sync.Mutex
	agents  map[string]reports.Agent
	windows []reports.Window
	events  []reports.Event
}

func newMemSink() *memSink { return &memSink{agents: map[string]reports.Agent{}} }

func (s *memSink) Agent(a reports.Agent) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.agents[a.ID] = a
	return nil
}
func (s *memSink) Window(w reports.Window) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.windows = append(s.windows, w)
	return nil
}
func (s *memSink) Event(e reports.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
	return nil
}

// totals sums requests (and what was intended) in the sink, and checks no
// window is there twice.
func (s *memSink) totals(t *testing.T) (requests, intended int64, perAgent map[string]int64) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	perAgent = map[string]int64{}
	seen := map[string]bool{}
	for _, w := range s.windows {
		k := fmt.Sprintf("%s/%s/%d/%s", w.RunID, w.AgentID, w.Seq, w.Endpoint)
		if seen[k] {
			t.Errorf("window %s written twice", k)
		}
		seen[k] = true
		requests += w.Requests
		intended += w.Intended
		perAgent[w.AgentID] += w.Intended
	}
	return requests, intended, perAgent
}

// target is a loopback HTTP server that counts requests per second of
// arrival and remembers the last one.
type target struct {
	URL   string
	n     atomic.Int64
	last  atomic.Int64 // unix nanos of the latest request
	srv   *http.Server
	first atomic.Int64
}

func newTarget(t *testing.T) *target {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tg := &target{URL: "http://" + ln.Addr().String()}
	tg.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().UnixNano()
		tg.n.Add(1)
		tg.first.CompareAndSwap(0, now)
		tg.last.Store(now)
		_, _ = w.Write([]byte("ok"))
	})}
	go func() { _ = tg.srv.Serve(ln) }()
	t.Cleanup(func() { _ = tg.srv.Close() })
	return tg
}

// scenario is a one-endpoint constant load against url.
func scenario(url string, rate float64, d time.Duration) *scenarios.Scenario {
	return &scenarios.Scenario{
		Version: 1, Name: "cluster-test", Seed: 1,
		Target: scenarios.Target{Kind: "external", BaseURL: url},
		Load: scenarios.Load{
			Rate: scenarios.Rate{Freq: rate, Per: time.Second}, Duration: d,
			Shape: scenarios.Shape{Kind: "constant"},
			Mix:   []scenarios.Endpoint{{Name: "home", Weight: 1, Method: "GET", Path: "/", Timeout: 2 * time.Second}},
		},
	}
}

var testKey = []byte("0123456789abcdef0123456789abcdef")

// loopNode starts a cluster node on loopback.
func loopNode(t *testing.T, id string, role cluster.Role) *cluster.Node {
	t.Helper()
	c := cluster.LocalConfig()
	c.ID, c.Role, c.Key = id, role, testKey
	// The LAN profile's slower suspicion keeps a CPU-starved test box (the
	// race detector, other engineers' builds) from declaring healthy
	// in-process nodes dead. Leases are what these tests exercise.
	c.Profile = cluster.ProfileLAN
	n, err := cluster.New(c)
	if err != nil {
		t.Error(err) // may run in a goroutine: no Fatal
		return nil
	}
	t.Cleanup(func() { _ = n.Shutdown() })
	return n
}

// startAgent runs an in-process agent with the real load engine. It is
// safe to call from goroutines; on failure it marks t failed and returns nil.
func startAgent(t *testing.T, ctx context.Context, id, join string) *cluster.Node {
	t.Helper()
	n := loopNode(t, id, cluster.RoleAgent)
	if n == nil {
		return nil
	}
	if _, err := n.Join([]string{join}); err != nil {
		t.Error(err)
		return nil
	}
	a, err := agents.New(agents.Config{Node: n, NewLoad: agents.EngineFactory, Log: testLog()})
	if err != nil {
		t.Error(err)
		return nil
	}
	go func() { _ = a.Serve(ctx) }()
	return n
}

// testLog is stderr when FAULTLINE_TEST_LOG is set, to investigate a run.
func testLog() io.Writer {
	if os.Getenv("FAULTLINE_TEST_LOG") != "" {
		return os.Stderr
	}
	return nil
}
