package agents

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faultline/faultline/agents/cluster"
	"github.com/faultline/faultline/scenarios"
)

// wire records the streams a tapped MemNetwork carried, by sender and
// receiver, in order.
type wire struct {
	mu      sync.Mutex
	streams map[string][][]byte
}

func (w *wire) tap(from, to string, b []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := from + ">" + to
	w.streams[k] = append(w.streams[k], b)
}

func (w *wire) get(from, to string) [][]byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([][]byte(nil), w.streams[from+">"+to]...)
}

func memNode(t *testing.T, mn *cluster.MemNetwork, id string, role cluster.Role, maxAge time.Duration) *cluster.Node {
	t.Helper()
	c := cluster.LocalConfig()
	c.ID, c.Role, c.Key = id, role, bytes.Repeat([]byte{7}, 32)
	c.MaxMessageAge = maxAge
	c.Transport = mn.NewTransport(id)
	n, err := cluster.New(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Shutdown() })
	return n
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// An authentic assign captured on the wire during run 1 and replayed after
// it never starts load again: the agent drops it as a replay and would not
// serve run 1 twice anyway. Replayed to a restarted agent (which has
// forgotten everything), it is stale.
func TestReplayedAssignIgnored(t *testing.T) {
	var hits atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) })}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	w := &wire{streams: map[string][][]byte{}}
	mn := &cluster.MemNetwork{Tap: w.tap}
	co := memNode(t, mn, "coord", cluster.RoleCoordinator, time.Minute)
	ag := memNode(t, mn, "agent", cluster.RoleAgent, 2*time.Second)
	if _, err := ag.Join([]string{co.Addr()}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "agent and coordinator see each other", func() bool { return len(ag.Coordinators()) == 1 && len(co.Agents()) == 1 })
	a, err := New(Config{Node: ag, NewLoad: EngineFactory})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = a.Serve(ctx) }()

	// Run 1: 50 requests per second for 1 s.
	as := Assignment{RunID: "run-1", AgentID: "agent", Share: 1, BaseURL: "http://" + ln.Addr().String(),
		Load: scenarios.Load{Rate: scenarios.Rate{Freq: 50, Per: time.Second}, Duration: time.Second, Shape: scenarios.Shape{Kind: "constant"},
			Mix: []scenarios.Endpoint{{Name: "home", Weight: 1, Method: "GET", Path: "/", Timeout: time.Second}}}}
	if err := co.Send("agent", KindAssign, "run-1", AssignMsg{Assignment: as, Lease: time.Minute}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "run 1 to finish", func() bool { return hits.Load() >= 50 && a.Busy() == "" })
	captured := w.get("coord", "agent")
	if len(captured) == 0 {
		t.Fatal("nothing captured on the wire")
	}
	before, replayedBefore := hits.Load(), ag.Stats().Replayed.Load()

	// Replay every captured stream (the assign among them) to the agent.
	for _, b := range captured {
		if err := mn.Replay("agent", b); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, "replays counted", func() bool { return ag.Stats().Replayed.Load() >= replayedBefore+1 })
	time.Sleep(1500 * time.Millisecond)
	if a.Busy() != "" || hits.Load() != before {
		t.Fatalf("replayed assign started load: busy %q, %d new requests", a.Busy(), hits.Load()-before)
	}

	// A restarted agent: same id, no memory of run 1, max message age
	// 2 s. Only the age of the capture protects it now.
	_ = ag.Shutdown()
	time.Sleep(2500 * time.Millisecond)
	ag2 := memNode(t, mn, "agent", cluster.RoleAgent, 2*time.Second)
	a2, err := New(Config{Node: ag2, NewLoad: EngineFactory})
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = a2.Serve(ctx) }()
	for _, b := range captured {
		if err := mn.Replay("agent", b); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, "stale replays counted", func() bool { return ag2.Stats().Stale.Load() >= 1 })
	time.Sleep(time.Second)
	if a2.Busy() != "" || hits.Load() != before {
		t.Fatalf("replay to a restarted agent started load")
	}
}
