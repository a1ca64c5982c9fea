package reference

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestE2EQueryFeedSurvivesBusKill kills a bus node that holds one of
// query-1's feed consumers, after moving every stream's leader off it (so
// that orders go on being acknowledged right away), and measures, for an
// order placed every 100 ms in the 8 s after, how long until
// both query instances serve it. With one consumer per instance the read
// model stalled until a replacement could be created: about 1 s to miss
// two heartbeats, then as long as JetStream's meta leader took to come
// back when the dead node had been it (4-7 s stale in the whitepaper game
// day). The second lane on another node keeps projecting meanwhile.
func TestE2EQueryFeedSurvivesBusKill(t *testing.T) {
	top := startTopology(t, func(c *Config) { c.ReplaceDelay = 5 * time.Minute })
	q1, q2 := service(top, "query-1"), service(top, "query-2")
	warm := warmUpOrder(t, top)
	var lanes []string
	eventually(t, 15*time.Second, "query-1 fed by two lanes on two nodes, the warm-up order on both instances", func() bool {
		lanes = queryStats(top, "query-1").FeedServers
		return len(lanes) == feedLanes && lanes[0] != "" && lanes[1] != "" && lanes[0] != lanes[1] &&
			projected(q1, warm) && projected(q2, warm)
	})
	victim := lanes[0]
	moveLeadersOff(t, top, victim)
	t.Logf("query-1 lanes on %v, query-2 lanes on %v: killing %s", lanes, queryStats(top, "query-2").FeedServers, victim)
	if err := top.Kill(context.Background(), victim); err != nil {
		t.Fatal(err)
	}

	// An order every 100 ms for 8 s, each followed until both instances
	// serve it (at most 10 s after the last): bounded in count and time.
	lags, failed := ordersVisibleAfter(top, q1, q2, 8*time.Second, 10*time.Second)
	slow := 0
	for _, l := range lags {
		if l > 750*time.Millisecond {
			slow++
		}
	}
	t.Logf("after killing %s: %d orders acknowledged (%d failed), %d took over 750ms to be visible on both query instances; worst %s, median %s",
		victim, len(lags), failed, slow, slices.Max(append([]time.Duration{0}, lags...)).Round(time.Millisecond),
		median(append([]time.Duration{0}, lags...)).Round(time.Millisecond))
	if len(lags) < 40 {
		t.Fatalf("only %d orders acknowledged in the 8 s after the kill (%d failed): nothing to measure", len(lags), failed)
	}
	// A feed that stalls delays every order acknowledged while it lasts:
	// a lost lane takes at least 1 s (two missed heartbeats) to notice, so
	// some 10 orders at this pace. A CPU stall of a loaded machine also
	// stops the orders' acknowledgements, and delays only the one or two
	// orders in flight; 4 leaves room for two such stalls.
	if slow > 4 {
		t.Errorf("%d orders acknowledged after %s was killed took over 750ms to be visible on both query instances; want at most 4", slow, victim)
	}
	s1, s2 := queryStats(top, "query-1"), queryStats(top, "query-2")
	t.Logf("query-1 %+v, query-2 %+v", s1, s2)
	for _, s := range []QueryStats{s1, s2} {
		if s.Applied != uint64(s.Projected) {
			t.Errorf("%+v: an event was projected twice", s)
		}
	}
}

// moveLeadersOff makes every stream led by a node other than victim,
// asking the bus directly for leader step-downs with a preferred node.
func moveLeadersOff(t *testing.T, top *Topology, victim string) {
	t.Helper()
	var urls []string
	var other string
	for _, b := range top.spec.Role("bus") {
		urls = append(urls, "nats://"+b.Addr)
		if b.ID != victim {
			other = b.ID
		}
	}
	nc, err := nats.Connect(strings.Join(urls, ","), nats.Timeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	names := js.StreamNames(ctx)
	for name := range names.Name() {
		leader := func() string {
			s, err := js.Stream(ctx, name)
			if err != nil || s.CachedInfo().Cluster == nil {
				return ""
			}
			return s.CachedInfo().Cluster.Leader
		}
		if leader() != victim {
			continue
		}
		req := fmt.Sprintf(`{"placement":{"preferred":%q}}`, other)
		if _, err := nc.RequestWithContext(ctx, "$JS.API.STREAM.LEADER.STEPDOWN."+name, []byte(req)); err != nil {
			t.Fatalf("step down %s's leader %s: %v", name, victim, err)
		}
		eventually(t, 10*time.Second, name+" led by another node than "+victim, func() bool {
			l := leader()
			return l != "" && l != victim
		})
	}
	if err := names.Err(); err != nil {
		t.Fatal(err)
	}
}

// ordersVisibleAfter places an order every 100 ms for the given time and
// returns, for each one acknowledged, how long until both query bases
// served it; an order still missing wait after the last placement counts
// with the time it waited. It also returns how many orders were refused.
func ordersVisibleAfter(top *Topology, q1, q2 string, placing, wait time.Duration) ([]time.Duration, int) {
	type pending struct {
		id    string
		acked time.Time
	}
	var out []pending
	var lags []time.Duration
	failed := 0
	start := time.Now()
	next := start
	for {
		now := time.Now()
		stillPlacing := now.Sub(start) < placing
		if !stillPlacing && (len(out) == 0 || now.Sub(start) > placing+wait) {
			break
		}
		if stillPlacing && !now.Before(next) {
			next = next.Add(100 * time.Millisecond)
			if id, _ := placeOrder(top, fmt.Sprintf("item-%d", 2+(len(lags)+len(out)+failed)%50)); id != "" {
				out = append(out, pending{id, time.Now()})
			} else {
				failed++
			}
		}
		out = slices.DeleteFunc(out, func(p pending) bool {
			if projected(q1, p.id) && projected(q2, p.id) {
				lags = append(lags, time.Since(p.acked))
				return true
			}
			return false
		})
		time.Sleep(20 * time.Millisecond)
	}
	for _, p := range out {
		lags = append(lags, time.Since(p.acked))
	}
	return lags, failed
}
