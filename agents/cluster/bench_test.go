package cluster

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Benchmarks for `make bench-cluster` (run with -benchtime=1x: each one
// measures many events itself and reports percentiles as metrics).

// BenchmarkFanout3 and BenchmarkFanout50: one coordinator sends a command
// to every agent at once over real loopback sockets; the latency of a
// round is until the last agent has it in its inbox.
func BenchmarkFanout3(b *testing.B)  { benchFanout(b, 3, 200) }
func BenchmarkFanout50(b *testing.B) { benchFanout(b, 50, 100) }

func benchFanout(b *testing.B, agents, rounds int) {
	key := testKey(b, 5)
	start := func(id string, role Role) *Node {
		c := LocalConfig()
		c.ID, c.Role, c.Key = id, role, key
		n, err := New(c)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = n.Shutdown() })
		return n
	}
	co := start("coord", RoleCoordinator)
	var as []*Node
	for i := range agents {
		a := start(fmt.Sprintf("agent-%03d", i), RoleAgent)
		if _, err := a.Join([]string{co.Addr()}); err != nil {
			b.Fatal(err)
		}
		as = append(as, a)
	}
	waitFor(b, 60*time.Second, "agents joined", func() bool { return len(co.Agents()) == agents })
	b.ResetTimer()
	for range b.N {
		lat := make([]time.Duration, 0, rounds)
		for range rounds {
			t0 := time.Now()
			var wg sync.WaitGroup
			for _, a := range as {
				wg.Add(2)
				go func() {
					defer wg.Done()
					if err := co.Send(a.ID(), "hb", "bench", nil); err != nil {
						b.Error(err)
					}
				}()
				go func() {
					defer wg.Done()
					select {
					case <-a.Inbox():
					case <-time.After(10 * time.Second):
						b.Error("command lost")
					}
				}()
			}
			wg.Wait()
			lat = append(lat, time.Since(t0))
		}
		reportPercentiles(b, lat, "fanout")
	}
}

func reportPercentiles(b *testing.B, d []time.Duration, name string) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	q := func(p float64) float64 { return float64(d[int(p*float64(len(d)-1))]) / 1e6 }
	b.ReportMetric(q(0.5), name+"-p50-ms")
	b.ReportMetric(q(0.99), name+"-p99-ms")
}

// BenchmarkConverge1000 starts 1,000 nodes on the in-memory network with
// the local profile, joins each to a few random earlier nodes, and measures
// how long until every node sees all 1,000 (convergence); then it cuts
// one node off and measures until every other node has declared it dead
// (failure detection) and until the first one suspects or drops it.
func BenchmarkConverge1000(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("FAULTLINE_BENCH_NODES")); err == nil && v > 1 {
		n = v // to look at the trend on a small machine
	}
	for range b.N {
		mn := &MemNetwork{}
		key := testKey(b, 7)
		nodes := make([]*Node, n)
		for i := range nodes {
			c := LocalConfig()
			c.ID, c.Key = fmt.Sprintf("n%04d", i), key
			c.Transport = mn.NewTransport(c.ID)
			nd, err := New(c)
			if err != nil {
				b.Fatal(err)
			}
			nodes[i] = nd
		}
		t0 := time.Now()
		joinAll(b, nodes)
		joined := time.Since(t0)
		b.Logf("%d joins done in %s", n-1, joined.Round(time.Millisecond))
		lastLog := time.Now()
		waitFor(b, 10*time.Minute, "convergence", func() bool {
			full, least := 0, n
			for _, nd := range nodes {
				k := nd.NumMembers()
				least = min(least, k)
				if k == n {
					full++
				}
			}
			if time.Since(lastLog) > 10*time.Second {
				b.Logf("%s after joins began: %d of %d nodes see everyone; the least informed sees %d", time.Since(t0).Round(time.Second), full, n, least)
				lastLog = time.Now()
			}
			return full == n
		})
		conv := time.Since(t0)

		victim := nodes[n/2]
		mn.Cut(victim.ID())
		_ = victim.Shutdown()
		t1 := time.Now()
		var first time.Duration
		waitFor(b, 5*time.Minute, "failure detection", func() bool {
			all := true
			for _, nd := range nodes {
				if nd == victim {
					continue
				}
				if nd.NumMembers() == n {
					all = false
				} else if first == 0 {
					first = time.Since(t1)
				}
			}
			return all
		})
		detect := time.Since(t1)
		b.ReportMetric(joined.Seconds(), "joins-s")
		b.ReportMetric(conv.Seconds(), "converge-s")
		b.ReportMetric(first.Seconds(), "first-dead-s")
		b.ReportMetric(detect.Seconds(), "all-dead-s")
		for _, nd := range nodes {
			_ = nd.Shutdown()
		}
	}
}

// joinAll joins node i to a random earlier node, 16 joins at a time, as
// agents starting across a fleet would. A join that times out (the process
// simulates 1,000 nodes on a few cores) is retried with another seed.
func joinAll(b *testing.B, nodes []*Node) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 2))
			for i := range next {
				var err error
				for try := 0; try < 5; try++ {
					if _, err = nodes[i].Join([]string{nodes[rng.IntN(i)].Addr()}); err == nil {
						break
					}
				}
				if err != nil {
					b.Error(err)
				}
			}
		}()
	}
	for i := 1; i < len(nodes); i++ {
		next <- i
	}
	close(next)
	wg.Wait()
}
