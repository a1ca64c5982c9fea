package reference

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestE2EQueryCatchesUpAfterPartition partitions query-2 from the bus for
// 5 s while orders keep being placed, then heals and measures how long
// until every order placed is visible on query-2. Before the fix a
// blackhole took about 8-10.6 s to recover from (nats.go's ordered
// consumer sent its reset request with a 10 s timeout into the partition,
// then backed off from 1 s).
func TestE2EQueryCatchesUpAfterPartition(t *testing.T) {
	top := startTopology(t, nil)
	for _, tc := range []struct {
		name      string
		cut, heal func(t *testing.T, top *Topology, from, to string)
	}{
		// As faults.ProxyPartition does: a timeout toxic both ways, bytes
		// dropped, connections left open (the client must notice).
		{"blackhole", blackhole, func(_ *testing.T, top *Topology, from, to string) { unblackhole(top, from, to) }},
		// Links disabled: connections closed, new ones refused.
		{"disabled", func(t *testing.T, top *Topology, from, to string) { setLink(t, top, from, to, false) },
			func(t *testing.T, top *Topology, from, to string) { setLink(t, top, from, to, true) }},
	} {
		t.Run(tc.name, func(t *testing.T) { partitionQuery2(t, top, tc.cut, tc.heal) })
	}
}

func partitionQuery2(t *testing.T, top *Topology, cut, heal func(t *testing.T, top *Topology, from, to string)) {
	q1, q2 := service(top, "query-1"), service(top, "query-2")
	warm := warmUpOrder(t, top)
	eventually(t, 15*time.Second, "warm-up order on query-2", func() bool { return projected(q2, warm) })
	before := queryStats(top, "query-2")

	const partition = 5 * time.Second
	buses := []string{"bus-1", "bus-2", "bus-3"}
	for _, b := range buses {
		cut(t, top, "query-2", b)
	}
	cutAt := time.Now()
	healed := false
	defer func() { // heal even when the test fails half-way
		if !healed {
			for _, b := range buses {
				heal(t, top, "query-2", b)
			}
		}
	}()

	// Orders keep coming for the whole partition, one at a time, bounded
	// by the partition's length (about 10/s at most).
	var ids []string
	var failed int
	for i := 0; time.Since(cutAt) < partition; i++ {
		if id, _ := placeOrder(top, fmt.Sprintf("item-%d", 2+i%50)); id != "" {
			ids = append(ids, id)
		} else {
			failed++
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(ids) < 10 || failed > len(ids)/10 {
		t.Fatalf("during the partition: %d orders placed, %d failed (want >= 10 placed, <= 10%% failed)", len(ids), failed)
	}
	staleQ2 := 0
	for _, id := range ids {
		if projected(q2, id) {
			staleQ2++
		}
	}
	eventually(t, 10*time.Second, "query-1 projects every order of the partition", func() bool {
		for _, id := range ids {
			if !projected(q1, id) {
				return false
			}
		}
		return true
	})

	for _, b := range buses {
		heal(t, top, "query-2", b)
	}
	healed = true
	healedAt := time.Now()
	missing := map[string]bool{}
	for _, id := range ids {
		missing[id] = true
	}
	for len(missing) > 0 && time.Since(healedAt) < 20*time.Second {
		for id := range missing {
			if projected(q2, id) {
				delete(missing, id)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	took := time.Since(healedAt)
	t.Logf("partition %s: %d orders placed (%d failed), %d on query-2 before heal; query-2 caught up %s after heal (%d still missing)",
		partition, len(ids), failed, staleQ2, took.Round(time.Millisecond), len(missing))
	if staleQ2 > 1 { // one order may slip in while the toxics go on
		t.Errorf("query-2 projected %d of %d orders while partitioned from the bus", staleQ2, len(ids))
	}
	if len(missing) > 0 || took > 3*time.Second {
		t.Errorf("query-2 caught up %s after heal with %d of %d orders missing; want all within 3s", took.Round(time.Millisecond), len(missing), len(ids))
	}

	// Both lanes were replaced at the heal: they must again be on two
	// nodes, or one bus kill would stall query-2 (query_feed.go).
	eventually(t, 10*time.Second, "query-2's feed lanes back on two different nodes", func() bool {
		l := queryStats(top, "query-2").FeedServers
		return len(l) == feedLanes && l[0] != "" && l[1] != "" && l[0] != l[1]
	})
	// Same stream, same projection: nothing missing, nothing applied twice.
	s1, s2 := queryStats(top, "query-1"), queryStats(top, "query-2")
	t.Logf("query-1 %+v, query-2 %+v (query-2 before the cut %+v)", s1, s2, before)
	if s1.LastSeq != s2.LastSeq || s1.Projected != s2.Projected || s1.Applied != s2.Applied {
		t.Errorf("after catch-up: query-1 %+v, query-2 %+v", s1, s2)
	}
	if s2.Applied != uint64(s2.Projected) {
		t.Errorf("query-2 applied %d events for %d orders: an event was projected twice", s2.Applied, s2.Projected)
	}
	if n := s2.Consumers - before.Consumers; n > 15 {
		t.Errorf("query-2 created %d consumers over a %s partition: retries are not bounded", n, partition)
	}
}

// blackhole drops every byte both ways on from's link to `to`, leaving the
// connections open, as faults.ProxyPartition does.
func blackhole(t *testing.T, top *Topology, from, to string) {
	t.Helper()
	for _, stream := range []string{"upstream", "downstream"} {
		linkAPI(t, top, from, to, http.MethodPost, "/toxics", map[string]any{
			"name": "blackhole-" + stream, "type": "timeout", "stream": stream, "attributes": map[string]any{"timeout": 0},
		})
	}
}

// unblackhole removes blackhole's toxics.
func unblackhole(top *Topology, from, to string) {
	var wg sync.WaitGroup
	for _, stream := range []string{"upstream", "downstream"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			call(http.MethodDelete, admin(top, from)+"/proxies/"+linkName(from, to)+"/toxics/blackhole-"+stream, nil)
		}()
	}
	wg.Wait()
}

// projected reports whether the query instance at base serves order id.
func projected(base, id string) bool {
	return call(http.MethodGet, base+"/query/orders/"+id, nil).status == http.StatusOK
}

// warmUpOrder places one order, failing the test if it is refused.
func warmUpOrder(t *testing.T, top *Topology) string {
	t.Helper()
	id, r := placeOrder(top, "item-1")
	if id == "" {
		t.Fatalf("warm-up order: %d %s %v", r.status, r.body, r.err)
	}
	return id
}
