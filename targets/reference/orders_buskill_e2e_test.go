package reference

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestE2EOrdersSurviveLeaderBusKill is issue #6 for the worst node: the
// bus that leads the JetStream meta group, ORDERS and STOCK is SIGKILLed
// under 20 orders/s, and the supervisor replaces it after its usual delay.
// Orders fail while the streams elect new leaders on the two buses left,
// then must succeed again and keep succeeding. With breakers off the
// first success shows when the bus took orders again; with them on, how
// much their trial calls add to that.
func TestE2EOrdersSurviveLeaderBusKill(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
	}{
		{"defaults", nil},
		{"breakers off", func(c *Config) { c.Options.Breakers = false }},
	} {
		t.Run(tc.name, func(t *testing.T) { killLeaderUnderOrders(t, tc.mutate) })
	}
}

// killLeaderUnderOrders runs one case of TestE2EOrdersSurviveLeaderBusKill.
func killLeaderUnderOrders(t *testing.T, mutate func(*Config)) {
	top := startTopology(t, mutate)
	warmUpOrder(t, top)
	t.Cleanup(func() {
		logLines(t, top, "bus disconnected", "bus reconnected", "stock cache", "new stream leader", "metadata leader")
	})
	nc, js := busAdmin(t, top)
	defer nc.Close()
	victim := metaLeader(t, top)
	if victim == "" {
		t.Fatal("no bus log names the meta leader")
	}
	moveLeadersTo(t, nc, js, victim, streamOrders, "KV_"+bucketStock)
	t.Logf("%s leads the meta group, %s and KV_%s: killing it", victim, streamOrders, bucketStock)

	const (
		rate   = 20
		before = time.Second
		after  = 18 * time.Second
	)
	var (
		mu   sync.Mutex
		outs []orderOutcome
		wg   sync.WaitGroup
	)
	start := time.Now()
	killedAt := start.Add(before)
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	killed := false
	for i := 0; time.Since(start) < before+after; i++ {
		<-tick.C
		if !killed && time.Now().After(killedAt) {
			if err := top.Kill(context.Background(), victim); err != nil {
				t.Fatal(err)
			}
			killedAt, killed = time.Now(), true
		}
		wg.Add(1)
		go func(i int, sent time.Time) {
			defer wg.Done()
			_, r := placeOrder(top, fmt.Sprintf("item-%d", 2+i%40))
			mu.Lock()
			outs = append(outs, orderOutcome{sent: sent, r: r})
			mu.Unlock()
		}(i, time.Now())
	}
	wg.Wait()
	elected := electedAfter(t, top, killedAt, streamOrders, "KV_"+bucketStock)
	s := summarise(outs, killedAt)
	t.Logf("after killing %s: %d orders, %d failed (%v); first 201 sent %s and answered %s after the kill; last failure sent %s after it; %s and KV_%s had new leaders %s after it",
		victim, s.total, s.failed, s.statuses, s.firstOK.Round(time.Millisecond), s.answered.Round(time.Millisecond), s.lastBad.Round(time.Millisecond), streamOrders, bucketStock, elected.Round(time.Millisecond))
	for body, n := range s.bodies {
		t.Logf("%d× %s", n, body)
	}
	// A follower campaigns when it has heard no heartbeat for its election
	// timeout, drawn from 4-9 s (nats-server's raft constants, not
	// configurable), then waits up to 0.8 s more to campaign: a group led
	// by the dead node may have no leader for up to ~10 s. After that the
	// breakers that opened meanwhile let a trial call through within
	// BreakerOpen (2 s). 12 s covers both; a stuck client, watcher or
	// breaker fails for the whole 18 s.
	const bound = 12 * time.Second
	if s.firstOK < 0 || s.firstOK > bound {
		t.Errorf("first order to succeed after the kill was sent %s after it; want <= %s", s.firstOK, bound)
	}
	late := 0
	for _, o := range outs {
		if o.sent.Sub(killedAt) > bound {
			late++
		}
	}
	if late < 50 { // 120 at 20/s: the loop fell far behind
		t.Errorf("only %d orders sent more than %s after the kill: too few to show that orders keep succeeding", late, bound)
	}
	if s.lastBad > bound {
		t.Errorf("orders still failed %s after the kill (want none after %s): %d failed in all", s.lastBad.Round(time.Millisecond), bound, s.failed)
	}
}

// orderOutcome is one order of a load loop: when it was sent and its answer.
type orderOutcome struct {
	sent time.Time
	r    result
}

// orderSummary describes the orders sent after a kill. From the kill:
// firstOK is when the first order to succeed was sent, answered when the
// first success came back (both -1 when none did), lastBad when the last
// failed one was sent.
type orderSummary struct {
	total, failed              int
	statuses                   map[int]int
	bodies                     map[string]int
	firstOK, answered, lastBad time.Duration
}

func summarise(outs []orderOutcome, kill time.Time) orderSummary {
	s := orderSummary{statuses: map[int]int{}, bodies: map[string]int{}, firstOK: -1, answered: -1}
	for _, o := range outs {
		since := o.sent.Sub(kill)
		if since < 0 {
			continue
		}
		s.total++
		s.statuses[o.r.status]++
		if o.r.status == http.StatusCreated {
			if s.firstOK < 0 || since < s.firstOK {
				s.firstOK = since
			}
			if back := since + o.r.dur; s.answered < 0 || back < s.answered {
				s.answered = back
			}
			continue
		}
		s.failed++
		s.lastBad = max(s.lastBad, since)
		body := strings.TrimSpace(string(o.r.body))
		if o.r.err != nil {
			body = o.r.err.Error()
		}
		s.bodies[fmt.Sprintf("%d %s", o.r.status, body)]++
	}
	return s
}

// busAdmin connects the test to the buses directly (not through links).
func busAdmin(t *testing.T, top *Topology) (*nats.Conn, jetstream.JetStream) {
	t.Helper()
	var urls []string
	for _, b := range top.spec.Role("bus") {
		urls = append(urls, "nats://"+b.Addr)
	}
	nc, err := nats.Connect(strings.Join(urls, ","), nats.Timeout(2*time.Second), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		t.Fatal(err)
	}
	return nc, js
}

func streamLeader(t *testing.T, js jetstream.JetStream, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := js.Stream(ctx, name)
	if err != nil || s.CachedInfo().Cluster == nil {
		t.Fatalf("stream %s: %v", name, err)
	}
	return s.CachedInfo().Cluster.Leader
}

// moveLeadersTo makes victim lead the named streams, asking for step-downs
// with it as the preferred node.
func moveLeadersTo(t *testing.T, nc *nats.Conn, js jetstream.JetStream, victim string, streams ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req := fmt.Appendf(nil, `{"placement":{"preferred":%q}}`, victim)
	for _, name := range streams {
		if streamLeader(t, js, name) == victim {
			continue
		}
		if _, err := nc.RequestWithContext(ctx, "$JS.API.STREAM.LEADER.STEPDOWN."+name, req); err != nil {
			t.Fatalf("move %s's leader to %s: %v", name, victim, err)
		}
		eventually(t, 10*time.Second, name+" led by "+victim, func() bool {
			s, err := js.Stream(ctx, name)
			return err == nil && s.CachedInfo().Cluster != nil && s.CachedInfo().Cluster.Leader == victim
		})
	}
}

// busNotice is a line of a bus's log: when, and which bus wrote it.
type busNotice struct {
	at   time.Time
	bus  string
	text string
}

// busNotices reads the buses' logs. Lines start "bus-N yyyy/mm/dd
// hh:mm:ss.micro" (serve.go's logger, local time).
func busNotices(top *Topology) []busNotice {
	var out []busNotice
	for _, b := range top.spec.Role("bus") {
		data, _ := os.ReadFile(filepath.Join(top.Dir(), "logs", b.ID+".log"))
		for _, line := range strings.Split(string(data), "\n") {
			f := strings.SplitN(line, " ", 4)
			if len(f) < 4 {
				continue
			}
			at, err := time.ParseInLocation("2006/01/02 15:04:05.000000", f[1]+" "+f[2], time.Local)
			if err == nil {
				out = append(out, busNotice{at: at, bus: b.ID, text: f[3]})
			}
		}
	}
	return out
}

// metaLeader is the JetStream meta leader as the latest notice about it
// names it ("" if none does). Only the system account, which the tests
// cannot use, may ask the server or move it.
func metaLeader(t *testing.T, top *Topology) string {
	t.Helper()
	var last busNotice
	who := ""
	for _, n := range busNotices(top) {
		name := ""
		if strings.Contains(n.text, "Self is new JetStream cluster metadata leader") {
			name = n.bus
		} else if _, after, ok := strings.Cut(n.text, "new metadata leader: "); ok {
			name, _, _ = strings.Cut(after, "/")
		}
		if name != "" && !n.at.Before(last.at) {
			last, who = n, name
		}
	}
	return who
}

// electedAfter is how long after kill the last of streams had a new leader,
// by the buses' notices; -1 when one of them has none.
func electedAfter(t *testing.T, top *Topology, kill time.Time, streams ...string) time.Duration {
	t.Helper()
	var worst time.Duration
	for _, name := range streams {
		first := time.Duration(-1)
		for _, n := range busNotices(top) {
			d := n.at.Sub(kill)
			if d > 0 && strings.Contains(n.text, "new stream leader for '$G > "+name+"'") && (first < 0 || d < first) {
				first = d
			}
		}
		if first < 0 {
			return -1
		}
		worst = max(worst, first)
	}
	return worst
}

// logLines logs the lines of the instances' logs that hold any of words,
// for reading what the services saw of the bus (the logs go at Stop).
func logLines(t *testing.T, top *Topology, words ...string) {
	files, _ := filepath.Glob(filepath.Join(top.Dir(), "logs", "*.log"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if slices.ContainsFunc(words, func(w string) bool { return strings.Contains(line, w) }) {
				t.Logf("%s: %s", filepath.Base(f), line)
			}
		}
	}
}
